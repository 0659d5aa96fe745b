package metrics

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestKIDHandComputed checks KID and its jackknife standard error on three
// 2-D points per set, worked by hand with k(a, b) = (aᵀb/2 + 1)³:
//
//	x = (1,0), (0,1), (1,1);  y = (0,0), (1,0), (0,2)
//	k among x: x1·x2 = 0 → 1, x1·x3 = 1 → 3.375, x2·x3 = 1 → 3.375;  Σ_{i≠i'} = 15.5, /6 = 31/12
//	k among y: every product is 0 → 1;                              Σ_{j≠j'} = 6,    /6 = 1
//	k(x_i, y_j), rows x1..x3: 1 3.375 1 | 1 1 8 | 1 3.375 8;          Σ = 27.75, ·2/9 = 37/6
//	KID = 31/12 + 1 − 37/6 = −31/12 = −2.583333…
//
// Leave-one-out (row sums among x 4.375, 4.375, 6.75; among y 2, 2, 2;
// cross rows 5.375, 10, 12.375; cross columns 3, 7.75, 17):
//
//	without x1: (15.5−8.75)/2 + 1 − 2(27.75−5.375)/6  = −3.083333
//	without x2: (15.5−8.75)/2 + 1 − 2(27.75−10)/6     = −1.541667
//	without x3: (15.5−13.5)/2 + 1 − 2(27.75−12.375)/6 = −3.125
//	without y1: 31/12 + (6−4)/2 − 2(27.75−3)/6        = −4.666667
//	without y2: 31/12 + 1 − 2(27.75−7.75)/6            = −3.083333
//	without y3: 31/12 + 1 − 2(27.75−17)/6              =  0
//
// Both means are −2.583333; squared deviations sum to 1.628472 (x) and
// 11.263889 (y); SE² = (2/3)(1.628472 + 11.263889) = 8.594907, SE = 2.931707.
func TestKIDHandComputed(t *testing.T) {
	x := []float32{1, 0, 0, 1, 1, 1}
	y := []float32{0, 0, 1, 0, 0, 2}
	r, err := KID(x, y, 2)
	if err != nil {
		t.Fatal(err)
	}
	if want := -31.0 / 12; math.Abs(r.Value-want) > 1e-12 {
		t.Errorf("KID = %.12g, hand-computed %.12g", r.Value, want)
	}
	if want := math.Sqrt(2.0 / 3 * (1.628472222222 + 11.263888888889)); math.Abs(r.StdErr-want) > 1e-9 {
		t.Errorf("KID standard error = %.12g, hand-computed %.12g", r.StdErr, want)
	}
}

// TestKIDJackknifeMatchesRecomputation compares the row-sum jackknife with
// the estimate recomputed on every set with one row left out.
func TestKIDJackknifeMatchesRecomputation(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	const d = 3
	x := gaussianRows(rng, 7, []float64{0, 0, 0}, []float64{1, 1, 1})
	y := gaussianRows(rng, 6, []float64{1, 0, 0}, []float64{1, 2, 1})
	r, err := KID(x, y, d)
	if err != nil {
		t.Fatal(err)
	}
	drop := func(v []float32, i int) []float32 {
		return append(append([]float32(nil), v[:i*d]...), v[(i+1)*d:]...)
	}
	var lx, ly []float64
	for i := range len(x) / d {
		ri, err := KID(drop(x, i), y, d)
		if err != nil {
			t.Fatal(err)
		}
		lx = append(lx, ri.Value)
	}
	for j := range len(y) / d {
		rj, err := KID(x, drop(y, j), d)
		if err != nil {
			t.Fatal(err)
		}
		ly = append(ly, rj.Value)
	}
	want := math.Sqrt(jackVar(lx) + jackVar(ly))
	if math.Abs(r.StdErr-want) > 1e-9*want || !(want > 0) {
		t.Errorf("KID standard error = %.12g, recomputed leave-one-out %.12g", r.StdErr, want)
	}
}

// TestKIDStdErrCalibrated: over 30 same-law pairs of 150 rows the spread of
// KID values and the mean reported standard error agree within a factor of
// 1.6.
func TestKIDStdErrCalibrated(t *testing.T) {
	rng := rand.New(rand.NewPCG(10, 10))
	const d, reps = 4, 30
	mu, sd := []float64{1, 0, -1, 0}, []float64{1, 1, 1, 1}
	var s, s2, se float64
	for range reps {
		r, err := KID(gaussianRows(rng, 150, mu, sd), gaussianRows(rng, 150, []float64{1.3, 0, -1, 0}, sd), d)
		if err != nil {
			t.Fatal(err)
		}
		s += r.Value
		s2 += r.Value * r.Value
		se += r.StdErr
	}
	mean := s / reps
	spread := math.Sqrt((s2/reps - mean*mean) * reps / (reps - 1))
	se /= reps
	t.Logf("KID %.4f, spread over pairs %.4f, mean jackknife SE %.4f", mean, spread, se)
	if se > 1.6*spread || se < spread/1.6 {
		t.Errorf("mean jackknife SE %.4g vs spread over pairs %.4g: off by more than 1.6×", se, spread)
	}
}

func TestKIDBadInput(t *testing.T) {
	ok := []float32{1, 0, 0, 1, 1, 1}
	for name, c := range map[string]struct {
		x, y []float32
		dim  int
	}{
		"two rows": {ok[:4], ok, 2},
		"ragged":   {ok[:5], ok, 2},
		"dim 0":    {ok, ok, 0},
		"NaN":      {[]float32{1, 0, 0, 1, 1, float32(math.NaN())}, ok, 2},
	} {
		if _, err := KID(c.x, c.y, c.dim); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
