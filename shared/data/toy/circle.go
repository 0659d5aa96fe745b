package toy

import (
	"math"
	"math/rand/v2"
)

// circle is the "circle" toy; see Circle.
type circle struct{}

// CircleStd is the radial noise of the "circle" toy.
const CircleStd = 0.01

// Circle is "circle": points on the unit circle with tiny radial noise,
// ρ = 1 + 0.01 ε, ε ~ N(0,1), at an angle φ ~ U(0, 2π). The set is (nearly)
// a 1-D curve, so its support is essentially disjoint from that of a
// generator with a full-dimensional output density: the case where KL-type
// divergences are infinite and KALE is not.
//
// Its density is exact. Since a negative ρ is the same point as |ρ| at the
// opposite angle, |x| = |1 + 0.01 ε| and
//
//	p(x) = [N(ρ; 1, σ²) + N(ρ; −1, σ²)] / (2πρ),  ρ = |x|, σ = 0.01.
func Circle() Toy { return circle{} }

func (circle) Name() string  { return "circle" }
func (circle) Dim() int      { return 2 }
func (circle) Modes() []Mode { return nil }

func (circle) Sample(rng *rand.Rand, dst []float32) {
	n := checkPairs(dst)
	for i := 0; i < n; i++ {
		rho := 1 + CircleStd*rng.NormFloat64()
		phi := 2 * math.Pi * rng.Float64()
		dst[2*i] = float32(rho * math.Cos(phi))
		dst[2*i+1] = float32(rho * math.Sin(phi))
	}
}

// LogDensity returns the exact log p(x) given on Circle and true; at the
// origin, where the density is zero to double precision, −Inf.
func (circle) LogDensity(x []float64) (float64, bool) {
	rho := math.Hypot(x[0], x[1])
	if rho == 0 {
		return math.Inf(-1), true
	}
	v := CircleStd * CircleStd
	a := -(rho - 1) * (rho - 1) / (2 * v)
	b := -(rho + 1) * (rho + 1) / (2 * v)
	m := math.Max(a, b)
	lse := m + math.Log(math.Exp(a-m)+math.Exp(b-m))
	return lse - 0.5*math.Log(2*math.Pi*v) - math.Log(2*math.Pi*rho), true
}
