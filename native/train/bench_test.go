package train

import (
	"testing"

	"github.com/gebm/gebm/shared/nn"
)

// BenchmarkIteration times one training unit at the MNIST default size
// (batch 128, spectral norm, gradient penalty): one energy step and one
// base step. "full" is the real thing; "products" replays the same matrix
// products alone (same shapes, same Gemm), so the ratio of the two shows
// what the code outside the products costs. Both report GFLOP/s of the
// products' arithmetic.
func BenchmarkIteration(b *testing.B) {
	o := Defaults("mnist")
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
		for range b.N {
			step()
		}
		b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
	})
	b.Run("products", func(b *testing.B) {
		g := nn.DefaultGemm()
		buf := make([]float32, 784*784*4)
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
