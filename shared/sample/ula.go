package sample

import (
	"math"
	"math/rand/v2"
)

// stepULA performs one unadjusted Langevin step on every chain,
//
//	z' = z − h∇U(z) + √(2h) ξ,  ξ ~ N(0, I),
//
// the Euler–Maruyama discretisation of dZ = −∇U(Z)dt + √2 dW. Every finite move is
// taken; a chain whose z', U(z') or ∇U(z') is not finite stays where it is (a rejection).
// Its stationary law differs from exp(−U) by O(h): for U(z) = z²/(2σ²) the stationary
// variance is σ²/(1 − h/(2σ²)). One potential evaluation. Returns the number of moves
// taken.
func (c *Chains) stepULA(h float64, rng *rand.Rand) float64 {
	c.proposeLangevin(h, rng)
	var taken float64
	for i := 0; i < c.n; i++ {
		c.proposed[i]++
		if c.proposalOK(i) {
			c.accept(i)
			taken++
		}
	}
	return taken
}

// proposeLangevin draws the Langevin proposal z' = z − h∇U(z) + √(2h) ξ for
// every chain into zp and evaluates U and ∇U there (up, gp); the guard marks
// chains whose proposal is not finite. ULA takes it, MALA accepts or rejects it.
func (c *Chains) proposeLangevin(h float64, rng *rand.Rand) {
	c.refresh()
	clear(c.bad)
	s := math.Sqrt(2 * h)
	d := c.d
	for i := 0; i < c.n; i++ {
		for k := i * d; k < (i+1)*d; k++ {
			c.zp[k] = float32(float64(c.z[k]) - float64(h*float64(c.g[k])) + float64(s*rng.NormFloat64()))
		}
		c.guard(i)
	}
	c.pot.Eval(c.zp, c.up, c.gp)
}
