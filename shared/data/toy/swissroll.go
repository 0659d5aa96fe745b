package toy

import (
	"math"
	"math/rand/v2"
)

// swissRoll is the "swissroll" toy; see SwissRoll.
type swissRoll struct{}

// SwissRoll is "swissroll", the 2-D Swiss roll of FFJORD and most flow and
// EBM papers: sklearn's make_swiss_roll(noise=1.0) projected on its (x, z)
// coordinates and divided by 5. With t = 1.5π(1 + 2u), u ~ U(0,1), and
// ε ~ N(0, I):
//
//	x = (t cos t + ε₁) / 5,   y = (t sin t + ε₂) / 5.
//
// So t ∈ [1.5π, 4.5π], the roll spans about [-2.8, 2.6]², and the noise std
// is 0.2 after scaling. No closed-form density (it is a 1-D integral over t).
func SwissRoll() Toy { return swissRoll{} }

func (swissRoll) Name() string  { return "swissroll" }
func (swissRoll) Dim() int      { return 2 }
func (swissRoll) Modes() []Mode { return nil }

func (swissRoll) Sample(rng *rand.Rand, dst []float32) {
	n := checkPairs(dst)
	for i := 0; i < n; i++ {
		t := 1.5 * math.Pi * (1 + 2*rng.Float64())
		dst[2*i] = float32((t*math.Cos(t) + rng.NormFloat64()) / 5)
		dst[2*i+1] = float32((t*math.Sin(t) + rng.NormFloat64()) / 5)
	}
}

func (swissRoll) LogDensity([]float64) (float64, bool) { return 0, false }
