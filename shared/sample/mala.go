package sample

import (
	"math/rand/v2"
)

// stepMALA performs one Metropolis-adjusted Langevin step on every chain. The proposal is
// the ULA move z' = z − h∇U(z) + √(2h) ξ, whose density is
//
//	q(z'|z) ∝ exp(−||z' − z + h∇U(z)||² / (4h)),
//
// and it is accepted with probability min(1, r),
//
//	log r = U(z) − U(z') + log q(z|z') − log q(z'|z).
//
// One potential evaluation. Returns the sum over chains of min(1, r) (0 for a non-finite
// proposal).
func (c *Chains) stepMALA(h float64, rng *rand.Rand) float64 {
	c.proposeLangevin(h, rng)
	d := c.d
	var sum float64
	for i := 0; i < c.n; i++ {
		lo, hi := i*d, (i+1)*d
		logr := malaLogRatio(c.z[lo:hi], c.zp[lo:hi], c.g[lo:hi], c.gp[lo:hi], c.u[i], c.up[i], h)
		sum += c.metropolis(i, logr, rng)
	}
	return sum
}

// malaLogRatio returns the MALA log acceptance ratio of the move z → zp,
//
//	U(z) − U(zp) − ||z − zp + h∇U(zp)||²/(4h) + ||zp − z + h∇U(z)||²/(4h),
//
// with u = U(z), up = U(zp), g = ∇U(z), gp = ∇U(zp). The division is by 4h: (4h), not 4·h.
func malaLogRatio(z, zp, g, gp []float32, u, up, h float64) float64 {
	var fwd, bwd float64 // ||zp − z + h g||², ||z − zp + h gp||²
	for k := range z {
		dz := float64(zp[k]) - float64(z[k])
		f := dz + float64(h*float64(g[k]))
		b := -dz + float64(h*float64(gp[k]))
		fwd += float64(f * f)
		bwd += float64(b * b)
	}
	return u - up + (fwd-bwd)/(4*h)
}
