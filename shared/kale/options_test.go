package kale

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"
)

// TestValidate: every malformed input is rejected with the matching error,
// by Validate and by each entry point.
func TestValidate(t *testing.T) {
	good := Samples{Data: []float64{0, 1, 2, 3}, Rows: 2, Cols: 2}
	cases := []struct {
		name string
		x, y Samples
		o    Options
		want error
	}{
		{"ok", good, good, Options{}, nil},
		{"dimension mismatch", good, Samples{Data: []float64{0, 1, 2}, Rows: 1, Cols: 3}, Options{}, ErrDimMismatch},
		{"empty X", Samples{Cols: 2}, good, Options{}, ErrEmpty},
		{"empty Y", good, Samples{Cols: 2}, Options{}, ErrEmpty},
		{"zero dimension", Samples{Rows: 2}, good, Options{}, ErrEmpty},
		{"short data", Samples{Data: []float64{0, 1, 2}, Rows: 2, Cols: 2}, good, Options{}, ErrShape},
		{"NaN in X", Samples{Data: []float64{0, math.NaN(), 2, 3}, Rows: 2, Cols: 2}, good, Options{}, ErrNonFinite},
		{"Inf in Y", good, Samples{Data: []float64{0, 1, math.Inf(-1), 3}, Rows: 2, Cols: 2}, Options{}, ErrNonFinite},
		{"negative lambda", good, good, Options{Lambda: -1}, ErrOption},
		{"NaN lambda", good, good, Options{Lambda: math.NaN()}, ErrOption},
		{"negative bandwidth", good, good, Options{Bandwidth: -0.5}, ErrOption},
		{"infinite bandwidth", good, good, Options{Bandwidth: math.Inf(1)}, ErrOption},
		{"negative MaxIter", good, good, Options{MaxIter: -1}, ErrOption},
		{"negative Tol", good, good, Options{Tol: -1e-9}, ErrOption},
	}
	for _, c := range cases {
		err := c.o.Validate(c.x, c.y)
		if !errors.Is(err, c.want) || (c.want == nil) != (err == nil) {
			t.Errorf("%s: Validate = %v, want %v", c.name, err, c.want)
		}
		if c.want == nil {
			continue
		}
		if _, err := KALE(c.x, c.y, c.o); !errors.Is(err, c.want) {
			t.Errorf("%s: KALE error %v, want %v", c.name, err, c.want)
		}
		if _, err := KALERandomFeatures(c.x, c.y, c.o, 8, rand.New(rand.NewPCG(1, 1))); !errors.Is(err, c.want) {
			t.Errorf("%s: KALERandomFeatures error %v, want %v", c.name, err, c.want)
		}
		if _, _, err := KLLowerBound(c.x, c.y, c.o); !errors.Is(err, c.want) {
			t.Errorf("%s: KLLowerBound error %v, want %v", c.name, err, c.want)
		}
		if c.want != ErrOption {
			if _, err := MMD2Biased(c.x, c.y, 0); !errors.Is(err, c.want) {
				t.Errorf("%s: MMD2Biased error %v, want %v", c.name, err, c.want)
			}
		}
	}
	if _, err := KALERandomFeatures(good, good, Options{}, 0, rand.New(rand.NewPCG(1, 1))); !errors.Is(err, ErrOption) {
		t.Errorf("0 features: error %v, want ErrOption", err)
	}
	if _, err := KALERandomFeatures(good, good, Options{}, 8, nil); !errors.Is(err, ErrOption) {
		t.Errorf("nil rng: error %v, want ErrOption", err)
	}
	if _, err := MMD2Unbiased(good, Samples{Data: []float64{0, 1}, Rows: 1, Cols: 2}, 1); !errors.Is(err, ErrEmpty) {
		t.Errorf("MMD2Unbiased with one point: error %v, want ErrEmpty", err)
	}
	if _, err := MMD2Biased(good, good, -1); !errors.Is(err, ErrOption) {
		t.Errorf("MMD2Biased with σ = −1: error %v, want ErrOption", err)
	}
	if _, err := SamplesFromFloat32([]float32{1, 2, 3}, 2, 2); !errors.Is(err, ErrShape) {
		t.Errorf("SamplesFromFloat32 with 3 values for 2×2: error %v, want ErrShape", err)
	}
	if s, err := SamplesFromFloat32([]float32{1, 2, 3, 4.5}, 2, 2); err != nil || s.Row(1)[1] != 4.5 {
		t.Errorf("SamplesFromFloat32 = %v, %v", s, err)
	}
}
