package nn

import (
	"math"
	"math/rand/v2"
	"os"
	"testing"
	"time"
)

// Bounds that Tanh32 meets over every float32 in [0, 10] (measured with
// GEBM_TANH_EXHAUSTIVE=1; see Tanh32's doc comment), against math.Tanh in
// float64 and against the correctly rounded float32(math.Tanh(x)).
const (
	tanhMaxAbs = 5e-8
	tanhMaxRel = 7.5e-8
	tanhMaxULP = 1
)

// tanhStats are the largest errors of Tanh32 over the inputs seen so far.
type tanhStats struct {
	n                    int
	abs, rel             float64
	absAt, relAt, ulpAt  float32
	ulp                  int64
	offByOne             int
	nonMonotone          int
	firstNonMonotoneAt   float32
	prev                 float32
	oddFails, boundFails int
}

func (s *tanhStats) add(t *testing.T, x float32) {
	y := Tanh32(x)
	if yn := Tanh32(-x); math.Float32bits(yn) != math.Float32bits(-y) {
		if s.oddFails++; s.oddFails <= 5 {
			t.Errorf("Tanh32(-%v) = %v, not -Tanh32(%v) = %v", x, yn, x, -y)
		}
	}
	if !(y >= 0 && y <= 1) {
		if s.boundFails++; s.boundFails <= 5 {
			t.Errorf("Tanh32(%v) = %v, outside [0, 1]", x, y)
		}
	}
	if y < s.prev {
		if s.nonMonotone == 0 {
			s.firstNonMonotoneAt = x
		}
		s.nonMonotone++
	}
	s.prev = y
	want := math.Tanh(float64(x))
	abs := math.Abs(float64(y) - want)
	if abs > s.abs {
		s.abs, s.absAt = abs, x
	}
	if want > 0 {
		if rel := abs / want; rel > s.rel {
			s.rel, s.relAt = rel, x
		}
	}
	u := int64(math.Float32bits(y)) - int64(math.Float32bits(float32(want)))
	if u = max(u, -u); u > s.ulp {
		s.ulp, s.ulpAt = u, x
	}
	if u != 0 {
		s.offByOne++
	}
	s.n++
}

func (s *tanhStats) check(t *testing.T) {
	t.Logf("%d inputs: max |error| %.3g (at %v), max relative error %.3g (at %v), max %d ulp from float32(math.Tanh) (at %v), %.2f%% not correctly rounded",
		s.n, s.abs, s.absAt, s.rel, s.relAt, s.ulp, s.ulpAt, 100*float64(s.offByOne)/float64(s.n))
	if s.abs > tanhMaxAbs {
		t.Errorf("max |Tanh32(x) - tanh(x)| = %g at x = %v, bound %g", s.abs, s.absAt, tanhMaxAbs)
	}
	if s.rel > tanhMaxRel {
		t.Errorf("max relative error %g at x = %v, bound %g", s.rel, s.relAt, tanhMaxRel)
	}
	if s.ulp > tanhMaxULP {
		t.Errorf("%d ulp from float32(math.Tanh(x)) at x = %v, bound %d", s.ulp, s.ulpAt, tanhMaxULP)
	}
	if s.nonMonotone > 0 {
		t.Errorf("Tanh32 decreases %d times between successive inputs checked, first at x = %v", s.nonMonotone, s.firstNonMonotoneAt)
	}
}

// TestTanh32 checks Tanh32 on every 61st float32 in [0, 10] (by bit
// pattern, so every binade from the smallest subnormal up is covered alike,
// 17.9 million inputs), each also negated: the error bounds against
// math.Tanh, exact oddness, 0 ≤ y ≤ 1 and that y never decreases from one
// input checked to the next. Then the special values and every 4099th
// float32 above 10, which must all give exactly 1.
// GEBM_TANH_EXHAUSTIVE=1 checks every float32 in [0, 10] instead (1.09
// billion; about 30 s natively), where "never decreases" is exact
// monotonicity between neighbouring floats; -short every 997th.
func TestTanh32(t *testing.T) {
	stride := uint32(61)
	switch {
	case os.Getenv("GEBM_TANH_EXHAUSTIVE") == "1":
		stride = 1
	case testing.Short():
		stride = 997
	}
	start := time.Now()
	checkTanhRange(t, stride)
	t.Logf("float32s in [0, 10] at a stride of %d: %v", stride, time.Since(start))
	specialTanh(t)
}

func checkTanhRange(t *testing.T, stride uint32) {
	var s tanhStats
	end := math.Float32bits(10)
	for b := uint32(0); b <= end; b += stride {
		s.add(t, math.Float32frombits(b))
	}
	s.add(t, 10)
	s.check(t)
}

func specialTanh(t *testing.T) {
	inf := float32(math.Inf(1))
	for _, c := range []struct{ x, want float32 }{
		{0, 0}, {float32(math.Copysign(0, -1)), float32(math.Copysign(0, -1))},
		{inf, 1}, {-inf, -1}, {math.MaxFloat32, 1}, {-math.MaxFloat32, -1},
		{9.02, 1}, {-9.02, -1}, {9.1, 1}, {1e-30, 1e-30}, {-1e-30, -1e-30},
		{math.SmallestNonzeroFloat32, math.SmallestNonzeroFloat32},
		{0x1p-14, 0x1p-14},
	} {
		if got := Tanh32(c.x); math.Float32bits(got) != math.Float32bits(c.want) {
			t.Errorf("Tanh32(%v) = %v, want %v", c.x, got, c.want)
		}
	}
	nan := float32(math.NaN())
	if got := Tanh32(nan); got == got {
		t.Errorf("Tanh32(NaN) = %v, want NaN", got)
	}
	for b := math.Float32bits(10); b < math.Float32bits(inf); b += 4099 {
		x := math.Float32frombits(b)
		if Tanh32(x) != 1 || Tanh32(-x) != -1 {
			t.Fatalf("Tanh32(±%v) = %v, %v, want ±1", x, Tanh32(x), Tanh32(-x))
		}
	}
}

// BenchmarkTanh times the tanh activation's forward pass over 4096 inputs
// (Tanh32 of each) and the loop it ran before Tanh32,
// y = float32(math.Tanh(float64(x))), both in the same run, and reports
// ns/element of each and their ratio (old/new). "wide" draws the inputs
// from N(0, 6²), like those the bundled MNIST generator feeds its tanh output
// (95% of them have |x| ≥ 0.625, where math.Tanh calls math.Exp; median |x|
// 5.8, from atanh of its outputs for 512 latents); "small" from N(0, 0.3²),
// where math.Tanh uses its polynomial.
func BenchmarkTanh(b *testing.B) {
	for _, c := range []struct {
		name string
		std  float64
	}{{"wide", 6}, {"small", 0.3}} {
		b.Run(c.name, func(b *testing.B) {
			rng := rand.New(rand.NewPCG(1, 2))
			x := make([]float32, 4096)
			for i := range x {
				x[i] = float32(rng.NormFloat64() * c.std)
			}
			y := make([]float32, len(x))
			a := &activation{kind: KindTanh}
			var old, fast time.Duration
			for b.Loop() {
				t0 := time.Now()
				for i, v := range x {
					y[i] = float32(math.Tanh(float64(v)))
				}
				t1 := time.Now()
				a.forward(nil, x, y, 1)
				old += t1.Sub(t0)
				fast += time.Since(t1)
			}
			n := float64(b.N) * float64(len(x))
			b.ReportMetric(float64(old.Nanoseconds())/n, "ns/elem-math.Tanh")
			b.ReportMetric(float64(fast.Nanoseconds())/n, "ns/elem-Tanh32")
			b.ReportMetric(float64(old)/float64(fast), "old/new")
		})
	}
}
