package sample

import "math/rand/v2"

// stepIMH performs one independent Metropolis-Hastings step on every chain: z' ~ N(0, I)
// regardless of z, accepted with probability min(1, r),
//
//	log r = U(z) − U(z') + ||z'||²/2 − ||z||²/2,
//
// which is π(z')q(z)/(π(z)q(z')) for π ∝ exp(−U) and q = N(0, I). It is exact for any U;
// it mixes well when U is the standard normal's ||z||²/2 plus a bounded perturbation (the
// GEBM latent posterior at β = 1 with a bounded energy), for then r = exp(βE(z) − βE(z')).
// One potential evaluation. Returns the sum over chains of the acceptance probabilities.
func (c *Chains) stepIMH(rng *rand.Rand) float64 {
	c.refresh()
	clear(c.bad)
	d := c.d
	for k := range c.zp {
		c.zp[k] = float32(rng.NormFloat64())
	}
	for i := 0; i < c.n; i++ {
		c.guard(i)
	}
	c.pot.Eval(c.zp, c.up, c.gp)
	var sum float64
	for i := 0; i < c.n; i++ {
		lo, hi := i*d, (i+1)*d
		logr := c.u[i] - c.up[i] + (sqNorm(c.zp[lo:hi])-sqNorm(c.z[lo:hi]))/2
		sum += c.metropolis(i, logr, rng)
	}
	return sum
}
