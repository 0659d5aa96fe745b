package sample

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// The exact kernels must reproduce the mean and covariance of Gaussian targets.
//
// Each case runs n independent chains started at exact draws from the target (so that an
// exact kernel has no transient, and any bias is the kernel's), discards a short burn-in,
// and averages over time within each chain; the standard error of a moment is the spread of those per-chain averages
// over √n (chainMeans), which accounts for autocorrelation. A correct sampler then misses
// the truth by more than 4 standard errors with probability 6e-5 per moment (normal
// tails; the per-chain averages are means of many draws): over the ~60 moments below a
// false alarm has probability below 0.5%, and the seeds are fixed, so a failure means a
// change of behaviour to investigate. Each case also bounds the standard error, so that a
// sampler too sluggish to be informative (one that never moves has SE = σ/√n, 0.045σ here)
// cannot pass by producing wide error bars.

var (
	isoTarget = newGaussian([]float64{0.5, -0.5, 1}, [][]float64{{1, 0, 0}, {0, 1, 0}, {0, 0, 1}})
	// Variances 1 and 0.01, correlation 0.9: eigenvalues of Σ about 1.008 and 0.0019, a
	// condition number over 500.
	illTarget = newGaussian([]float64{0.5, -0.3}, [][]float64{{1, 0.09}, {0.09, 0.01}})
)

func TestGaussianMoments(t *testing.T) {
	type tc struct {
		name   string
		target gaussian
		cfg    Config
		n      int // chains
		burn   int
		maxSE  float64 // bound on SE / scale, see above
	}
	cases := []tc{
		{"iso/mala", isoTarget, Config{Method: MALA, StepSize: 0.5, Steps: 200}, 500, 100, 0.02},
		{"iso/hmc", isoTarget, Config{Method: HMC, StepSize: 0.3, Leapfrog: 5, Steps: 100}, 500, 50, 0.02},
		{"iso/mh", isoTarget, Config{Method: MH, StepSize: 1, Steps: 400}, 500, 200, 0.02},
		{"iso/imh", isoTarget, Config{Method: IMH, Steps: 2000}, 500, 200, 0.03},
		{"ill/mala", illTarget, Config{Method: MALA, StepSize: 0.003, Steps: 10000}, 500, 3000, 0.02},
		{"ill/hmc", illTarget, Config{Method: HMC, StepSize: 0.04, Leapfrog: 30, Steps: 200}, 500, 100, 0.02},
		{"ill/mh", illTarget, Config{Method: MH, StepSize: 0.06, Steps: 10000}, 500, 3000, 0.02},
		{"ill/imh", illTarget, Config{Method: IMH, Steps: 3000}, 500, 1000, 0.02},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(1, uint64(len(c.name))))
			d := c.target.Dim()
			ch, err := NewChains(c.target, c.target.draw(rng, c.n), c.n)
			if err != nil {
				t.Fatal(err)
			}
			type pair struct{ a, b int }
			var pairs []pair
			for a := 0; a < d; a++ {
				for b := a; b < d; b++ {
					pairs = append(pairs, pair{a, b})
				}
			}
			mu := c.target.mu
			mean, se := chainMeans(t, ch, c.cfg, rng, c.burn, d+len(pairs), func(z []float32, out []float64) {
				for a := 0; a < d; a++ {
					out[a] = float64(z[a])
				}
				for k, p := range pairs {
					out[d+k] = (float64(z[p.a]) - mu[p.a]) * (float64(z[p.b]) - mu[p.b])
				}
			})
			check := func(what string, got, se, want, scale float64) {
				t.Helper()
				if math.Abs(got-want) > 4*se {
					t.Errorf("%s = %.4f ± %.4f, want %.4f (%.1f SE off)", what, got, se, want, (got-want)/se)
				}
				if se > c.maxSE*scale {
					t.Errorf("%s: standard error %.4f > %.3f × scale %.3f: too little information", what, se, c.maxSE, scale)
				}
			}
			for a := 0; a < d; a++ {
				check(fmt.Sprintf("E z%d", a), mean[a], se[a], mu[a], math.Sqrt(c.target.cov[a][a]))
			}
			for k, p := range pairs {
				check(fmt.Sprintf("Cov(z%d,z%d)", p.a, p.b), mean[d+k], se[d+k], c.target.cov[p.a][p.b],
					math.Sqrt(c.target.cov[p.a][p.a]*c.target.cov[p.b][p.b]))
			}
			if testing.Verbose() {
				for k := range mean {
					t.Logf("stat %d: %.4f ± %.4f", k, mean[k], se[k])
				}
			}
		})
	}
}
