package kale

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestKALEOptimality checks the solver's answer against the primal problem
// written out independently over the pooled points u = [X; Y]:
//
//	J(α) = −(1/n) Σ_i (Kα)_i − (1/m) Σ_j exp(−(Kα)_{n+j}) + 1 − (λ/2) αᵀKα,
//
// whose functional gradient at f = Σ α_k k(·,u_k) is ∇_f J = Σ_k (g − λα)_k
// k(·,u_k), g = −1/n on X and exp(−f(y_j))/m on Y. Tolerances: J(α*) equals
// Result.Value to 1e-10, ‖∇_f J‖_H ≤ Tol = 1e-8, random perturbations of α*
// never increase J, and the weights satisfy s_j = exp(−f(y_j)) to a relative
// 1e-6 (GradNorm is an average over the points, (1/m)‖r‖_K with
// r_j = exp(−f(y_j)) − s_j, so single residuals can exceed Tol: at λ = 1 the
// largest is ≈ 1e-7 when GradNorm ≈ 5e-9).
func TestKALEOptimality(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	x := gaussian(rng, 30, []float64{0, 0}, 1)
	y := gaussian(rng, 40, []float64{1, 0.5}, 1.5)
	for _, lam := range []float64{1, 0.1, 1e-3} {
		o := Options{Lambda: lam}
		r := mustKALE(t, x, y, o)
		w := r.Witness.(*KernelWitness)
		u, alpha, sigma := w.Centers(), w.Coefficients(), w.Bandwidth()
		n, m, N := x.Rows, y.Rows, u.Rows
		if N != n+m || sigma != r.Bandwidth {
			t.Fatalf("witness has %d centres, bandwidth %v", N, sigma)
		}
		K := make([]float64, N*N)
		for i := range N {
			for j := range N {
				K[i*N+j] = GaussianKernel(u.Row(i), u.Row(j), sigma)
			}
		}
		matvec := func(v []float64) []float64 {
			out := make([]float64, N)
			for i := range N {
				for j := range N {
					out[i] += K[i*N+j] * v[j]
				}
			}
			return out
		}
		J := func(a []float64) float64 {
			f := matvec(a)
			var v float64
			for i := range n {
				v -= f[i] / float64(n)
			}
			for j := range m {
				v -= math.Exp(-f[n+j]) / float64(m)
			}
			return v + 1 - lam/2*dot(a, matvec(a))
		}
		j0 := J(alpha)
		if math.Abs(j0-r.Value) > 1e-10*max(1, j0) {
			t.Errorf("λ=%g: J(α*) = %.15g, Result.Value = %.15g", lam, j0, r.Value)
		}
		// The witness evaluates to Kα at the centres.
		f := matvec(alpha)
		fw := w.EvalBatch(nil, u)
		for k := range N {
			if math.Abs(f[k]-fw[k]) > 1e-9*(1+math.Abs(f[k])) {
				t.Fatalf("λ=%g: witness(u_%d) = %v, Kα = %v", lam, k, fw[k], f[k])
			}
		}
		// Functional gradient.
		res := make([]float64, N)
		for i := range n {
			res[i] = -1/float64(n) - lam*alpha[i]
		}
		for j := range m {
			res[n+j] = math.Exp(-f[n+j])/float64(m) - lam*alpha[n+j]
			// Stationarity in the weights: s_j = λ m α_{n+j} = exp(−f(y_j)).
			if s, e := lam*float64(m)*alpha[n+j], math.Exp(-f[n+j]); math.Abs(s-e) > 1e-6*e {
				t.Errorf("λ=%g: s_%d = %v, exp(−f(y_%d)) = %v", lam, j, s, j, e)
			}
		}
		gn := math.Sqrt(max(dot(res, matvec(res)), 0))
		if gn > DefaultTol {
			t.Errorf("λ=%g: independent ‖∇_f J‖_H = %.3g > %g (solver reported %.3g)", lam, gn, DefaultTol, r.GradNorm)
		}
		for range 20 {
			v := make([]float64, N)
			for k := range v {
				v[k] = alpha[k] + 1e-3*rng.NormFloat64()
			}
			if jv := J(v); jv > j0+1e-12 {
				t.Fatalf("λ=%g: perturbed J = %.15g > J(α*) = %.15g", lam, jv, j0)
			}
		}
		t.Logf("λ=%g: KALE=%.6f penalty=%.6f gap=%.2g iterations=%d GradNorm=%.2g (independent %.2g)",
			lam, r.Value, r.Penalty, r.Gap, r.Iterations, r.GradNorm, gn)
	}
}

// TestKALEIdenticalSamples: for the same empirical measure the optimum is
// f = 0 and KALE = 0 (to 1e-12), reached without a Newton step.
func TestKALEIdenticalSamples(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 2))
	x := gaussian(rng, 100, []float64{0, 0, 0}, 1)
	r := mustKALE(t, x, x, Options{})
	if math.Abs(r.Value) > 1e-12 || r.Iterations != 0 {
		t.Errorf("KALE(X, X) = %v after %d iterations, want 0 after 0", r.Value, r.Iterations)
	}
	if v := r.Witness.Eval([]float64{0.3, -0.2, 1}); math.Abs(v) > 1e-9 {
		t.Errorf("witness = %v, want 0", v)
	}
}

// TestKALESameDistribution: two independent samples of N(0, I₂), n = m = 512.
// Taking the dual point s = 1 gives the deterministic bound
// KALE_λ ≤ MMD²_b/(2λ), and E[MMD²_b] ≤ (1/n + 1/m) when P = Q, so the
// estimate is ≈ 0 up to sampling error of order 1/(λn) = 0.0195 at the
// default λ = 0.1: both are asserted. Observed: 0.002–0.006.
func TestKALESameDistribution(t *testing.T) {
	const n = 512
	for seed := range uint64(3) {
		rng := rand.New(rand.NewPCG(seed, 11))
		x := gaussian(rng, n, []float64{0, 0}, 1)
		y := gaussian(rng, n, []float64{0, 0}, 1)
		r := mustKALE(t, x, y, Options{})
		mmd, err := MMD2Biased(x, y, r.Bandwidth)
		if err != nil {
			t.Fatal(err)
		}
		bound := mmd / (2 * r.Lambda)
		if r.Value > bound+1e-12 || r.Value > 1/(r.Lambda*n) {
			t.Errorf("seed %d: KALE = %.5f, want ≤ MMD²_b/(2λ) = %.5f and < 1/(λn) = %.5f", seed, r.Value, bound, 1/(r.Lambda*n))
		}
		t.Logf("seed %d: KALE = %.5f, MMD²_b/(2λ) = %.5f, 1/(λn) = %.5f", seed, r.Value, bound, 1/(r.Lambda*n))
	}
}

// TestKALEMonotoneInMeanShift: P = N(0, I₂), Q = N(δe₁, I₂) for
// δ = 0, 0.5, 1, 2, with Q's samples z + δe₁ from one fixed z (common random
// numbers). KALE must increase strictly, and the witness must be lower on
// average on P's points than on Q's.
func TestKALEMonotoneInMeanShift(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	x := gaussian(rng, 512, []float64{0, 0}, 1)
	z := gaussian(rng, 512, []float64{0, 0}, 1)
	prev := -1.0
	for _, d := range []float64{0, 0.5, 1, 2} {
		y := shifted(z, d)
		r := mustKALE(t, x, y, Options{})
		t.Logf("δ = %.1f: KALE = %.4f (KL = %.3f)", d, r.Value, d*d/2)
		if r.Value <= prev {
			t.Errorf("δ = %.1f: KALE = %.4f not above the previous %.4f", d, r.Value, prev)
		}
		prev = r.Value
		if d > 0 {
			fx, fy := r.Witness.EvalBatch(nil, x), r.Witness.EvalBatch(nil, y)
			if mean(fx) >= mean(fy) {
				t.Errorf("δ = %.1f: witness mean %.3f on P, %.3f on Q: want lower on P", d, mean(fx), mean(fy))
			}
		}
	}
}

// TestKALEDisjointSupports: KL is infinite between measures with disjoint
// supports, KALE_λ is not: it is at most MMD²_b/(2λ) ≤ 1/λ. Cases: two
// parallel segments [−1,1]×{0} and [−1,1]×{1}; two concentric circles of
// radii 1 and 2 (256 points each). Observed: ≈ 2.4 and ≈ 0.53.
func TestKALEDisjointSupports(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	for _, c := range []struct {
		name string
		x, y Samples
	}{
		{"parallel segments", segment(rng, 256, 0), segment(rng, 256, 1)},
		{"concentric circles", circle(rng, 256, 1), circle(rng, 256, 2)},
	} {
		r := mustKALE(t, c.x, c.y, Options{})
		mmd, _ := MMD2Biased(c.x, c.y, r.Bandwidth)
		if math.IsInf(r.Value, 0) || r.Value <= 0.1 || r.Value > mmd/(2*r.Lambda)+1e-12 {
			t.Errorf("%s: KALE = %v, want finite, > 0.1 and ≤ MMD²_b/(2λ) = %v", c.name, r.Value, mmd/(2*r.Lambda))
		}
		t.Logf("%s: KALE = %.4f ≤ MMD²_b/(2λ) = %.4f (KL = +Inf)", c.name, r.Value, mmd/(2*r.Lambda))
	}
}

// TestKALEVanishesAlongConvergingSequence: Q_k = P shifted by 1/k along e₁,
// k = 1, 2, 4, …, 64, samples coupled (Q_k's points are P's plus the shift),
// so the only difference is the shift. KALE must decrease to 0; for a smooth
// witness it is quadratic in the shift, so each halving divides it by ≈ 4
// (asserted in [3, 5]) and the last value is below 1e-4.
func TestKALEVanishesAlongConvergingSequence(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	x := gaussian(rng, 256, []float64{0, 0}, 1)
	prev := math.Inf(1)
	var last float64
	for k := 1; k <= 64; k *= 2 {
		r := mustKALE(t, x, shifted(x, 1/float64(k)), Options{})
		ratio := prev / r.Value
		t.Logf("shift 1/%d: KALE = %.3g (ratio %.2f)", k, r.Value, ratio)
		if k > 1 && (ratio < 3 || ratio > 5) {
			t.Errorf("shift 1/%d: KALE fell by a factor %.2f, want ≈ 4", k, ratio)
		}
		prev, last = r.Value, r.Value
	}
	if last > 1e-4 {
		t.Errorf("KALE at shift 1/64 = %v, want < 1e-4", last)
	}
}

// TestKALEBelowGaussianKL compares KALE with closed-form KL between
// Gaussians at n = m = 256, 512, 1024 (one seed each). KALE_λ ≤ KL holds for
// the population quantities; the estimate carries an O(1/(λn)) positive
// bias and O(1/√n) noise, which the default λ = 0.1 keeps below the gap
// (in 54 seeded trials over d = 1, 2, 5 and these n it never crossed KL).
func TestKALEBelowGaussianKL(t *testing.T) {
	for _, n := range []int{256, 512, 1024} {
		rng := rand.New(rand.NewPCG(6, uint64(n)))
		x1 := gaussian(rng, n, []float64{0}, 1)
		y1 := gaussian(rng, n, []float64{1}, 1)
		w1 := gaussian(rng, n, []float64{0}, 2)
		x2 := gaussian(rng, n, []float64{0, 0}, 1)
		y2 := gaussian(rng, n, []float64{1, 0}, 1)
		for _, c := range []struct {
			name string
			x, y Samples
			kl   float64
		}{
			{"N(0,1)‖N(1,1)", x1, y1, klGauss1(0, 1, 1, 1)},
			{"N(0,I₂)‖N(e₁,I₂)", x2, y2, 0.5},
			{"N(0,1)‖N(0,4)", x1, w1, klGauss1(0, 1, 0, 2)},
			{"N(0,4)‖N(0,1)", w1, x1, klGauss1(0, 2, 0, 1)},
		} {
			r := mustKALE(t, c.x, c.y, Options{})
			t.Logf("n=%4d %-18s KALE = %.4f  KL = %.4f", n, c.name, r.Value, c.kl)
			if r.Value >= c.kl {
				t.Errorf("n=%d %s: KALE = %.4f ≥ KL = %.4f", n, c.name, r.Value, c.kl)
			}
		}
	}
}

// TestKALEAsymmetric: KALE(P‖Q) ≠ KALE(Q‖P) for P = N(0,1), Q = N(0,4)
// (same 1024 + 1024 samples, roles swapped). Closed forms:
// KL(P‖Q) = log 2 − 3/8 ≈ 0.318, KL(Q‖P) = 3/2 − log 2 ≈ 0.807. Asserted:
// each below its KL and the two differ by more than 0.01 (observed ≈ 0.03
// over 6 seeds, with the wide Q → narrow P direction the larger, as for KL).
func TestKALEAsymmetric(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	p := gaussian(rng, 1024, []float64{0}, 1)
	q := gaussian(rng, 1024, []float64{0}, 2)
	pq := mustKALE(t, p, q, Options{})
	qp := mustKALE(t, q, p, Options{})
	klPQ, klQP := klGauss1(0, 1, 0, 2), klGauss1(0, 2, 0, 1)
	t.Logf("KALE(N(0,1)‖N(0,4)) = %.4f (KL %.4f); KALE(N(0,4)‖N(0,1)) = %.4f (KL %.4f)", pq.Value, klPQ, qp.Value, klQP)
	if pq.Value >= klPQ || qp.Value >= klQP {
		t.Errorf("a direction is not below its KL")
	}
	if qp.Value-pq.Value < 0.01 {
		t.Errorf("KALE(Q‖P) − KALE(P‖Q) = %.4f, want > 0.01", qp.Value-pq.Value)
	}
}

// TestKALEOptions: an explicit bandwidth is used as given, and MaxIter
// stops the solver without an error, reporting Converged = false.
func TestKALEOptions(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 8))
	x := gaussian(rng, 64, []float64{0, 0}, 1)
	y := gaussian(rng, 64, []float64{2, 0}, 1)
	r := mustKALE(t, x, y, Options{Bandwidth: 0.7, Lambda: 0.05})
	if r.Bandwidth != 0.7 || r.Lambda != 0.05 {
		t.Errorf("Bandwidth, Lambda = %v, %v; want 0.7, 0.05", r.Bandwidth, r.Lambda)
	}
	r, err := KALE(x, y, Options{MaxIter: 1})
	if err != nil || r.Converged || r.Iterations != 1 {
		t.Errorf("MaxIter 1: converged=%v iterations=%d err=%v", r.Converged, r.Iterations, err)
	}
}
