package nn

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestEveryKind walks every registered layer kind through the CPU passes:
// validation, the tensors a file lists against those the network holds,
// and the input gradient, parameter gradients and gradient penalty against
// the float64 reference (reference_test.go), which panics on a kind it does
// not know. native/cuda and wasm/sampler walk the same kinds.
func TestEveryKind(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	for _, k := range Kinds() {
		for _, out := range []int{1, 3} {
			spec := SpecWithKind(k, 4, out)
			if err := spec.Validate(); err != nil {
				t.Fatalf("%s: %v", k, err)
			}
			net, err := New(spec, rng)
			if err != nil {
				t.Fatal(err)
			}
			held := append(append([]*Param{}, net.Params()...), net.State()...)
			if infos := spec.Tensors(); len(infos) != len(held) {
				t.Fatalf("%s: %d tensors listed, %d held", k, len(infos), len(held))
			}
			what := fmt.Sprintf("%s out %d", k, out)
			checkInputGradient(t, what, rng, spec)
			checkParamGradient(t, what, rng, spec)
			switch {
			case kinds[k].noTangent:
				if spec.TangentError() == nil {
					t.Fatalf("%s: a kind without tangent passes, but TangentError is nil", k)
				}
			case out == 1:
				checkGradPenalty(t, what, rng, spec)
			}
		}
	}
	if Kind("softmax").Known() {
		t.Fatal("softmax is not a kind")
	}
}
