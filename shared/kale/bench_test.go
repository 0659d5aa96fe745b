package kale

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"testing"
)

// exactBenchMax is the largest set size BenchmarkKALEExact runs by default:
// at n = 4096 one solve needs ≈ 6 Cholesky factorisations of a 4096×4096
// matrix, more than 20 s per operation on the 2-core development machine.
var exactBenchMax = flag.Int("kale.exactmax", 2048, "largest n for BenchmarkKALEExact")

// benchSizes are the points per set of the solver benchmarks.
var benchSizes = []int{256, 512, 1024, 2048, 4096}

// benchPair returns P = N(0, I₂), Q = N(e₁, I₂) samples, n points each.
func benchPair(n int) (Samples, Samples) {
	rng := rand.New(rand.NewPCG(42, uint64(n)))
	return gaussian(rng, n, []float64{0, 0}, 1), gaussian(rng, n, []float64{1, 0}, 1)
}

// BenchmarkKALEExact times the exact solver (set-up plus Newton to Tol) for
// n = m points per set; cost O(n² d) + O(n³) per Newton step.
func BenchmarkKALEExact(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			if n > *exactBenchMax {
				b.Skipf("n = %d > -kale.exactmax = %d", n, *exactBenchMax)
			}
			x, y := benchPair(n)
			b.ResetTimer()
			for b.Loop() {
				r, err := KALE(x, y, Options{})
				if err != nil || !r.Converged {
					b.Fatal(err, r.Converged)
				}
				b.ReportMetric(float64(r.Iterations), "newton-steps")
			}
		})
	}
}

// BenchmarkKALERandomFeatures times the D = 512 random feature solver for
// the same sets; cost O(n D d) + O(n D² + D³) per Newton step.
func BenchmarkKALERandomFeatures(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			x, y := benchPair(n)
			b.ResetTimer()
			for b.Loop() {
				r, err := KALERandomFeatures(x, y, Options{}, 512, rand.New(rand.NewPCG(1, 2)))
				if err != nil || !r.Converged {
					b.Fatal(err, r.Converged)
				}
				b.ReportMetric(float64(r.Iterations), "newton-steps")
			}
		})
	}
}
