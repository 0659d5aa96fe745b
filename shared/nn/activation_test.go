package nn

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestLeakyDerivBits: leaky's and leakyDeriv's tests on the bits of x are
// x > 0: on both zeros, both infinities, NaNs of either sign, the
// subnormal and normal extremes and random values.
func TestLeakyDerivBits(t *testing.T) {
	xs := []float32{0, float32(math.Copysign(0, -1)), float32(math.Inf(1)), float32(math.Inf(-1)),
		float32(math.NaN()), -float32(math.NaN()), math.Float32frombits(0x7fc00001), math.Float32frombits(0xff800001),
		math.SmallestNonzeroFloat32, -math.SmallestNonzeroFloat32, math.MaxFloat32, -math.MaxFloat32, 1, -1}
	rng := rand.New(rand.NewPCG(1, 1))
	for range 10000 {
		xs = append(xs, math.Float32frombits(rng.Uint32()))
	}
	for _, s := range []float32{0, 0.2} {
		for _, x := range xs {
			want := s
			if x > 0 {
				want = 1
			}
			if got := leakyDeriv(x, s); math.Float32bits(got) != math.Float32bits(want) {
				t.Fatalf("leakyDeriv(%v (%#x), %v) = %v, want %v", x, math.Float32bits(x), s, got, want)
			}
			wantY := s * x
			if x > 0 {
				wantY = x
			}
			if got := leaky(x, s); math.Float32bits(got) != math.Float32bits(wantY) {
				t.Fatalf("leaky(%v (%#x), %v) = %v (%#x), want %v (%#x)", x, math.Float32bits(x), s, got, math.Float32bits(got), wantY, math.Float32bits(wantY))
			}
		}
	}
}
