package kale

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestKLLowerBound: P = N(0,1), Q = N(1,1) in 1-D, KL = 0.5, n = m = 512.
// On the fitting samples DV(f*) ≥ Objective(f*) = Value + Penalty ≥ Value
// must hold exactly (up to 1e-12). On independent samples (the honest
// bound, 2048 + 2048 fresh points) DV(f*) must be below KL = 0.5.
// Observed: Value 0.285, Objective 0.381, DV on the fitting samples 0.381,
// held out 0.378.
func TestKLLowerBound(t *testing.T) {
	rng := rand.New(rand.NewPCG(12, 12))
	x := gaussian(rng, 512, []float64{0}, 1)
	y := gaussian(rng, 512, []float64{1}, 1)
	dv, r, err := KLLowerBound(x, y, Options{})
	if err != nil {
		t.Fatal(err)
	}
	obj, _ := Objective(r.Witness, x, y)
	if math.Abs(obj-(r.Value+r.Penalty)) > 1e-12 {
		t.Errorf("Objective = %.15g, Value + Penalty = %.15g", obj, r.Value+r.Penalty)
	}
	if dv < obj-1e-12 || obj < r.Value-1e-12 {
		t.Errorf("want DV %.5f ≥ Objective %.5f ≥ Value %.5f", dv, obj, r.Value)
	}
	xt := gaussian(rng, 2048, []float64{0}, 1)
	yt := gaussian(rng, 2048, []float64{1}, 1)
	held, err := DonskerVaradhan(r.Witness, xt, yt)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("KALE %.4f, Objective %.4f, DV (fit samples) %.4f, DV (held out) %.4f, KL 0.5", r.Value, obj, dv, held)
	if held >= 0.5 || held <= 0 {
		t.Errorf("held-out DV = %.4f, want in (0, 0.5)", held)
	}
}

// shiftedWitness is f + c for a witness f.
type shiftedWitness struct {
	Witness
	c float64
}

func (w shiftedWitness) Eval(x []float64) float64 { return w.Witness.Eval(x) + w.c }
func (w shiftedWitness) EvalBatch(dst []float64, x Samples) []float64 {
	dst = w.Witness.EvalBatch(dst, x)
	for i := range dst {
		dst[i] += w.c
	}
	return dst
}

// TestDonskerVaradhanShiftInvariant: DV(f + c) = DV(f) for every constant c
// (to 1e-9, c up to ±800 where exp(−f) alone would overflow or
// underflow), and the KALE objective of f + c is maximised over c exactly
// at c = log mean exp(−f(y)), where it equals DV(f).
func TestDonskerVaradhanShiftInvariant(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 13))
	x := gaussian(rng, 100, []float64{0, 0}, 1)
	y := gaussian(rng, 100, []float64{1, 1}, 1)
	r := mustKALE(t, x, y, Options{})
	base, _ := DonskerVaradhan(r.Witness, x, y)
	for _, c := range []float64{-800, -3, 0.5, 800} {
		v, _ := DonskerVaradhan(shiftedWitness{r.Witness, c}, x, y)
		if math.Abs(v-base) > 1e-9 {
			t.Errorf("c = %v: DV = %.12g, want %.12g", c, v, base)
		}
	}
	cStar := logMeanExpNeg(r.Witness.EvalBatch(nil, y))
	obj, _ := Objective(shiftedWitness{r.Witness, cStar}, x, y)
	if math.Abs(obj-base) > 1e-12 {
		t.Errorf("Objective(f + c*) = %.15g, DV(f) = %.15g", obj, base)
	}
	for _, dc := range []float64{-0.1, 0.1} {
		if o, _ := Objective(shiftedWitness{r.Witness, cStar + dc}, x, y); o >= obj {
			t.Errorf("Objective(f + c* %+v) = %v ≥ Objective(f + c*) = %v", dc, o, obj)
		}
	}
}
