//go:build cgo && !noopenblas

package blas

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gebm/gebm/shared/nn"
)

// TestAdamMatchesGo: FastestAdam gives nn.AdamStep's bits for θ, m and v,
// on lengths around the four-lane blocks and a long one, with values over
// many magnitudes (zeros, subnormals, large), at the first steps' bias
// corrections and late ones, and on NaN and infinite gradients.
func TestAdamMatchesGo(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 1))
	val := func() float32 {
		switch rng.IntN(8) {
		case 0:
			return 0
		case 1:
			return float32(rng.NormFloat64()) * 1e-40 // subnormal
		case 2:
			return float32(rng.NormFloat64()) * 1e20
		}
		return float32(rng.NormFloat64() * math.Pow(10, float64(rng.IntN(9)-6)))
	}
	for _, step := range []int64{1, 2, 50, 100000} {
		for _, n := range []int{1, 3, 4, 5, 7, 8, 9, 16, 1001} {
			lr, b1, b2 := 1e-4, 0.5, 0.999
			bc1, bc2 := 1-math.Pow(b1, float64(step)), 1-math.Pow(b2, float64(step))
			c := nn.AdamCoefs{Beta1: float32(b1), OneMinusBeta1: 1 - float32(b1), Beta2: float32(b2), OneMinusBeta2: 1 - float32(b2),
				StepSize: float32(lr / bc1), InvSqrtBC2: float32(1 / math.Sqrt(bc2)), Eps: 1e-8}
			var s [2][4][]float32 // θ, g, m, v for Go and C
			for k := range 4 {
				a := make([]float32, n)
				for i := range a {
					a[i] = val()
					if k == 3 { // v ≥ 0
						a[i] = float32(math.Abs(float64(a[i])))
					}
				}
				if k == 1 && n > 5 {
					a[2], a[3], a[5] = float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1))
				}
				s[0][k], s[1][k] = a, append([]float32(nil), a...)
			}
			nn.AdamStep(s[0][0], s[0][1], s[0][2], s[0][3], c)
			FastestAdam()(s[1][0], s[1][1], s[1][2], s[1][3], c)
			for k, name := range []string{"θ", "g", "m", "v"} {
				for i := range n {
					if x, y := s[0][k][i], s[1][k][i]; math.Float32bits(x) != math.Float32bits(y) && !(x != x && y != y) {
						t.Fatalf("step %d, n %d: %s[%d] = %v in Go, %v in C", step, n, name, i, x, y)
					}
				}
			}
		}
	}
}

// BenchmarkAdam times one update of the MNIST model's 1.08 million
// parameters (energy and base) by FastestAdam and by nn.AdamStep.
func BenchmarkAdam(b *testing.B) {
	const n = 784*512 + 512 + 512*256 + 256 + 256 + 1 + 64*256 + 256 + 256*512 + 512 + 512*784 + 784
	var s [4][]float32
	for k := range s {
		s[k] = make([]float32, n)
		for i := range s[k] {
			s[k][i] = float32(i%7) * 0.01
		}
	}
	c := nn.AdamCoefs{Beta1: 0.5, OneMinusBeta1: 0.5, Beta2: 0.999, OneMinusBeta2: 1 - float32(0.999), StepSize: 2e-4, InvSqrtBC2: 31.6, Eps: 1e-8}
	for _, k := range []struct {
		name string
		f    nn.AdamKernel
	}{{"kernel=c", FastestAdam()}, {"kernel=go", nn.AdamStep}} {
		b.Run(k.name, func(b *testing.B) {
			for range b.N {
				k.f(s[0], s[1], s[2], s[3], c)
			}
		})
	}
}
