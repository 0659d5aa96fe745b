package kale

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"
)

// subsetRows returns the rows of s at the given indices, in that order.
func subsetRows(s Samples, idx []int) Samples {
	out := Samples{Cols: s.Cols}
	for _, i := range idx {
		out.Data = append(out.Data, s.Row(i)...)
		out.Rows++
	}
	return out
}

// TestWeightedKALEEqualWeights: equal weights are KALE itself, bit for bit
// (m = 64, so every mass c_j = m·(w/Σw) is exactly 1).
func TestWeightedKALEEqualWeights(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 1))
	x := gaussian(rng, 50, []float64{0, 0}, 1)
	y := gaussian(rng, 64, []float64{0.7, -0.2}, 1.3)
	w := make([]float64, y.Rows)
	for j := range w {
		w[j] = 3
	}
	want := mustKALE(t, x, y, Options{})
	got, err := WeightedKALE(x, y, w, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got.Value != want.Value || got.Gap != want.Gap || got.Iterations != want.Iterations || got.GradNorm != want.GradNorm {
		t.Errorf("equal weights: value %v gap %v after %d iterations, KALE %v gap %v after %d",
			got.Value, got.Gap, got.Iterations, want.Value, want.Gap, want.Iterations)
	}
}

// TestWeightedKALERepeats: integer weights w_j are the same empirical measure
// as y_j repeated w_j times (weight 0: left out), so both solves must agree.
// The repeated points make K_YY singular, which the dual handles without
// jitter. Tolerance 1e-9: the two Newton paths differ in rounding only.
func TestWeightedKALERepeats(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 2))
	x := gaussian(rng, 40, []float64{0, 0}, 1)
	y := gaussian(rng, 30, []float64{1, 0.5}, 0.8)
	w := make([]float64, y.Rows)
	var idx []int
	for j := range w {
		w[j] = float64(rng.IntN(4)) // 0..3
		for range int(w[j]) {
			idx = append(idx, j)
		}
	}
	sigma := MedianBandwidth(x, y)
	for _, lam := range []float64{1, 0.1, 0.01} {
		o := Options{Lambda: lam, Bandwidth: sigma}
		want := mustKALE(t, x, subsetRows(y, idx), o)
		got, err := WeightedKALE(x, y, w, o)
		if err != nil {
			t.Fatal(err)
		}
		if !got.Converged || got.Gap > 1e-10 {
			t.Fatalf("λ=%g: weighted solve converged=%v gap=%v", lam, got.Converged, got.Gap)
		}
		if math.Abs(got.Value-want.Value) > 1e-9*(1+math.Abs(want.Value)) {
			t.Errorf("λ=%g: weighted KALE %.12g, repeated points %.12g", lam, got.Value, want.Value)
		}
		// The witnesses agree wherever they are evaluated.
		for _, p := range [][]float64{{0, 0}, {1, 0.5}, {-1.5, 2}} {
			if a, b := got.Witness.Eval(p), want.Witness.Eval(p); math.Abs(a-b) > 1e-7*(1+math.Abs(b)) {
				t.Errorf("λ=%g: witness at %v: weighted %.10g, repeated %.10g", lam, p, a, b)
			}
		}
	}
}

// TestWeightedKALEMovesTowardsData: weights that move Q's mass towards P
// lower the KALE; weights that move it away raise it.
func TestWeightedKALEMovesTowardsData(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 3))
	x := gaussian(rng, 200, []float64{0}, 1)
	y := gaussian(rng, 200, []float64{0}, 2) // wider than P
	towards, away := make([]float64, y.Rows), make([]float64, y.Rows)
	for j := range y.Rows {
		v := y.Row(j)[0]
		// exp(−v²/2)/exp(−v²/8) ∝ the density ratio N(0,1)/N(0,4).
		towards[j] = math.Exp(-3 * v * v / 8)
		away[j] = 1 / towards[j]
	}
	o := Options{Bandwidth: 1}
	base := mustKALE(t, x, y, o).Value
	for _, c := range []struct {
		name string
		w    []float64
		less bool
	}{{"density ratio", towards, true}, {"its inverse", away, false}} {
		r, err := WeightedKALE(x, y, c.w, o)
		if err != nil {
			t.Fatal(err)
		}
		if (r.Value < base) != c.less {
			t.Errorf("weights %s: KALE %v, unweighted %v", c.name, r.Value, base)
		}
	}
}

// TestWeightedBadWeights: wrong length, negative, NaN, infinite and all-zero
// weights are refused with ErrShape or ErrOption, by both estimators.
func TestWeightedBadWeights(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 4))
	x := gaussian(rng, 10, []float64{0, 0}, 1)
	y := gaussian(rng, 5, []float64{0, 0}, 1)
	for _, c := range []struct {
		w    []float64
		want error
	}{
		{[]float64{1, 1, 1}, ErrShape},
		{[]float64{1, 1, -1, 1, 1}, ErrOption},
		{[]float64{1, math.NaN(), 1, 1, 1}, ErrOption},
		{[]float64{1, math.Inf(1), 1, 1, 1}, ErrOption},
		{[]float64{0, 0, 0, 0, 0}, ErrOption},
		{[]float64{math.MaxFloat64, math.MaxFloat64, 1, 1, 1}, ErrOption}, // the sum overflows
	} {
		if _, err := WeightedKALE(x, y, c.w, Options{}); !errors.Is(err, c.want) {
			t.Errorf("WeightedKALE weights %v: error %v, want %v", c.w, err, c.want)
		}
		if _, err := WeightedMMD2(x, y, c.w, 0); !errors.Is(err, c.want) {
			t.Errorf("WeightedMMD2 weights %v: error %v, want %v", c.w, err, c.want)
		}
	}
	if _, err := WeightedMMD2(x, y, []float64{0, 0, 5, 0, 0}, 0); !errors.Is(err, ErrOption) {
		t.Errorf("WeightedMMD2 with all the mass on one point: error %v, want ErrOption", err)
	}
}

// TestWeightedMMD2: equal weights give MMD2Unbiased, and equal weights on a
// subset (0 elsewhere) give MMD2Unbiased on that subset, to 1e-12.
func TestWeightedMMD2(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 5))
	x := gaussian(rng, 60, []float64{0, 0}, 1)
	y := gaussian(rng, 45, []float64{0.5, 0}, 1.2)
	const sigma = 1.3
	w := make([]float64, y.Rows)
	for j := range w {
		w[j] = 0.25
	}
	want, err := MMD2Unbiased(x, y, sigma)
	if err != nil {
		t.Fatal(err)
	}
	got, err := WeightedMMD2(x, y, w, sigma)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(got-want) > 1e-12 {
		t.Errorf("equal weights: %.15g, MMD2Unbiased %.15g", got, want)
	}
	var idx []int
	for j := range w {
		w[j] = 0
		if j%3 == 1 {
			w[j], idx = 7, append(idx, j)
		}
	}
	want, err = MMD2Unbiased(x, subsetRows(y, idx), sigma)
	if err != nil {
		t.Fatal(err)
	}
	if got, err = WeightedMMD2(x, y, w, sigma); err != nil {
		t.Fatal(err)
	}
	if math.Abs(got-want) > 1e-12 {
		t.Errorf("weights on a subset: %.15g, MMD2Unbiased on it %.15g", got, want)
	}
}

// TestWeightedKALEExtremeWeights: weights spread over 13 orders of magnitude
// (exp(−30u), u uniform: the importance weights of a sharp energy) still give
// a converged, certified solve: the Newton matrix diag(c/s) + (ccᵀ ∘ K)/(λm)
// stays positive definite however small the masses c_j.
func TestWeightedKALEExtremeWeights(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 3))
	x := gaussian(rng, 300, []float64{0, 0}, 1)
	y := gaussian(rng, 300, []float64{0.5, 0}, 1.5)
	w := make([]float64, y.Rows)
	for j := range w {
		w[j] = math.Exp(-30 * rng.Float64())
	}
	r, err := WeightedKALE(x, y, w, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !r.Converged || r.Gap > 1e-10 || r.Value < -1e-12 || math.IsNaN(r.Value) {
		t.Errorf("converged=%v gap=%v value=%v after %d iterations", r.Converged, r.Gap, r.Value, r.Iterations)
	}
}
