package nn

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestLeakySelect: leaky and leakyDeriv, which select without a branch,
// give the bits of the plain comparisons (v > 0 ? v : s·v and x > 0 ? 1 :
// s) on ±0, ±Inf, NaNs of both signs, the smallest and largest values of
// each sign and a million random bit patterns, for the slopes 0 (ReLU),
// 0.2 and 1 (NaN is only required to give NaN).
func TestLeakySelect(t *testing.T) {
	special := []uint32{0, 0x80000000, 1, 0x80000001, 0x7f7fffff, 0xff7fffff, 0x7f800000, 0xff800000,
		0x7f800001, 0x7fc00000, 0xffc00000, 0xff800001, 0xffffffff, 0x3f800000, 0xbf800000}
	rng := rand.New(rand.NewPCG(31, 32))
	for i := range 1 << 20 {
		b := rng.Uint32()
		if i < len(special) {
			b = special[i]
		}
		v := math.Float32frombits(b)
		for _, s := range []float32{0, 0.2, 1} {
			want, wantD := s*v, s
			if v > 0 {
				want, wantD = v, 1
			}
			got := leaky(v, s)
			if math.Float32bits(got) != math.Float32bits(want) && !(isNaN32(got) && isNaN32(want)) {
				t.Fatalf("leaky(%#08x, %v) = %#08x, want %#08x", b, s, math.Float32bits(got), math.Float32bits(want))
			}
			if gotD := leakyDeriv(v, s); math.Float32bits(gotD) != math.Float32bits(wantD) {
				t.Fatalf("leakyDeriv(%#08x, %v) = %v, want %v", b, s, gotD, wantD)
			}
		}
	}
}

func isNaN32(v float32) bool { return v != v }
