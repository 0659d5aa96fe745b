package sample

import (
	"math"
	"math/rand/v2"
	"testing"
)

// ULA and KLA have no accept step: their stationary law is the target's only as h → 0.
// On a Gaussian target the discretised dynamics are linear, so their stationary
// covariance is computable exactly; these tests check the samplers against that exact
// biased value (within 4 standard errors, as in gaussian_test.go) and that the bias
// shrinks with the step size.

// diagTarget has precisions λ = 1 and 4 (variances 1 and 0.25), mean 0.
var diagTarget = newGaussian([]float64{0, 0}, [][]float64{{1, 0}, {0, 0.25}})

// varianceEstimates runs the chains and returns, per coordinate, the mean over chains of
// the time average of z_a² and its standard error.
func varianceEstimates(t *testing.T, cfg Config, seed uint64, n, burn int) (mean, se []float64) {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 3))
	ch, err := NewChains(diagTarget, diagTarget.draw(rng, n), n)
	if err != nil {
		t.Fatal(err)
	}
	return chainMeans(t, ch, cfg, rng, burn, 2, func(z []float32, out []float64) {
		out[0] = float64(z[0]) * float64(z[0])
		out[1] = float64(z[1]) * float64(z[1])
	})
}

// TestULAStationaryVariance: ULA on U = λz²/2 is the AR(1) recursion
// z' = (1 − hλ)z + √(2h)ξ, whose stationary variance is 2h/(1 − (1 − hλ)²) =
// 1/(λ(1 − hλ/2)): above the true 1/λ by a factor 1/(1 − hλ/2).
func TestULAStationaryVariance(t *testing.T) {
	lambda := []float64{1, 4}
	var bias [2]float64
	for k, h := range []float64{0.2, 0.05} {
		mean, se := varianceEstimates(t, Config{Method: ULA, StepSize: h, Steps: 400}, uint64(k), 500, 100)
		for a, l := range lambda {
			exact := 1 / (l * (1 - h*l/2))
			truth := 1 / l
			if math.Abs(mean[a]-exact) > 4*se[a] {
				t.Errorf("h=%g: Var z%d = %.4f ± %.4f, want the discretisation's %.4f", h, a, mean[a], se[a], exact)
			}
			if k == 0 && a == 1 && math.Abs(mean[a]-truth) < 4*se[a] {
				t.Errorf("h=%g: Var z%d = %.4f ± %.4f cannot be told from the true %.4f: the test has no power", h, a, mean[a], se[a], truth)
			}
			t.Logf("h=%g: Var z%d = %.4f ± %.4f (discretised %.4f, true %.4f)", h, a, mean[a], se[a], exact, truth)
		}
		bias[k] = mean[1]*lambda[1] - 1 // relative bias of the stiff coordinate
	}
	if !(math.Abs(bias[1]) < math.Abs(bias[0])/2) {
		t.Errorf("relative variance bias %.4f at h=0.05 is not well below %.4f at h=0.2", bias[1], bias[0])
	}
}

// klaStationaryCov returns the exact stationary covariance of (z, v) under KLA on
// U = λz²/2, by iterating the covariance recursion S ← MSMᵀ + Q of the linear step to its
// fixed point. With A = [[1, h/2], [0, 1]] (half position step) and
// B = [[1, 0], [−hλ/2, 1]] (half momentum step), one step is
// x' = A B O B A x + A B (0, Dξ)ᵀ, O = diag(1, C).
func klaStationaryCov(lambda, h, kappa float64) [2][2]float64 {
	type m2 = [2][2]float64
	mul := func(a, b m2) m2 {
		var c m2
		for i := 0; i < 2; i++ {
			for j := 0; j < 2; j++ {
				c[i][j] = a[i][0]*b[0][j] + a[i][1]*b[1][j]
			}
		}
		return c
	}
	tr := func(a m2) m2 { return m2{{a[0][0], a[1][0]}, {a[0][1], a[1][1]}} }
	C := math.Exp(-kappa * h)
	A := m2{{1, h / 2}, {0, 1}}
	B := m2{{1, 0}, {-h * lambda / 2, 1}}
	O := m2{{1, 0}, {0, C}}
	AB := mul(A, B)
	M := mul(mul(AB, O), mul(B, A))
	Q := mul(mul(AB, m2{{0, 0}, {0, 1 - C*C}}), tr(AB))
	S := m2{{1 / lambda, 0}, {0, 1}}
	for it := 0; it < 100000; it++ {
		next := mul(mul(M, S), tr(M))
		for i := range next {
			for j := range next[i] {
				next[i][j] += Q[i][j]
			}
		}
		done := math.Abs(next[0][0]-S[0][0]) < 1e-15 && math.Abs(next[1][1]-S[1][1]) < 1e-15
		S = next
		if done {
			break
		}
	}
	return S
}

// TestKLAStationaryVariance checks KLA on a Gaussian against the exact stationary
// covariance of its discretisation, at two step sizes (friction 1). For this splitting
// (position half steps outside) the position marginal of a Gaussian target is exact at
// every stable h, Var z = 1/λ, while the momentum's is not, Var v = 1/(1 − h²λ/4): the
// test checks both (a wrong order of the sub-steps breaks the first), and that the
// momentum bias shrinks with h.
func TestKLAStationaryVariance(t *testing.T) {
	lambda := []float64{1, 4}
	const kappa, n, burn, steps = 1.0, 500, 200, 1000
	var bias [2]float64
	for k, h := range []float64{0.6, 0.2} {
		rng := rand.New(rand.NewPCG(uint64(10+k), 3))
		ch, err := NewChains(diagTarget, diagTarget.draw(rng, n), n)
		if err != nil {
			t.Fatal(err)
		}
		cfg := Config{Method: KLA, StepSize: h, Friction: kappa}
		for range burn {
			ch.Step(cfg, rng)
		}
		// Per chain, the time averages of z_a² and v_a², a = 0, 1.
		avg := make([]float64, 4*n)
		for range steps {
			ch.Step(cfg, rng)
			for k, z := range ch.Z() {
				v := ch.Momentum()[k]
				avg[4*(k/2)+k%2] += float64(z) * float64(z) / steps
				avg[4*(k/2)+2+k%2] += float64(v) * float64(v) / steps
			}
		}
		for a, l := range lambda {
			exact := klaStationaryCov(l, h, kappa)
			for j, want := range []float64{exact[0][0], exact[1][1]} {
				var s, s2 float64
				for i := 0; i < n; i++ {
					x := avg[4*i+2*j+a]
					s += x
					s2 += x * x
				}
				mean := s / n
				se := math.Sqrt((s2/n - mean*mean) / (n - 1))
				name := [2]string{"z", "v"}[j]
				if math.Abs(mean-want) > 4*se {
					t.Errorf("h=%g: Var %s%d = %.4f ± %.4f, want the discretisation's %.4f", h, name, a, mean, se, want)
				}
				t.Logf("h=%g: Var %s%d = %.4f ± %.4f (discretised %.4f)", h, name, a, mean, se, want)
				if j == 1 && a == 1 {
					bias[k] = mean - 1
					if k == 0 && math.Abs(mean-1) < 4*se {
						t.Errorf("h=%g: Var v1 = %.4f ± %.4f cannot be told from 1: the test has no power", h, mean, se)
					}
				}
			}
		}
	}
	if !(math.Abs(bias[1]) < math.Abs(bias[0])/2) {
		t.Errorf("momentum variance bias %.4f at h=0.2 is not well below %.4f at h=0.6", bias[1], bias[0])
	}
}

// TestKLABiasShrinks: on the non-Gaussian U = z⁴/4, where KLA's position marginal is
// biased, E z² = 2Γ(3/4)/Γ(1/4) ≈ 0.676; the bias must be detectable at h = 0.3 (more
// than 4 standard errors) and, being O(h²), much smaller at h = 0.1: the test asks for
// the small-h bias plus 2 standard errors to stay below the large-h bias minus 2.
func TestKLABiasShrinks(t *testing.T) {
	quartic := Pointwise{D: 1, F: func(z, g []float32) float64 {
		x := float64(z[0])
		g[0] = float32(x * x * x)
		return x * x * x * x / 4
	}}
	truth := 2 * math.Gamma(0.75) / math.Gamma(0.25)
	var bias, se [2]float64
	for k, h := range []float64{0.3, 0.1} {
		rng := rand.New(rand.NewPCG(uint64(20+k), 3))
		ch, err := NewChains(quartic, randomStarts(rng, 1000, 1, 0.8), 1000)
		if err != nil {
			t.Fatal(err)
		}
		m, s := chainMeans(t, ch, Config{Method: KLA, StepSize: h, Friction: 1, Steps: int(200 / h)}, rng, int(30/h), 1,
			func(z []float32, out []float64) { out[0] = float64(z[0]) * float64(z[0]) })
		bias[k], se[k] = m[0]-truth, s[0]
		t.Logf("h=%g: E z² = %.4f ± %.4f (true %.4f)", h, m[0], s[0], truth)
	}
	if math.Abs(bias[0]) < 4*se[0] {
		t.Errorf("h=0.3: bias %.4f ± %.4f not detectable: the test has no power", bias[0], se[0])
	}
	if !(math.Abs(bias[1])+2*se[1] < math.Abs(bias[0])-2*se[0]) {
		t.Errorf("bias %.4f ± %.4f at h=0.1 is not clearly below %.4f ± %.4f at h=0.3", bias[1], se[1], bias[0], se[0])
	}
}
