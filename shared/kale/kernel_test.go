package kale

import (
	"math"
	"testing"
)

// TestGaussianKernel: k(a,b) = exp(−‖a−b‖²/(2σ²)) on a hand example:
// ‖(0,0)−(3,4)‖² = 25, σ = 5 gives exp(−1/2).
func TestGaussianKernel(t *testing.T) {
	if k := GaussianKernel([]float64{0, 0}, []float64{3, 4}, 5); math.Abs(k-math.Exp(-0.5)) > 1e-15 {
		t.Errorf("k = %v, want exp(−1/2)", k)
	}
}

// TestMedianBandwidth on hand examples: pooled points {0, 1} and {3} in 1-D
// have distances 1, 3, 2, median 2; four points at 0, 1, 3, 6 have
// distances 1, 3, 6, 2, 5, 3, median (3+3)/2 = 3; identical points fall
// back to 1; mostly-identical points fall back to the mean distance.
func TestMedianBandwidth(t *testing.T) {
	s := func(v ...float64) Samples { return Samples{Data: v, Rows: len(v), Cols: 1} }
	for _, c := range []struct {
		name string
		x, y Samples
		want float64
	}{
		{"odd", s(0, 1), s(3), 2},
		{"even", s(0, 1), s(3, 6), 3},
		{"identical", s(2, 2), s(2), 1},
		// Pooled {0,0,0,0,1}: 10 pairs, 6 at distance 0 and 4 at 1, so the
		// median is 0 and the mean 0.4 is used.
		{"mostly identical", s(0, 0, 0), s(0, 1), 0.4},
	} {
		if got := MedianBandwidth(c.x, c.y); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("%s: σ = %v, want %v", c.name, got, c.want)
		}
	}
}
