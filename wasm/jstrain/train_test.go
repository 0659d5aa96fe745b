//go:build js && wasm

package main

import (
	"errors"
	"math"
	"strings"
	"syscall/js"
	"testing"

	"github.com/gebm/gebm/shared/ckpt"
	"github.com/gebm/gebm/shared/model/modeltest"
	"github.com/gebm/gebm/wasm/sampler"
)

// trainOptions is a short run of a small model with a burst, a decay and
// a final phase (100 base steps, 20 final).
const trainOptions = `{"steps": 100, "final-energy-steps": 20, "batch": 32, "base-hidden": [16, 16], "energy-hidden": [16, 16],
	"warmup": 10, "burst-every": 50, "burst-len": 5, "lr-decay-every": 60, "seed": 3}`

// TestTrainSameAsSampler: a run through gebm.newTrainer, trainSteps (in
// chunks), trainInfo and trainModel gives the steps' statistics and the
// model bits of the sampler called directly, in one call.
func TestTrainSameAsSampler(t *testing.T) {
	s := sampler.New()
	o, err := sampler.ParseTrainOptions("8gaussians", []byte(trainOptions))
	if err != nil {
		t.Fatal(err)
	}
	ts, err := s.NewTrainer(sampler.TrainData{Toy: "8gaussians"}, o)
	if err != nil {
		t.Fatal(err)
	}
	want, err := s.TrainSteps(ts, 120, nil)
	if err != nil {
		t.Fatal(err)
	}
	wantFile, _ := s.TrainModel(ts)

	opts := js.Global().Get("JSON").Call("parse", trainOptions)
	data := js.Global().Get("Object").New()
	data.Set("toy", "8gaussians")
	tj := mustCall(t, "newTrainer", data, opts).Int()
	var got []js.Value
	for _, n := range []int{7, 50, 63, 10} {
		st := mustCall(t, "trainSteps", tj, n)
		for i := range st.Length() {
			got = append(got, st.Index(i))
		}
	}
	if len(got) != len(want) {
		t.Fatalf("%d steps through gebm, %d directly", len(got), len(want))
	}
	for i, w := range want {
		g := got[i]
		if g.Get("step").Int() != w.Step || g.Get("finalStep").Int() != w.FinalStep || g.Get("energySteps").Int() != w.EnergySteps ||
			g.Get("loss").Float() != w.Loss || g.Get("kale").Float() != w.KALE || g.Get("a").Float() != w.A ||
			g.Get("ess").Float() != w.ESS || g.Get("gradNormBase").Float() != w.GradNormBase {
			t.Fatalf("step %d: %s through gebm, %+v directly", i+1, js.Global().Get("JSON").Call("stringify", g), w)
		}
	}
	info := mustCall(t, "trainInfo", tj)
	if !info.Get("finished").Bool() || info.Get("step").Int() != 100 || info.Get("finalSteps").Int() != 20 || info.Get("stopped").String() != "" {
		t.Fatalf("trainInfo %s", js.Global().Get("JSON").Call("stringify", info))
	}
	u := mustCall(t, "trainModel", tj)
	if !u.InstanceOf(js.Global().Get("Uint8Array")) {
		t.Fatalf("trainModel returned %v", u)
	}
	file := make([]byte, u.Length())
	js.CopyBytesToGo(file, u)
	if got, want := weightsDigest(t, file), weightsDigest(t, wantFile); got != want {
		t.Fatal("the model trained through gebm differs from the sampler's")
	}
	m := mustCall(t, "trainSnapshot", tj).Int()
	x := float32sOf(t, mustCall(t, "generate", m, 5, 1))
	wm, _ := s.Open(wantFile)
	wx, _ := s.Generate(wm, 5, 1, nil)
	for i := range wx {
		if math.Float32bits(x[i]) != math.Float32bits(wx[i]) {
			t.Fatalf("snapshot samples %v, sampler %v", x, wx)
		}
	}
}

// TestTrainPoints: a trainer on points given as a Float32Array, with
// default options but a few; the data's name in the model file is
// sampler.PointsName.
func TestTrainPoints(t *testing.T) {
	pts := js.Global().Get("Float32Array").New(js.ValueOf([]any{0, 0, 1, 1, -1, 0.5, 2, -1}))
	data := js.Global().Get("Object").New()
	data.Set("points", pts)
	data.Set("dim", 2)
	opts := js.Global().Get("JSON").Call("parse", `{"steps": 5, "final-energy-steps": 0, "warmup": 2, "batch": 4, "base-hidden": [8], "energy-hidden": [8]}`)
	tj := mustCall(t, "newTrainer", data, opts).Int()
	if n := mustCall(t, "trainSteps", tj, 100).Length(); n != 5 {
		t.Fatalf("%d steps, want 5", n)
	}
	u := mustCall(t, "trainModel", tj)
	file := make([]byte, u.Length())
	js.CopyBytesToGo(file, u)
	f, err := ckpt.Decode(file)
	if err != nil || f.Training.Dataset != sampler.PointsName || f.Data.Dim != 2 {
		t.Fatalf("model file %+v, %v", f, err)
	}
}

// TestTrainRefusals: bad data, options and handles throw Errors of the
// sampler's kinds naming the problem.
func TestTrainRefusals(t *testing.T) {
	toy := js.Global().Get("Object").New()
	toy.Set("toy", "8gaussians")
	both := js.Global().Get("Object").New()
	both.Set("toy", "8gaussians")
	both.Set("points", js.Global().Get("Float32Array").New(2))
	for _, tc := range []struct {
		name     string
		args     []any
		kind     string
		fragment string
	}{
		{"newTrainer", []any{toy, js.Global().Get("JSON").Call("parse", `{"lr-energy": -1}`)}, "argument", "lr-energy: -1 must be a positive number"},
		{"newTrainer", []any{toy, js.Global().Get("JSON").Call("parse", `{"batch": 0}`)}, "argument", "batch: 0 must be in 2..65536"},
		{"newTrainer", []any{toy, js.Global().Get("JSON").Call("parse", `{"gp": null, "lr": 1}`)}, "argument", `unknown field "lr"`},
		{"newTrainer", []any{toy, js.Global().Get("JSON").Call("parse", `{"energy-hidden": [4096, 4096]}`)}, "argument", "parameters"},
		{"newTrainer", []any{toy, "fast"}, "argument", "want an object"},
		{"newTrainer", []any{"8gaussians"}, "argument", "want {toy: name}"},
		{"newTrainer", []any{both}, "argument", "want {toy: name}"},
		{"trainSteps", []any{12345, 1}, "handle", "no open trainer"},
		{"trainModel", []any{-1}, "handle", "no open trainer"},
		{"trainSteps", []any{"one", 1}, "argument", "handle"},
	} {
		_, err := call(tc.name, tc.args...)
		var je js.Error
		if !errors.As(err, &je) || je.Value.Get("kind").String() != tc.kind || !strings.Contains(je.Value.Get("message").String(), tc.fragment) {
			t.Errorf("gebm.%s(%v): %v, want a %s error naming %q", tc.name, tc.args, err, tc.kind, tc.fragment)
		}
	}
}

// weightsDigest is the model file's modeltest.WeightsDigest (A and the
// tensors' bits, not the header's clock and device).
func weightsDigest(t *testing.T, file []byte) uint64 {
	t.Helper()
	h, err := modeltest.WeightsDigest(file)
	if err != nil {
		t.Fatal(err)
	}
	return h
}
