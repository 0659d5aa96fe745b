// Package nnbench benchmarks nn.Gemm implementations and network passes at the
// training shapes, so that ratios between implementations come from one run.
package nnbench

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/gebm/gebm/shared/nn"
)

// Gemms benchmarks each implementation on the training shapes,
// reporting GFLOP/s. native/blas reuses it to add OpenBLAS to the table.
func Gemms(b *testing.B, impls map[string]nn.Gemm) {
	shapes := [][3]int{{128, 784, 512}, {128, 512, 784}, {128, 256, 512}, {64, 512, 256}}
	for _, name := range []string{"tiled", "gonum", "openblas"} {
		g, ok := impls[name]
		if !ok {
			continue
		}
		for _, s := range shapes {
			m, n, k := s[0], s[1], s[2]
			b.Run(fmt.Sprintf("%s/%dx%dx%d", name, m, n, k), func(b *testing.B) {
				rng := rand.New(rand.NewPCG(1, 1))
				a, w, c := random(rng, m*k), random(rng, n*k), make([]float32, m*n)
				b.ResetTimer()
				for range b.N {
					g.Sgemm(false, true, m, n, k, 1, a, k, w, k, 0, c, n)
				}
				b.ReportMetric(2*float64(m*n*k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}

func random(rng *rand.Rand, n int) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(rng.NormFloat64())
	}
	return x
}
