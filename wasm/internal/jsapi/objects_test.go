//go:build js && wasm

package jsapi

import (
	"encoding/json"
	"math"
	"reflect"
	"syscall/js"
	"testing"

	"github.com/gebm/gebm/wasm/sampler"
)

// TestToObjectIsTheJSONForm: ToObject gives the objects that the JSON form
// of the sampler's result types (their json tags, as encoding/json writes
// them) parses to, and keeps non-finite numbers.
func TestToObjectIsTheJSONForm(t *testing.T) {
	for _, v := range []any{
		sampler.Description{Dim: 784, Shape: []int{28, 28}, Latent: 64, A: -1.5, Dataset: "mnist", TrainingSteps: 7,
			Scale: 2, Offset: -1, Params: 1000, FLOPsPerStep: 4326400, MaxChains: 2048},
		sampler.Description{Dim: 2},
		sampler.SIRResult{Pool: 20, ESS: 19.5, LogSumW: 3.25, LogSumW2: 2.5, Zero: 1, Distinct: 9},
		sampler.FlowState{Steps: 3, MMD2: 1e-9, Noise: 0.2, Bandwidth: 0.7},
	} {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		var want, got map[string]any
		if err := json.Unmarshal(b, &want); err != nil {
			t.Fatal(err)
		}
		s := js.Global().Get("JSON").Call("stringify", ToObject(v)).String()
		if err := json.Unmarshal([]byte(s), &got); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("ToObject(%T): %s, want %s", v, s, b)
		}
	}
	o := ToObject(sampler.SIRResult{LogSumW: math.Inf(-1), ESS: math.NaN()})
	if !math.IsInf(o.Get("logSumW").Float(), -1) || !math.IsNaN(o.Get("ess").Float()) {
		t.Errorf("non-finite values: %v %v", o.Get("logSumW"), o.Get("ess"))
	}
}
