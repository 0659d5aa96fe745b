package nn

import (
	"math/rand/v2"
	"testing"
)

// TestNoAllocationInSteadyState: after the first pass at a batch size,
// Forward, Backward, InputGrad and GradPenalty allocate nothing.
func TestNoAllocationInSteadyState(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	net, _ := New(MLP(6, []int{16, 8}, 1, Activation(KindTanh, 0), "", true), rng)
	x := randomBatch(rng, 32, 6)
	dy := randomBatch(rng, 32, 1)
	pass := func() {
		net.Forward(x, 32)
		net.Backward(dy, true)
		net.InputGrad(x, 32)
		net.GradPenalty(x, 32, 1)
		net.FinishGrads()
		net.Refresh(1)
	}
	pass()
	if a := testing.AllocsPerRun(20, pass); a != 0 {
		t.Fatalf("%v allocations per pass in steady state", a)
	}
}
