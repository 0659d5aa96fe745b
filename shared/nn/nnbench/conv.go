package nnbench

import (
	"math/rand/v2"
	"testing"

	"github.com/gebm/gebm/shared/nn"
)

// ConvLayers are the DCGAN-MNIST energy's second convolution (64→128
// channels, 14×14 → 7×7, kernel 4, stride 2, padding 1) and the generator's
// matching transposed convolution (128→64, 7×7 → 14×14).
var ConvLayers = []nn.LayerSpec{
	{Kind: nn.KindConv2D, In: 64, Out: 128, Height: 14, Width: 14, Kernel: 4, Stride: 2, Padding: 1},
	{Kind: nn.KindConvTranspose2D, In: 128, Out: 64, Height: 7, Width: 7, Kernel: 4, Stride: 2, Padding: 1},
}

// Conv benchmarks, for each of ConvLayers at batch 64, a forward pass and a
// backward pass to the parameters and the input with the Gemm g, and
// beside it ("/gemm") the same three matrix products over the whole batch
// (one product each; the layer makes them per chunk of samples) without
// im2col/col2im and the layout swaps: the ratio of their GFLOP/s is the
// cost of the layout work.
func Conv(b *testing.B, g nn.Gemm) {
	const n = 64
	for _, l := range ConvLayers {
		spec := nn.Spec{Layers: []nn.LayerSpec{l}}
		b.Run(string(l.Kind), func(b *testing.B) { passesWith(b, spec, n, g) })
		// The forward product is a×c by c×d per sample; backward's two
		// have the same size.
		a, c, d := l.Out, l.In*l.Kernel*l.Kernel, spec.Out()/l.Out
		if l.Kind == nn.KindConvTranspose2D {
			a, c, d = l.Out*l.Kernel*l.Kernel, l.In, l.Height*l.Width
		}
		d *= n
		b.Run(string(l.Kind)+"/gemm", func(b *testing.B) {
			rng := rand.New(rand.NewPCG(1, 1))
			w, col, out := random(rng, a*c), random(rng, c*d), random(rng, a*d)
			dw, dcol := make([]float32, a*c), make([]float32, c*d) // no feedback: the values stay put
			for b.Loop() {
				g.Sgemm(false, false, a, d, c, 1, w, c, col, d, 0, out, d)
				g.Sgemm(true, false, c, d, a, 1, w, c, out, d, 0, dcol, d)
				g.Sgemm(false, true, a, c, d, 1, out, d, col, d, 0, dw, c)
			}
			b.ReportMetric(3*2*float64(a*c*d)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}
