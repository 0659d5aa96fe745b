package sample

import "math/rand/v2"

// stepHMC performs one Hamiltonian Monte Carlo transition on every chain: draw
// v ~ N(0, I), integrate Hamilton's equations for H(z, v) = U(z) + ||v||²/2 with L
// leapfrog steps of size h,
//
//	v −= (h/2)∇U(z);  repeat L times { z += hv; v −= h∇U(z) }, the last kick being h/2,
//
// and accept the end point (z', v') with probability min(1, exp(H(z, v) − H(z', v'))).
// The first half kick reuses the cached ∇U(z); a rejection keeps the cached U and ∇U of
// the state the chain stays in, so the next transition never starts from a stale
// gradient. A chain whose trajectory leaves the finite numbers is frozen for the rest of
// the trajectory (the potential is never evaluated at a non-finite point) and rejected.
// L potential evaluations. Returns the sum over chains of the acceptance probabilities.
func (c *Chains) stepHMC(h0 float64, L int, jitter float64, rng *rand.Rand) float64 {
	c.refresh()
	clear(c.bad)
	d := c.d
	for k := range c.mp {
		c.mp[k] = float32(rng.NormFloat64())
	}
	for i := 0; i < c.n; i++ {
		c.hs[i] = h0
		if jitter > 0 {
			c.hs[i] = h0 * (1 + float64(jitter*(2*rng.Float64()-1)))
		}
		lo, hi := i*d, (i+1)*d
		c.w[i] = sqNorm(c.mp[lo:hi]) / 2
		half := c.hs[i] / 2
		for k := lo; k < hi; k++ {
			c.mp[k] = float32(float64(c.mp[k]) - float64(half*float64(c.g[k])))
		}
	}
	copy(c.zp, c.z)
	for l := 1; l <= L; l++ {
		for i := 0; i < c.n; i++ {
			if c.bad[i] {
				continue
			}
			h := c.hs[i]
			for k := i * d; k < (i+1)*d; k++ {
				c.zp[k] = float32(float64(c.zp[k]) + float64(h*float64(c.mp[k])))
			}
			c.guard(i)
		}
		c.pot.Eval(c.zp, c.up, c.gp)
		for i := 0; i < c.n; i++ {
			kick := c.hs[i]
			if l == L {
				kick /= 2
			}
			if !c.proposalOK(i) {
				c.bad[i] = true
				copy(c.zp[i*d:(i+1)*d], c.z[i*d:(i+1)*d])
				continue
			}
			lo, hi := i*d, (i+1)*d
			for k := lo; k < hi; k++ {
				c.mp[k] = float32(float64(c.mp[k]) - float64(kick*float64(c.gp[k])))
			}
			if !allFinite32(c.mp[lo:hi]) {
				c.bad[i] = true
				copy(c.zp[lo:hi], c.z[lo:hi])
			}
		}
	}
	var sum float64
	for i := 0; i < c.n; i++ {
		lo, hi := i*d, (i+1)*d
		logr := (c.u[i] + c.w[i]) - (c.up[i] + sqNorm(c.mp[lo:hi])/2)
		sum += c.metropolis(i, logr, rng)
	}
	return sum
}
