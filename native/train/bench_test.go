package train

import (
	"fmt"
	"testing"

	"github.com/gebm/gebm/shared/nn"
	core "github.com/gebm/gebm/shared/train"
)

// BenchmarkIteration times one training unit at the MNIST default size
// (batch 128, spectral norm, gradient penalty): one energy step and one
// base step. "full" is the real thing; "products" replays the same matrix
// products alone (same shapes, same Gemm), so the ratio of the two shows
// what the code outside the products costs. Both report GFLOP/s of the
// products' arithmetic.
func BenchmarkIteration(b *testing.B) {
	benchIteration(b, Defaults("mnist"))
}

// BenchmarkIterationDCGAN times the same unit on the dcgan architecture
// at MNIST size, batch 64, channel widths 16 and 32 (gebm bench train
// --arch dcgan --batch 64 --channels C), with the same "full"/"products"
// split.
func BenchmarkIterationDCGAN(b *testing.B) {
	for _, ch := range []int{16, 32} {
		b.Run(fmt.Sprint("channels=", ch), func(b *testing.B) {
			o := Defaults("mnist")
			o.Arch, o.Latent, o.Channels, o.Batch = "dcgan", core.DCGANLatent, ch, 64
			benchIteration(b, o)
		})
	}
}

// benchIteration times the training unit of the options o.
func benchIteration(b *testing.B, o Options) {
	o.Out = b.TempDir()
	tr, err := New(o)
	if err != nil {
		b.Fatal(err)
	}
	step := func() {
		if err := tr.iteration(1); err != nil {
			b.Fatal(err)
		}
	}
	step()
	rec := &recordingGemm{Gemm: nn.DefaultGemm()}
	tr.Model.Base.SetGemm(rec)
	tr.Model.Energy.SetGemm(rec)
	step()
	tr.Model.Base.SetGemm(nn.DefaultGemm())
	tr.Model.Energy.SetGemm(nn.DefaultGemm())
	var flops float64
	for _, c := range rec.calls {
		flops += 2 * float64(c.m*c.n*c.k)
	}
	b.Run("full", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			step()
		}
		b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
	})
	b.Run("products", func(b *testing.B) {
		g := nn.DefaultGemm()
		size := 0
		for _, c := range rec.calls {
			size = max(size, c.m*c.k, c.k*c.n, c.m*c.n)
		}
		buf := make([]float32, 4*size)
		b.ResetTimer()
		for range b.N {
			for _, c := range rec.calls {
				lda, ldb := c.k, c.n
				if c.tA {
					lda = c.m
				}
				if c.tB {
					ldb = c.k
				}
				g.Sgemm(c.tA, c.tB, c.m, c.n, c.k, 1, buf, lda, buf[len(buf)/4:], ldb, 0, buf[len(buf)/2:], c.n)
			}
		}
		b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
	})
}
