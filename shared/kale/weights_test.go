package kale

import (
	"math"
	"testing"
)

// TestImportanceWeights: weights are the softmax of -e, Â equals OptimalA,
// the ESS is n for equal energies and near 1 when one sample dominates, and
// a huge energy spread neither overflows nor loses the dominant weight.
func TestImportanceWeights(t *testing.T) {
	e := []float32{0.5, -1, 2, 0}
	w := make([]float64, len(e))
	aHat, ess := ImportanceWeights(e, w)
	var z, sq float64
	for _, v := range e {
		z += math.Exp(-float64(v))
	}
	for i, v := range e {
		want := math.Exp(-float64(v)) / z
		if math.Abs(w[i]-want) > 1e-15 {
			t.Fatalf("w[%d] = %v, want %v", i, w[i], want)
		}
		sq += want * want
	}
	if math.Abs(aHat-OptimalA(e)) > 1e-12 || math.Abs(aHat-math.Log(z/4)) > 1e-12 {
		t.Fatalf("Â = %v, OptimalA %v, log mean exp %v", aHat, OptimalA(e), math.Log(z/4))
	}
	if math.Abs(ess-1/sq) > 1e-12 {
		t.Fatalf("ESS %v, want %v", ess, 1/sq)
	}
	if _, ess := ImportanceWeights([]float32{3, 3, 3}, make([]float64, 3)); math.Abs(ess-3) > 1e-12 {
		t.Fatalf("equal energies: ESS %v, want 3", ess)
	}
	w = make([]float64, 2)
	aHat, ess = ImportanceWeights([]float32{-1000, 1000}, w)
	if w[0] != 1 || w[1] != 0 || math.Abs(ess-1) > 1e-12 || math.Abs(aHat-(1000-math.Log(2))) > 1e-9 {
		t.Fatalf("spread energies: w %v, ESS %v, Â %v", w, ess, aHat)
	}
}

// TestTiltedWeights: γ = 1 gives ImportanceWeights's weights bit for bit,
// γ = 0 equal weights, and γ = 0.5 the softmax of -γe (computed here in
// float64 from the float32 products).
func TestTiltedWeights(t *testing.T) {
	e := []float32{0.5, -1, 2, 0, 0.3}
	n := len(e)
	et, w, ref := make([]float32, n), make([]float64, n), make([]float64, n)
	ImportanceWeights(e, ref)
	TiltedWeights(e, 1, et, w)
	for i := range w {
		if w[i] != ref[i] {
			t.Fatalf("γ = 1: w[%d] = %v, ImportanceWeights %v", i, w[i], ref[i])
		}
	}
	TiltedWeights(e, 0, et, w)
	for i := range w {
		if math.Abs(w[i]-1/float64(n)) > 1e-15 {
			t.Fatalf("γ = 0: w[%d] = %v, want 1/%d", i, w[i], n)
		}
	}
	TiltedWeights(e, 0.5, et, w)
	var z float64
	for _, v := range e {
		z += math.Exp(-float64(float32(0.5) * v))
	}
	for i, v := range e {
		if want := math.Exp(-float64(float32(0.5)*v)) / z; math.Abs(w[i]-want) > 1e-15 {
			t.Fatalf("γ = 0.5: w[%d] = %v, want %v", i, w[i], want)
		}
		if et[i] != 0.5*v {
			t.Fatalf("γ = 0.5: et[%d] = %v, want %v", i, et[i], 0.5*v)
		}
	}
}
