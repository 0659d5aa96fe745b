package toy

import "math"

// logI0 returns log I₀(z) for z ≥ 0, where I₀ is the modified Bessel function
// of the first kind of order zero, I₀(z) = (1/π) ∫₀^π exp(z cos φ) dφ.
//
// For z < 30 it sums the power series Σ_k (z²/4)^k / (k!)², whose terms are
// positive (no cancellation). For z ≥ 30 it uses the asymptotic expansion
// I₀(z) ~ e^z / √(2πz) Σ_k a_k, a_0 = 1, a_k = a_{k-1} (2k−1)² / (8kz), whose
// terms fall below 1e-17 well before they would start to grow. Both are
// accurate to a few ulps in the log.
func logI0(z float64) float64 {
	if z < 30 {
		q := z * z / 4
		sum, term := 1.0, 1.0
		for k := 1; k < 200; k++ {
			term *= q / float64(k*k)
			sum += term
			if term < 1e-17*sum {
				break
			}
		}
		return math.Log(sum)
	}
	sum, term := 1.0, 1.0
	for k := 1; k < 60; k++ {
		term *= float64((2*k-1)*(2*k-1)) / (8 * float64(k) * z)
		sum += term
		if term < 1e-17 {
			break
		}
	}
	return z - 0.5*math.Log(2*math.Pi*z) + math.Log(sum)
}
