package sample

import (
	"math"
	"math/rand/v2"
)

// stepKLA performs one step of the kinetic (underdamped) Langevin algorithm on every
// chain, a splitting of dZ = V dt, dV = −∇U(Z)dt − κV dt + √(2κ) dW. With
// C = exp(−κh) and D = √(1 − C²):
//
//	z += (h/2)v            half position step (to the midpoint)
//	g  = ∇U(z)             the step's one gradient evaluation
//	v −= (h/2)g            half momentum step
//	v  = Cv + Dξ           exact Ornstein–Uhlenbeck refresh, ξ ~ N(0, I)
//	v −= (h/2)g            half momentum step (same gradient)
//	z += (h/2)v            half position step
//
// The momentum persists across steps (it is drawn from N(0, I) on the first KLA step or
// after ResetMomentum). Large κ is overdamped: the chain stays near a mode; small κ keeps
// momentum and travels between modes. The stationary law differs from exp(−U) by O(h²).
//
// A chain whose midpoint, U or ∇U there, new momentum or new position is not finite
// stays where it is (a rejection) and its momentum is reversed, so that the next
// midpoint, z − (h/2)v, lies back where the chain came from rather than in the same bad
// region. Only the midpoint is evaluated: the end point is finite, but its potential is
// unknown until the next step (the cache is marked stale; Chains.U recomputes it on
// demand). Returns the number of moves taken.
func (c *Chains) stepKLA(h, kappa float64, rng *rand.Rand) float64 {
	if !c.vSet {
		for k := range c.v {
			c.v[k] = float32(rng.NormFloat64())
		}
		c.vSet = true
	}
	clear(c.bad)
	d := c.d
	half := h / 2
	C := expP(-float64(kappa * h))
	D := math.Sqrt(-math.Expm1(-2 * float64(kappa*h))) // √(1 − C²), accurate for small κh
	for i := 0; i < c.n; i++ {
		for k := i * d; k < (i+1)*d; k++ {
			c.zp[k] = float32(float64(c.z[k]) + float64(half*float64(c.v[k])))
		}
		c.guard(i)
	}
	c.pot.Eval(c.zp, c.up, c.gp)
	c.fresh = false
	var taken float64
	for i := 0; i < c.n; i++ {
		lo, hi := i*d, (i+1)*d
		ok := c.proposalOK(i)
		for k := lo; k < hi; k++ {
			xi := rng.NormFloat64() // drawn even for a rejected chain: same stream either way
			if !ok {
				continue
			}
			hg := float64(half * float64(c.gp[k]))
			v := float64(c.v[k]) - hg
			v = float64(C*v) + float64(D*xi) - hg
			c.mp[k] = float32(v)
			c.zp[k] = float32(float64(c.zp[k]) + float64(half*float64(c.mp[k])))
		}
		c.proposed[i]++
		if ok && allFinite32(c.mp[lo:hi]) && allFinite32(c.zp[lo:hi]) {
			copy(c.z[lo:hi], c.zp[lo:hi])
			copy(c.v[lo:hi], c.mp[lo:hi])
			c.accepted[i]++
			taken++
			continue
		}
		for k := lo; k < hi; k++ {
			c.v[k] = -c.v[k]
		}
	}
	return taken
}
