package toy

import (
	"math"
	"math/rand/v2"
)

// RingSet is a mixture of circles blurred by isotropic Gaussian noise: a
// radius r_k is chosen with probability w_k, an angle φ ~ U(0, 2π), and the
// sample is r_k (cos φ, sin φ) + σ ε with ε ~ N(0, I). Its density is exact:
//
//	p(x) = Σ_k w_k exp(−(ρ² + r_k²) / (2σ²)) I₀(ρ r_k / σ²) / (2πσ²),  ρ = |x|,
//
// with I₀ the modified Bessel function (the angular average of the Gaussian).
type RingSet struct {
	name    string
	radii   []float64
	weights []float64
	std     float64
}

// Rings is "rings", FFJORD's four concentric circles of radii 3, 2.25, 1.5
// and 0.75, equally weighted, with Gaussian noise of std 0.08. FFJORD spaces
// the angles evenly; here they are uniform at random.
func Rings() *RingSet {
	return &RingSet{
		name:    "rings",
		radii:   []float64{3, 2.25, 1.5, 0.75},
		weights: []float64{0.25, 0.25, 0.25, 0.25},
		std:     0.08,
	}
}

// Name returns the registry name.
func (r *RingSet) Name() string { return r.name }

// Dim returns 2.
func (r *RingSet) Dim() int { return 2 }

// Modes returns nil: the rings are not point modes.
func (r *RingSet) Modes() []Mode { return nil }

// Sample draws len(dst)/2 points as described on RingSet.
func (r *RingSet) Sample(rng *rand.Rand, dst []float32) {
	n := checkPairs(dst)
	for i := 0; i < n; i++ {
		rad := r.radii[rng.IntN(len(r.radii))]
		phi := 2 * math.Pi * rng.Float64()
		dst[2*i] = float32(rad*math.Cos(phi) + r.std*rng.NormFloat64())
		dst[2*i+1] = float32(rad*math.Sin(phi) + r.std*rng.NormFloat64())
	}
}

// LogDensity returns the exact log p(x) given on RingSet, computed in the
// log domain as log w_k − (ρ − r_k)²/(2σ²) + log(I₀(z) e^{−z}) − log(2πσ²)
// with z = ρ r_k / σ², and true.
func (r *RingSet) LogDensity(x []float64) (float64, bool) {
	rho := math.Hypot(x[0], x[1])
	v := r.std * r.std
	best := math.Inf(-1)
	var terms [8]float64
	for k, rad := range r.radii {
		z := rho * rad / v
		d := rho - rad
		terms[k] = math.Log(r.weights[k]) - d*d/(2*v) + logI0(z) - z - math.Log(2*math.Pi*v)
		best = math.Max(best, terms[k])
	}
	var s float64
	for k := range r.radii {
		s += math.Exp(terms[k] - best)
	}
	return best + math.Log(s), true
}
