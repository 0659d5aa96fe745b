package sample

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestMALALogRatio compares the MALA log acceptance ratio with a hand computation. In 2-D
// with h = 0.3, z = (0.5, −1), z' = (1.25, 0.5), ∇U(z) = (2, −1), ∇U(z') = (−0.5, 3),
// U(z) = 1.75, U(z') = 1:
//
//	z' − z + h∇U(z)  = (0.75, 1.5) + (0.6, −0.3)   = (1.35, 1.2),   squared norm 3.2625
//	z − z' + h∇U(z') = (−0.75, −1.5) + (−0.15, 0.9) = (−0.9, −0.6), squared norm 1.17
//	log r = 1.75 − 1 + (3.2625 − 1.17)/(4·0.3) = 0.75 + 1.74375 = 2.49375.
//
// The reference implementation's precedence bug, dividing by 4 and multiplying by h
// (x/4*h), would give 0.75 + 2.0925·0.3/4 = 0.9069375. The inputs are exact in float32,
// so the only error is float64 rounding.
func TestMALALogRatio(t *testing.T) {
	z := []float32{0.5, -1}
	zp := []float32{1.25, 0.5}
	g := []float32{2, -1}
	gp := []float32{-0.5, 3}
	got := malaLogRatio(z, zp, g, gp, 1.75, 1, 0.3)
	const want = 2.49375
	if math.Abs(got-want) > 1e-12 {
		t.Errorf("malaLogRatio = %.15g, want %.15g (the /4*h precedence bug gives 0.9069375)", got, want)
	}
	// Reversing the move must negate the log ratio (detailed balance of the proposal).
	if back := malaLogRatio(zp, z, gp, g, 1, 1.75, 0.3); math.Abs(back+got) > 1e-12 {
		t.Errorf("reverse log ratio %.15g, want %.15g", back, -got)
	}
}

// TestMALANonGaussian runs MALA with a large step on the non-Gaussian U = z⁴/4, whose
// moments are E z² = 2Γ(3/4)/Γ(1/4) ≈ 0.676 and E z⁴ = 1 (by parts, E z⁴ = E[z·U'(z)] = 1).
// At h = 0.2 the proposal correction matters: with the precedence bug (a correction
// h² = 25 times too small at this h) the same run gives E z² ≈ 0.47 and E z⁴ ≈ 0.51,
// about 200 standard errors off. Tolerance: 4 standard errors over independent chains,
// as in gaussian_test.go.
func TestMALANonGaussian(t *testing.T) {
	quartic := Pointwise{D: 1, F: func(z, g []float32) float64 {
		x := float64(z[0])
		g[0] = float32(x * x * x)
		return x * x * x * x / 4
	}}
	const n = 500
	rng := rand.New(rand.NewPCG(9, 9))
	ch, err := NewChains(quartic, randomStarts(rng, n, 1, 0.8), n)
	if err != nil {
		t.Fatal(err)
	}
	mean, se := chainMeans(t, ch, Config{Method: MALA, StepSize: 0.2, Steps: 1000}, rng, 200, 2,
		func(z []float32, out []float64) {
			x := float64(z[0])
			out[0] = x * x
			out[1] = x * x * x * x
		})
	for k, want := range []float64{2 * math.Gamma(0.75) / math.Gamma(0.25), 1} {
		t.Logf("E z^%d = %.4f ± %.4f, want %.4f", 2*(k+1), mean[k], se[k], want)
		if math.Abs(mean[k]-want) > 4*se[k] {
			t.Errorf("E z^%d = %.4f ± %.4f, want %.4f (%.1f SE off)", 2*(k+1), mean[k], se[k], want, (mean[k]-want)/se[k])
		}
	}
}
