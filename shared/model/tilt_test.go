package model

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/gebm/gebm/shared/ckpt"
	"github.com/gebm/gebm/shared/sample"
)

// Forward gives the test's quadratic energy (posterior_test.go) the values-only
// pass that LatentTilt uses.
func (q *quadEnergy) Forward(x []float32, n int) []float32 {
	f, _ := q.InputGrad(x, n)
	return f
}

// TestTiltIsPotentialWithoutPrior: on network models, V(z) = U(z) − ||z||²/2
// for the latent potential at the same β, to rounding: SIR and the MCMC
// kernels see the same energy, including an energy floor E = max(f, c) (here
// at the median of f over the latents, so that it binds for half of them).
func TestTiltIsPotentialWithoutPrior(t *testing.T) {
	const n = 50
	cfg := Config{Latent: 3, Data: ckpt.DataInfo{Name: "toy", Dim: 2}, BaseHidden: []int{8}, EnergyHidden: []int{8, 8},
		BaseOutput: "tanh", EnergySlope: 0.2, SpectralNorm: true}
	z := make([]float32, n*3)
	SampleLatents(rand.New(rand.NewPCG(8, 8)), z)
	plain, err := New(cfg, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		t.Fatal(err)
	}
	f := make([]float64, n)
	plain.Tilt(1).Eval(z, f)
	sorted := slices.Clone(f)
	slices.Sort(sorted)
	cfg.EnergyFloor = float64(float32(sorted[n/2]))
	floored, err := New(cfg, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range []*GEBM{plain, floored} {
		for _, beta := range []float64{0, 1, 37} {
			v := make([]float64, n)
			g.Tilt(beta).Eval(z, v)
			u := make([]float64, n)
			g.Potential(beta).Eval(z, u, make([]float32, len(z)))
			bound := 0
			for i := range v {
				var sq float64
				for _, x := range z[i*3 : (i+1)*3] {
					sq += float64(x) * float64(x)
				}
				if d := math.Abs(v[i] - (u[i] - sq/2)); d > 1e-12*math.Max(1, math.Abs(u[i])) {
					t.Fatalf("floor %v, β=%g, latent %d: V = %v, U − ||z||²/2 = %v", g == floored, beta, i, v[i], u[i]-sq/2)
				}
				if g == floored && v[i] == beta*cfg.EnergyFloor {
					bound++
				}
				if g == floored && v[i] != beta*math.Max(f[i], cfg.EnergyFloor) {
					t.Fatalf("β=%g, latent %d: V = %v with the floor %v, want β·max(%v, floor)", beta, i, v[i], cfg.EnergyFloor, f[i])
				}
			}
			if g == floored && beta > 0 && bound < n/3 {
				t.Fatalf("β=%g: the floor binds at %d of %d latents", beta, bound, n)
			}
		}
	}
}

// TestLatentPosteriorSIR: SIR through LatentTilt samples the closed-form
// Gaussian posterior of a linear base and a quadratic energy (posterior_test.go)
// at β = 1 and β = 10. R independent draws give R estimates of each of the 3
// means and 6 covariances; their mean must be within 4 standard errors (their
// spread over √R) of the truth, and each standard error below 2% of the
// moment's scale so that the check has power (at 1.1β it fails).
func TestLatentPosteriorSIR(t *testing.T) {
	const R, N, M, d = 12, 2000, 40000, 3
	for _, beta := range []float64{1, 10} {
		t.Run(fmt.Sprintf("beta=%g", beta), func(t *testing.T) {
			_, cov, mu := posterior(beta)
			tilt := &LatentTilt{Base: &linearBase{d: d, D: 4, w: postW, b: postB},
				Energy: &quadEnergy{D: 4, m: postM, p: postP}, Beta: beta}
			type pair struct{ a, b int }
			var pairs []pair
			for a := 0; a < d; a++ {
				for b := a; b < d; b++ {
					pairs = append(pairs, pair{a, b})
				}
			}
			nstat := d + len(pairs)
			est := make([][]float64, nstat)
			for r := range R {
				z := make([]float32, 0, N*d)
				st, err := sample.SIR(tilt, sample.SIRConfig{N: N, Pool: M, Batch: 1000}, rand.New(rand.NewPCG(uint64(r), uint64(beta))),
					func(c []float32) error { z = append(z, c...); return nil })
				if err != nil {
					t.Fatal(err)
				}
				if r == 0 {
					t.Logf("ESS %.0f of %d (%.1f%%)", st.ESS, M, 100*st.ESSFraction())
				}
				for a := 0; a < d; a++ {
					var s float64
					for k := 0; k < N; k++ {
						s += float64(z[k*d+a])
					}
					est[a] = append(est[a], s/N)
				}
				for k, p := range pairs {
					var s float64
					for i := 0; i < N; i++ {
						s += (float64(z[i*d+p.a]) - mu[p.a]) * (float64(z[i*d+p.b]) - mu[p.b])
					}
					est[d+k] = append(est[d+k], s/N)
				}
			}
			for k := 0; k < nstat; k++ {
				var what string
				var want, scale float64
				if k < d {
					what, want, scale = fmt.Sprintf("E z%d", k), mu[k], math.Sqrt(cov.At(k, k))
				} else {
					p := pairs[k-d]
					what, want, scale = fmt.Sprintf("Cov(z%d,z%d)", p.a, p.b), cov.At(p.a, p.b), math.Sqrt(cov.At(p.a, p.a)*cov.At(p.b, p.b))
				}
				var s, s2 float64
				for _, x := range est[k] {
					s += x
					s2 += x * x
				}
				m := s / R
				se := math.Sqrt((s2/R-m*m)*R/(R-1)) / math.Sqrt(R)
				if math.Abs(m-want) > 4*se {
					t.Errorf("%s = %.4f ± %.4f, want %.4f (%.1f SE off)", what, m, se, want, (m-want)/se)
				}
				if !(se < 0.02*scale) {
					t.Errorf("%s: standard error %.4f ≥ 2%% of the scale %.4f", what, se, scale)
				}
			}
		})
	}
}
