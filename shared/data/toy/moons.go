package toy

import (
	"math"
	"math/rand/v2"
)

// moons is the "moons" toy; see Moons.
type moons struct{}

// Moons is "moons", sklearn's make_moons(noise=0.1) unscaled: with
// t ~ U(0, π), each sample is on the upper moon (cos t, sin t) or the lower
// moon (1 − cos t, 0.5 − sin t) with probability 1/2 each, plus N(0, 0.1² I)
// noise. The mean is (0.5, 0.25). sklearn spaces t evenly; here it is
// uniform at random. No closed-form density.
func Moons() Toy { return moons{} }

func (moons) Name() string  { return "moons" }
func (moons) Dim() int      { return 2 }
func (moons) Modes() []Mode { return nil }

func (moons) Sample(rng *rand.Rand, dst []float32) {
	n := checkPairs(dst)
	for i := 0; i < n; i++ {
		t := math.Pi * rng.Float64()
		x, y := math.Cos(t), math.Sin(t)
		if rng.IntN(2) == 1 {
			x, y = 1-x, 0.5-y
		}
		dst[2*i] = float32(x + 0.1*rng.NormFloat64())
		dst[2*i+1] = float32(y + 0.1*rng.NormFloat64())
	}
}

func (moons) LogDensity([]float64) (float64, bool) { return 0, false }
