package nn

import (
	"math/rand/v2"
	"testing"
)

// BenchmarkConv times one forward and one backward pass (input and
// parameter gradients) of the DCGAN-MNIST energy's second convolution
// (64→128 channels, 14×14 → 7×7, kernel 4, stride 2, padding 1) and of the
// generator's matching transposed convolution (128→64, 7×7 → 14×14), batch
// 64, with the platform's default Gemm; "gemm" runs the same three products
// per sample without im2col/col2im, so the GFLOP/s ratio of the two is the
// cost of the layout work. Compare within one run: go test -run '^$'
// -bench Conv ./shared/nn/.
func BenchmarkConv(b *testing.B) {
	const n = 64
	for _, l := range []LayerSpec{
		{Kind: KindConv2D, In: 64, Out: 128, Height: 14, Width: 14, Kernel: 4, Stride: 2, Padding: 1},
		{Kind: KindConvTranspose2D, In: 128, Out: 64, Height: 7, Width: 7, Kernel: 4, Stride: 2, Padding: 1},
	} {
		spec := Spec{Layers: []LayerSpec{l}}
		rng := rand.New(rand.NewPCG(1, 1))
		net, err := New(spec, rng)
		if err != nil {
			b.Fatal(err)
		}
		x, dy := randomBatch(rng, n, spec.In()), randomBatch(rng, n, spec.Out())
		flops := 3 * float64(spec.FLOPs()) * n // forward, input gradient, weight gradient
		b.Run(string(l.Kind), func(b *testing.B) {
			for b.Loop() {
				net.Forward(x, n)
				net.Backward(dy, true)
			}
			b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
		// The products alone: an a×c by c×d matrix product, as the layer's
		// forward pass forms it, and the two of its backward pass.
		a, c, d := l.Out, l.In*l.Kernel*l.Kernel, 49
		if l.Kind == KindConvTranspose2D {
			a, c, d = l.Out*l.Kernel*l.Kernel, l.In, 49
		}
		w, col, out := randomBatch(rng, a, c), randomBatch(rng, c, d), randomBatch(rng, a, d)
		g := DefaultGemm()
		b.Run(string(l.Kind)+"/gemm", func(b *testing.B) {
			for b.Loop() {
				for range n {
					g.Sgemm(false, false, a, d, c, 1, w, c, col, d, 0, out, d)
					g.Sgemm(true, false, c, d, a, 1, w, c, out, d, 0, col, d)
					g.Sgemm(false, true, a, c, d, 1, out, d, col, d, 1, w, c)
				}
			}
			b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}
