package sample

import (
	"math"
	"math/rand/v2"
	"testing"
)

// ulps returns the distance between a and b in units in the last place.
func ulps(a, b float64) uint64 {
	x, y := math.Float64bits(a), math.Float64bits(b)
	if x > y {
		return x - y
	}
	return y - x
}

// TestPortableMath: expP and logP agree with math.Exp and math.Log to 4 ulps (they are the
// pure-Go algorithms of package math, each within 1 ulp of the exact value; the assembly
// versions that math uses on amd64 round differently, by up to 3 ulps in this test), and
// handle the special values the same way.
func TestPortableMath(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	for range 100000 {
		x := (rng.Float64() - 0.5) * 1400
		if e, w := expP(x), math.Exp(x); ulps(e, w) > 4 {
			t.Fatalf("expP(%v) = %v, math.Exp %v", x, e, w)
		}
		y := math.Exp((rng.Float64() - 0.5) * 1400)
		if l, w := logP(y), math.Log(y); ulps(l, w) > 4 {
			t.Fatalf("logP(%v) = %v, math.Log %v", y, l, w)
		}
	}
	for _, x := range []float64{0, 1e-300, 1e-10, -1e-10, 710, -746, math.Inf(1), math.Inf(-1), math.NaN()} {
		e, w := expP(x), math.Exp(x)
		if !(e == w || math.IsNaN(e) && math.IsNaN(w)) {
			t.Errorf("expP(%v) = %v, math.Exp %v", x, e, w)
		}
	}
	for _, x := range []float64{0, -1, 1, math.Inf(1), math.NaN(), math.MaxFloat64} {
		l, w := logP(x), math.Log(x)
		if !(l == w || math.IsNaN(l) && math.IsNaN(w)) {
			t.Errorf("logP(%v) = %v, math.Log %v", x, l, w)
		}
	}
	// Subnormals: log(2⁻¹⁰⁷⁴) = −1074 log 2. (math.Log on amd64 returns −709.09 here.)
	if l, w := logP(math.SmallestNonzeroFloat64), -1074*math.Ln2; ulps(l, w) > 1 {
		t.Errorf("logP(2⁻¹⁰⁷⁴) = %v, want %v", l, w)
	}
}
