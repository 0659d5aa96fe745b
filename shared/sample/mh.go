package sample

import "math/rand/v2"

// stepMH performs one random-walk Metropolis step on every chain: z' = z + hξ,
// ξ ~ N(0, I), accepted with probability min(1, exp(U(z) − U(z'))) (the proposal is
// symmetric). One potential evaluation (the gradient is computed but unused, except to
// keep the cache whole). Returns the sum over chains of the acceptance probabilities.
func (c *Chains) stepMH(h float64, rng *rand.Rand) float64 {
	c.refresh()
	clear(c.bad)
	d := c.d
	for i := 0; i < c.n; i++ {
		for k := i * d; k < (i+1)*d; k++ {
			c.zp[k] = float32(float64(c.z[k]) + float64(h*rng.NormFloat64()))
		}
		c.guard(i)
	}
	c.pot.Eval(c.zp, c.up, c.gp)
	var sum float64
	for i := 0; i < c.n; i++ {
		sum += c.metropolis(i, c.u[i]-c.up[i], rng)
	}
	return sum
}
