package toy

import (
	"math"
	"math/rand/v2"
)

// Mixture is a mixture of isotropic 2-D Gaussians: p(x) = Σ_k w_k N(x; μ_k, σ_k² I).
// Its log-density is exact.
type Mixture struct {
	name  string
	modes []Mode
	cum   []float64 // cumulative weights, last = 1
}

// NewMixture returns a Gaussian mixture with the given components. Weights
// are normalised to sum to one; it panics if a weight or std is not positive.
func NewMixture(name string, modes []Mode) *Mixture {
	m := &Mixture{name: name, modes: append([]Mode(nil), modes...)}
	var sum float64
	for _, c := range m.modes {
		if !(c.Weight > 0) || !(c.Std > 0) {
			panic("data: NewMixture: weights and stds must be positive")
		}
		sum += c.Weight
	}
	m.cum = make([]float64, len(m.modes))
	var acc float64
	for i := range m.modes {
		m.modes[i].Weight /= sum
		acc += m.modes[i].Weight
		m.cum[i] = acc
	}
	m.cum[len(m.cum)-1] = 1
	return m
}

// EightGaussians is "8gaussians": eight equally weighted Gaussians with std
// 0.02 whose centres lie on the circle of radius 2 at angles 2πk/8, k=0..7
// (the "2D ring" of Metz et al. 2017, unrolled GAN, and VEEGAN). Note that the
// WGAN-GP and FFJORD code divide by 1.414 afterwards (radius √2, resp. a
// radius-4 ring with std 0.5 scaled to 2√2); this package does not.
func EightGaussians() *Mixture {
	modes := make([]Mode, 8)
	for k := range modes {
		a := 2 * math.Pi * float64(k) / 8
		modes[k] = Mode{Center: [2]float64{2 * math.Cos(a), 2 * math.Sin(a)}, Std: 0.02, Weight: 1}
	}
	return NewMixture("8gaussians", modes)
}

// TwentyFiveGaussians is "25gaussians": 25 equally weighted Gaussians with
// std 0.05 centred on the grid {-4,-2,0,2,4}², the "2D grid" layout of
// VEEGAN and PacGAN. The std is this project's choice (papers differ): check
// it before comparing mode counts or "high-quality" fractions (within 3 std
// of a mode) with published numbers.
func TwentyFiveGaussians() *Mixture {
	modes := make([]Mode, 0, 25)
	for i := -2; i <= 2; i++ {
		for j := -2; j <= 2; j++ {
			modes = append(modes, Mode{Center: [2]float64{2 * float64(i), 2 * float64(j)}, Std: 0.05, Weight: 1})
		}
	}
	return NewMixture("25gaussians", modes)
}

// Name returns the registry name.
func (m *Mixture) Name() string { return m.name }

// Dim returns 2.
func (m *Mixture) Dim() int { return 2 }

// Modes returns a copy of the components.
func (m *Mixture) Modes() []Mode { return append([]Mode(nil), m.modes...) }

// Sample draws a component k with probability w_k, then μ_k + σ_k ε with
// ε ~ N(0, I), for each row of dst.
func (m *Mixture) Sample(rng *rand.Rand, dst []float32) {
	n := checkPairs(dst)
	for i := 0; i < n; i++ {
		c := m.modes[m.pick(rng.Float64())]
		dst[2*i] = float32(c.Center[0] + c.Std*rng.NormFloat64())
		dst[2*i+1] = float32(c.Center[1] + c.Std*rng.NormFloat64())
	}
}

// pick returns the component whose cumulative-weight interval holds u ∈ [0,1).
func (m *Mixture) pick(u float64) int {
	for k, c := range m.cum {
		if u < c {
			return k
		}
	}
	return len(m.cum) - 1
}

// LogDensity returns log Σ_k w_k N(x; μ_k, σ_k² I), computed as a two-pass
// log-sum-exp (no allocation), and true.
func (m *Mixture) LogDensity(x []float64) (float64, bool) {
	best := math.Inf(-1)
	for k := range m.modes {
		best = math.Max(best, m.logTerm(k, x))
	}
	if math.IsInf(best, -1) {
		return best, true
	}
	var s float64
	for k := range m.modes {
		s += math.Exp(m.logTerm(k, x) - best)
	}
	return best + math.Log(s), true
}

// logTerm returns log w_k + log N(x; μ_k, σ_k² I) in two dimensions.
func (m *Mixture) logTerm(k int, x []float64) float64 {
	c := m.modes[k]
	dx, dy := x[0]-c.Center[0], x[1]-c.Center[1]
	v := c.Std * c.Std
	return math.Log(c.Weight) - math.Log(2*math.Pi*v) - (dx*dx+dy*dy)/(2*v)
}
