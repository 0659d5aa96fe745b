package kale

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"
)

// neuralTestOpts keeps the neural tests short: 400 full-batch Adam steps of
// a 32-32 MLP with the default gradient penalty (weight 1) on 256 + 256
// points; exploratory runs with 2000 steps moved the estimates by < 0.04.
var neuralTestOpts = NeuralOptions{Steps: 400, Seed: 1}

// mustNeural runs KALENeural and fails the test on an error or a non-finite
// value; it also checks that the returned witness reproduces Value through
// Objective (to 1e-5: float32 network, float64 sums).
func mustNeural(t *testing.T, x, y Samples, o NeuralOptions) NeuralResult {
	t.Helper()
	r, err := KALENeural(x, y, o)
	if err != nil {
		t.Fatal(err)
	}
	if math.IsNaN(r.Value) || math.IsInf(r.Value, 0) || r.DV < r.Value-1e-6 {
		t.Fatalf("value %v, DV %v: want finite, DV ≥ value", r.Value, r.DV)
	}
	obj, err := Objective(r.Witness, x, y)
	if err != nil || math.Abs(obj-r.Value) > 1e-5 {
		t.Fatalf("Objective(witness) = %v (%v), Value = %v", obj, err, r.Value)
	}
	return r
}

// TestKALENeuralGaussianShift: P = N(0, I₂), Q = N(δe₁, I₂), δ = 0, 1, 2, 256
// points each, Q's points a common z plus the shift. Asserted, with the
// values observed (seed 1, 400 steps):
//   - δ = 0: −0.01 ≤ value ≤ 0.1 (observed 0.022; RKHS KALE 0.012);
//   - strictly increasing in δ (0.022, 0.365, 1.26);
//   - below the closed-form KL δ²/2 by a margin of 10% of it: value ≤
//     0.9·KL (0.365 vs 0.5, 1.26 vs 2: the penalty keeps f Lipschitz-like,
//     below the optimal −log dP/dQ whose gradient norm is δ);
//   - the same order of magnitude as the RKHS KALE at the default λ, σ:
//     ratio in [1/3, 3] for δ > 0 (observed 0.365 vs 0.33, 1.26 vs 1.01).
//
// Six other data and network seeds gave 0.020–0.037 at δ = 0, 0.21–0.41
// (≤ 0.82·KL) at δ = 1 and 0.97–1.46 at δ = 2.
func TestKALENeuralGaussianShift(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 1))
	x := gaussian(rng, 256, []float64{0, 0}, 1)
	z := gaussian(rng, 256, []float64{0, 0}, 1)
	prev := math.Inf(-1)
	for _, d := range []float64{0, 1, 2} {
		y := shifted(z, d)
		r := mustNeural(t, x, y, neuralTestOpts)
		rk := mustKALE(t, x, y, Options{})
		kl := d * d / 2
		t.Logf("δ = %.0f: neural KALE = %.4f (DV %.4f, A %.3f, %d steps, rel. change %.2g, converged %v), RKHS KALE = %.4f, KL = %.3f",
			d, r.Value, r.DV, r.A, r.Iterations, r.RelChange, r.Converged, rk.Value, kl)
		if r.Value <= prev {
			t.Errorf("δ = %.0f: %.4f not above the previous %.4f", d, r.Value, prev)
		}
		prev = r.Value
		if d == 0 {
			if r.Value < -0.01 || r.Value > 0.1 {
				t.Errorf("P = Q: neural KALE = %.4f, want in [−0.01, 0.1]", r.Value)
			}
			continue
		}
		if r.Value > 0.9*kl {
			t.Errorf("δ = %.0f: neural KALE = %.4f above 0.9·KL = %.4f", d, r.Value, 0.9*kl)
		}
		if ratio := r.Value / rk.Value; ratio < 1.0/3 || ratio > 3 {
			t.Errorf("δ = %.0f: neural/RKHS = %.3f, want within a factor 3", d, ratio)
		}
		fx, fy := r.Witness.EvalBatch(nil, x), r.Witness.EvalBatch(nil, y)
		if mean(fx) >= mean(fy) {
			t.Errorf("δ = %.0f: witness mean %.3f on P, %.3f on Q: want lower on P", d, mean(fx), mean(fy))
		}
	}
}

// TestKALENeuralVariances: P = N(0,1), Q = N(0,4) and the reverse, 256
// points each: both directions below their closed-form KL (0.318 and 0.807)
// by 10% of it, and asymmetric like KL (observed 0.25 and 0.46; over six
// other seeds 0.155–0.243 (≤ 0.77·KL) and 0.28–0.46).
func TestKALENeuralVariances(t *testing.T) {
	rng := rand.New(rand.NewPCG(22, 1))
	p := gaussian(rng, 256, []float64{0}, 1)
	q := gaussian(rng, 256, []float64{0}, 2)
	pq := mustNeural(t, p, q, neuralTestOpts)
	qp := mustNeural(t, q, p, neuralTestOpts)
	klPQ, klQP := klGauss1(0, 1, 0, 2), klGauss1(0, 2, 0, 1)
	t.Logf("neural KALE(N(0,1)‖N(0,4)) = %.4f (KL %.4f); KALE(N(0,4)‖N(0,1)) = %.4f (KL %.4f)", pq.Value, klPQ, qp.Value, klQP)
	if pq.Value > 0.9*klPQ || qp.Value > 0.9*klQP {
		t.Errorf("a direction is above 0.9·KL")
	}
	if pq.Value <= 0 || qp.Value-pq.Value < 0.01 {
		t.Errorf("want 0 < KALE(P‖Q) and KALE(Q‖P) − KALE(P‖Q) > 0.01")
	}
}

// TestKALENeuralDisjointSupports: two parallel segments at distance 1 and
// two concentric circles of radii 1 and 2 (256 points each), where KL is
// infinite: the estimate is finite and clearly positive (> 0.1; observed
// ≈ 0.50 and ≈ 0.55, against RKHS KALE 2.4 and 0.53).
func TestKALENeuralDisjointSupports(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	for _, c := range []struct {
		name string
		x, y Samples
	}{
		{"parallel segments", segment(rng, 256, 0), segment(rng, 256, 1)},
		{"concentric circles", circle(rng, 256, 1), circle(rng, 256, 2)},
	} {
		r := mustNeural(t, c.x, c.y, neuralTestOpts)
		t.Logf("%s: neural KALE = %.4f (KL = +Inf)", c.name, r.Value)
		if r.Value <= 0.1 || r.Value > 10 {
			t.Errorf("%s: neural KALE = %v, want finite in (0.1, 10]", c.name, r.Value)
		}
	}
}

// TestKALENeuralOptions: determinism for a seed, a different seed giving a
// different (but close) value, minibatches, early stopping, and invalid
// options and inputs reported with the package's errors.
func TestKALENeuralOptions(t *testing.T) {
	rng := rand.New(rand.NewPCG(23, 1))
	x := gaussian(rng, 128, []float64{0, 0}, 1)
	y := gaussian(rng, 96, []float64{1, 0}, 1)
	o := NeuralOptions{Hidden: []int{16}, Steps: 200, Seed: 5}
	a, b := mustNeural(t, x, y, o), mustNeural(t, x, y, o)
	if a.Value != b.Value || a.A != b.A || a.Iterations != 200 {
		t.Errorf("same seed: %v, %v (A %v, %v), %d steps", a.Value, b.Value, a.A, b.A, a.Iterations)
	}
	o.Seed = 6
	c := mustNeural(t, x, y, o)
	t.Logf("seed 5: %.4f, seed 6: %.4f", a.Value, c.Value)
	if c.Value == a.Value || math.Abs(c.Value-a.Value) > 0.1 {
		t.Errorf("seeds 5 and 6: %v and %v, want different and within 0.1", a.Value, c.Value)
	}

	mb := mustNeural(t, x, y, NeuralOptions{Hidden: []int{16}, Steps: 300, Batch: 32, Seed: 5})
	t.Logf("minibatch 32: %.4f (rel. change %.2g)", mb.Value, mb.RelChange)
	if math.Abs(mb.Value-a.Value) > 0.15 {
		t.Errorf("minibatch value %v far from full-batch %v", mb.Value, a.Value)
	}

	es := mustNeural(t, x, y, NeuralOptions{Hidden: []int{16}, Steps: 2000, Window: 50, Tol: 0.05, EarlyStop: true, Seed: 5})
	t.Logf("early stop: %d steps, rel. change %.3g, value %.4f", es.Iterations, es.RelChange, es.Value)
	if !es.Converged || es.RelChange > 0.05 || es.Iterations >= 2000 || es.Iterations < 100 {
		t.Errorf("early stop: converged %v, rel. change %v, %d steps", es.Converged, es.RelChange, es.Iterations)
	}
	short := mustNeural(t, x, y, NeuralOptions{Hidden: []int{4}, Steps: 5, Window: 10})
	if short.Converged || !math.IsInf(short.RelChange, 1) {
		t.Errorf("5 steps, window 10: converged %v, rel. change %v", short.Converged, short.RelChange)
	}

	for _, c := range []struct {
		name string
		o    NeuralOptions
		x, y Samples
		want error
	}{
		{"negative GP", NeuralOptions{GP: -1}, x, y, ErrOption},
		{"NaN LR", NeuralOptions{LR: math.NaN()}, x, y, ErrOption},
		{"zero width", NeuralOptions{Hidden: []int{8, 0}}, x, y, ErrOption},
		{"negative steps", NeuralOptions{Steps: -1}, x, y, ErrOption},
		{"negative batch", NeuralOptions{Batch: -2}, x, y, ErrOption},
		{"empty Y", NeuralOptions{}, x, Samples{Cols: 2}, ErrEmpty},
		{"dimensions", NeuralOptions{}, x, Samples{Data: make([]float64, 3), Rows: 1, Cols: 3}, ErrDimMismatch},
		{"NaN point", NeuralOptions{}, x, Samples{Data: []float64{0, math.NaN()}, Rows: 1, Cols: 2}, ErrNonFinite},
	} {
		if _, err := KALENeural(c.x, c.y, c.o); !errors.Is(err, c.want) {
			t.Errorf("%s: error %v, want %v", c.name, err, c.want)
		}
	}
}
