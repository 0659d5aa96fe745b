package sample

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestBimodal checks the proportion of time spent in each mode of a 1-D mixture of two
// Gaussians with weights 0.3 and 0.7, for the exact kernels that can cross between the
// modes: random-walk MH with a step as wide as the gap, IMH (whose N(0, 1) proposals
// cover both modes), and HMC on modes close enough for its momentum to carry it over the
// barrier (U at 0 is about 3 nats above the modes). The statistic is the indicator of
// z < 0, whose expectation is the mixture's mass below 0 (0.3 up to Φ tails); chains
// start at exact draws, and the tolerance is 4 standard errors over independent chains,
// as in gaussian_test.go. The standard error is also bounded (0.01) so that chains stuck
// in their starting mode, whose SE would be about √(0.21/n) = 0.02, cannot pass.
func TestBimodal(t *testing.T) {
	cases := []struct {
		name string
		p    mixture1D
		cfg  Config
	}{
		{"mh", mixture1D{0.3, -2, 2, 0.5}, Config{Method: MH, StepSize: 2.5, Steps: 2000}},
		{"imh", mixture1D{0.3, -2, 2, 0.5}, Config{Method: IMH, Steps: 2000}},
		{"hmc", mixture1D{0.3, -1.5, 1.5, 0.6}, Config{Method: HMC, StepSize: 0.25, Leapfrog: 8, Steps: 1000}},
	}
	const n = 500
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(5, uint64(len(c.name))))
			z0 := make([]float32, n)
			for i := range z0 {
				m := c.p.m2
				if rng.Float64() < c.p.w1 {
					m = c.p.m1
				}
				z0[i] = float32(m + c.p.s*rng.NormFloat64())
			}
			ch, err := NewChains(c.p, z0, n)
			if err != nil {
				t.Fatal(err)
			}
			mean, se := chainMeans(t, ch, c.cfg, rng, 100, 1, func(z []float32, out []float64) {
				out[0] = 0
				if z[0] < 0 {
					out[0] = 1
				}
			})
			want := c.p.massBelow0()
			t.Logf("P(z<0) = %.4f ± %.4f, want %.4f", mean[0], se[0], want)
			if math.Abs(mean[0]-want) > 4*se[0] {
				t.Errorf("P(z<0) = %.4f ± %.4f, want %.4f (%.1f SE off)", mean[0], se[0], want, (mean[0]-want)/se[0])
			}
			if se[0] > 0.01 {
				t.Errorf("standard error %.4f > 0.01: the chains do not cross between the modes", se[0])
			}
		})
	}
}
