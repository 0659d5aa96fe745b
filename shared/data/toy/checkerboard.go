package toy

import (
	"math"
	"math/rand/v2"
)

// checkerboard is the "checkerboard" toy; see Checkerboard.
type checkerboard struct{}

// Checkerboard is "checkerboard", FFJORD's: the uniform distribution on the
// eight 2×2 squares of the square [-4, 4)² whose column index ⌊x/2⌋ and row
// index ⌊y/2⌋ have even sum: [0,2)² and [-2,0)² are in, [0,2)×[-2,0) is
// out. Its density is exactly 1/32 on the support and 0 elsewhere.
func Checkerboard() Toy { return checkerboard{} }

func (checkerboard) Name() string  { return "checkerboard" }
func (checkerboard) Dim() int      { return 2 }
func (checkerboard) Modes() []Mode { return nil }

// Sample follows FFJORD: x₁ ~ U(-2, 2), x₂ = v − 2b + (⌊x₁⌋ mod 2) with
// v ~ U(0, 1) and b ∈ {0, 1} uniform; the point is 2 (x₁, x₂).
func (checkerboard) Sample(rng *rand.Rand, dst []float32) {
	n := checkPairs(dst)
	for i := 0; i < n; i++ {
		x1 := 4*rng.Float64() - 2
		x2 := rng.Float64() - 2*float64(rng.IntN(2))
		if int(math.Floor(x1))&1 != 0 {
			x2++
		}
		dst[2*i] = float32(2 * x1)
		dst[2*i+1] = float32(2 * x2)
	}
}

// LogDensity returns (−log 32, true) on the black squares, (−Inf, true)
// elsewhere.
func (checkerboard) LogDensity(x []float64) (float64, bool) {
	if !(x[0] >= -4 && x[0] < 4 && x[1] >= -4 && x[1] < 4) {
		return math.Inf(-1), true
	}
	i := int(math.Floor(x[0] / 2))
	j := int(math.Floor(x[1] / 2))
	if (i+j)&1 != 0 {
		return math.Inf(-1), true
	}
	return -math.Log(32), true
}
