package toy

import (
	"math"
	"math/rand/v2"
)

// twoSpirals is the "2spirals" toy; see TwoSpirals.
type twoSpirals struct{}

// TwoSpirals is "2spirals", the two interleaved spirals of FFJORD's toy_data:
// with θ = 3π √u (540°), u ~ U(0,1), a, b ~ U(0, 0.5), a sign s = ±1 with
// probability 1/2 each, and ε ~ N(0, I),
//
//	x = s (−θ cos θ + a) / 3 + 0.1 ε₁,   y = s (θ sin θ + b) / 3 + 0.1 ε₂.
//
// FFJORD gives exactly half the batch to each spiral; here each sample picks
// its spiral independently. The set lies within about [-4, 4]². No
// closed-form density.
func TwoSpirals() Toy { return twoSpirals{} }

func (twoSpirals) Name() string  { return "2spirals" }
func (twoSpirals) Dim() int      { return 2 }
func (twoSpirals) Modes() []Mode { return nil }

func (twoSpirals) Sample(rng *rand.Rand, dst []float32) {
	n := checkPairs(dst)
	for i := 0; i < n; i++ {
		th := 3 * math.Pi * math.Sqrt(rng.Float64())
		x := -th*math.Cos(th) + 0.5*rng.Float64()
		y := th*math.Sin(th) + 0.5*rng.Float64()
		if rng.IntN(2) == 1 {
			x, y = -x, -y
		}
		dst[2*i] = float32(x/3 + 0.1*rng.NormFloat64())
		dst[2*i+1] = float32(y/3 + 0.1*rng.NormFloat64())
	}
}

func (twoSpirals) LogDensity([]float64) (float64, bool) { return 0, false }
