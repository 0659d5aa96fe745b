package nn

import (
	"math/rand/v2"
	"testing"
)

// TestNoAllocationInSteadyState: after the first pass at a batch size,
// Forward, Backward, InputGrad and GradPenalty allocate nothing, for a
// dense network and a convolutional one. The products go through
// TiledGemm (WebAssembly's kernel, whose packing buffers come from a pool):
// gonum's Sgemm, the native default without OpenBLAS, allocates for its
// goroutines whenever a product is large enough to run in parallel, as the
// convolutions' products over a whole batch are.
func TestNoAllocationInSteadyState(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	conv := Spec{Layers: []LayerSpec{
		{Kind: KindConv2D, In: 1, Out: 4, Height: 9, Width: 9, Kernel: 4, Stride: 2, Padding: 1, SpectralNorm: true},
		{Kind: KindLeakyReLU, Slope: 0.2},
		{Kind: KindConvTranspose2D, In: 4, Out: 2, Height: 4, Width: 4, Kernel: 3, Stride: 2, Padding: 1, SpectralNorm: true},
		{Kind: KindTanh},
		{Kind: KindLinear, In: 2 * 7 * 7, Out: 1},
	}}
	// A generator: batch normalisation in both modes, no gradient penalty.
	base := Spec{Layers: []LayerSpec{
		{Kind: KindLinear, In: 5, Out: 4 * 3 * 3},
		{Kind: KindBatchNorm, Channels: 4},
		{Kind: KindReLU},
		{Kind: KindConvTranspose2D, In: 4, Out: 1, Height: 3, Width: 3, Kernel: 4, Stride: 2, Padding: 1},
		{Kind: KindTanh},
	}}
	for _, spec := range []Spec{MLP(6, []int{16, 8}, 1, Activation(KindTanh, 0), "", true), conv, base} {
		net, err := New(spec, rng)
		if err != nil {
			t.Fatal(err)
		}
		net.SetGemm(TiledGemm{})
		x := randomBatch(rng, 32, spec.In())
		dy := randomBatch(rng, 32, spec.Out())
		generator := spec.TangentError() != nil
		pass := func() {
			if generator {
				net.SetTraining(true)
				net.Forward(x, 32)
				net.Backward(dy, true)
				net.SetTraining(false)
				net.Forward(x, 32)
				net.Backward(dy, false)
				return
			}
			net.Forward(x, 32)
			net.Backward(dy, true)
			net.InputGrad(x, 32)
			net.GradPenalty(x, 32, 1)
			net.FinishGrads()
			net.Refresh(1)
		}
		pass()
		if a := testing.AllocsPerRun(20, pass); a != 0 {
			t.Fatalf("%v: %v allocations per pass in steady state", spec.Layers, a)
		}
	}
}
