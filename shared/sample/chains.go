package sample

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
)

// Chains holds the state of n Markov chains on R^d targeting exp(−U) for one Potential:
// the latents z (n×d float32, row-major), the cached potential U(z_i) and gradient ∇U(z_i),
// the KLA momentum, and per-chain counts of accepted and proposed moves. Every buffer,
// scratch space included, is allocated by NewChains, so Step allocates nothing.
//
// The cache is kept exact: after any step, U and ∇U are those of the kept latents (a
// rejected proposal leaves the cache of the state the chain stays in), except after KLA,
// whose single gradient per step is taken at the half-step position; the cache is then
// recomputed at the next use.
//
// A Chains is not safe for concurrent use.
type Chains struct {
	pot  Potential
	n, d int

	z     []float32 // latents, n×d
	u     []float64 // U(z_i); +Inf stands for any non-finite value
	g     []float32 // ∇U(z_i)
	fresh bool      // u and g are those of z
	v     []float32 // KLA momentum, n×d
	vSet  bool      // v holds a momentum (else KLA draws one)

	accepted, proposed []int

	// Scratch, owned by the kernels between the start and end of one step.
	zp  []float32 // proposed latents
	gp  []float32 // ∇U at zp
	up  []float64 // U at zp
	mp  []float32 // momentum being integrated (HMC), new momentum (KLA)
	w   []float64 // per-chain scalar (HMC: initial kinetic energy)
	hs  []float64 // per-chain step size (HMC)
	bad []bool    // per-chain: the proposal is not finite
}

// NewChains returns n chains for p, all starting at z0 if len(z0) == p.Dim(), or chain i
// at z0[i*d:(i+1)*d] if len(z0) == n*p.Dim(). z0 is copied. It evaluates p once, and
// fails if a starting point, its potential or its gradient is not finite.
func NewChains(p Potential, z0 []float32, n int) (*Chains, error) {
	if p == nil {
		return nil, errors.New("sample: nil potential")
	}
	d := p.Dim()
	if d < 1 {
		return nil, fmt.Errorf("sample: potential dimension %d < 1", d)
	}
	if n < 1 {
		return nil, fmt.Errorf("sample: %d chains: need at least 1", n)
	}
	nd := n * d
	c := &Chains{
		pot: p, n: n, d: d,
		z: make([]float32, nd), u: make([]float64, n), g: make([]float32, nd),
		v:        make([]float32, nd),
		accepted: make([]int, n), proposed: make([]int, n),
		zp: make([]float32, nd), gp: make([]float32, nd), up: make([]float64, n),
		mp: make([]float32, nd), w: make([]float64, n), hs: make([]float64, n), bad: make([]bool, n),
	}
	if err := c.SetZ(z0); err != nil {
		return nil, err
	}
	return c, nil
}

// SetZ moves the chains to z (one point for all chains, or one per chain, as in
// NewChains) and evaluates the potential there. On error the chains are unchanged.
// Counts and the KLA momentum are kept.
func (c *Chains) SetZ(z []float32) error {
	d := c.d
	switch len(z) {
	case c.n * d:
		copy(c.zp, z)
	case d:
		for i := 0; i < c.n; i++ {
			copy(c.zp[i*d:(i+1)*d], z)
		}
	default:
		return fmt.Errorf("sample: %d starting values for %d chains of dimension %d: want %d or %d",
			len(z), c.n, d, d, c.n*d)
	}
	for k, x := range c.zp {
		if !finite32(x) {
			return fmt.Errorf("sample: starting value %d of chain %d is %v", k%d, k/d, x)
		}
	}
	c.pot.Eval(c.zp, c.up, c.gp)
	for i := 0; i < c.n; i++ {
		if !c.proposalOK(i) {
			return fmt.Errorf("sample: chain %d: potential or gradient not finite at the starting point (U = %v)", i, c.up[i])
		}
	}
	copy(c.z, c.zp)
	copy(c.u, c.up)
	copy(c.g, c.gp)
	c.fresh = true
	return nil
}

// N returns the number of chains.
func (c *Chains) N() int { return c.n }

// Dim returns the dimension of each chain's state.
func (c *Chains) Dim() int { return c.d }

// Potential returns the potential the chains target.
func (c *Chains) Potential() Potential { return c.pot }

// Z returns the latents, n×d row-major: chain i is Z()[i*d:(i+1)*d]. The slice is the
// chains' own storage, updated in place by every step; do not modify it (use SetZ).
func (c *Chains) Z() []float32 { return c.z }

// U returns U(z_i) for each chain (+Inf where the potential is not finite, which can only
// happen at a KLA end point), evaluating the potential first if the cache is stale. The
// slice is the chains' own storage; do not modify it.
func (c *Chains) U() []float64 {
	c.refresh()
	return c.u
}

// Grad returns ∇U(z_i) for each chain, n×d, like U.
func (c *Chains) Grad() []float32 {
	c.refresh()
	return c.g
}

// Momentum returns the KLA momentum, n×d (all zero before the first KLA step, which draws
// it from N(0, I)). The slice is the chains' own storage; do not modify it.
func (c *Chains) Momentum() []float32 { return c.v }

// ResetMomentum makes the next KLA step draw a fresh momentum from N(0, I).
func (c *Chains) ResetMomentum() { c.vSet = false }

// Accepted returns the number of accepted moves of each chain since creation or
// ResetCounts. The slice is the chains' own storage; do not modify it.
func (c *Chains) Accepted() []int { return c.accepted }

// Proposed returns the number of proposed moves of each chain, like Accepted.
func (c *Chains) Proposed() []int { return c.proposed }

// ResetCounts sets the accepted and proposed counts to zero.
func (c *Chains) ResetCounts() {
	clear(c.accepted)
	clear(c.proposed)
}

// AcceptRates stores accepted/proposed for each chain in dst (reallocated if it is too
// short) and returns it; a chain with no proposal has rate 0.
func (c *Chains) AcceptRates(dst []float64) []float64 {
	if cap(dst) < c.n {
		dst = make([]float64, c.n)
	}
	dst = dst[:c.n]
	for i := range dst {
		dst[i] = 0
		if c.proposed[i] > 0 {
			dst[i] = float64(c.accepted[i]) / float64(c.proposed[i])
		}
	}
	return dst
}

// Step advances every chain by one transition of the kernel cfg selects (cfg.Method,
// StepSize, Leapfrog, Friction; the other fields are ignored), drawing randomness from rng.
// It returns the mean over chains of the acceptance probability of this step:
// min(1, exp(log r)) for the Metropolis-Hastings kernels, and for ULA and KLA the fraction
// of chains whose move was finite. It allocates nothing unless cfg is invalid.
func (c *Chains) Step(cfg Config, rng *rand.Rand) (float64, error) {
	if err := cfg.validateKernel(); err != nil {
		return 0, err
	}
	if rng == nil {
		return 0, errNilRand
	}
	h := cfg.StepSize
	var sum float64
	switch cfg.Method {
	case ULA:
		sum = c.stepULA(h, rng)
	case MALA:
		sum = c.stepMALA(h, rng)
	case HMC:
		sum = c.stepHMC(h, cfg.Leapfrog, cfg.Jitter, rng)
	case KLA:
		sum = c.stepKLA(h, cfg.Friction, rng)
	case MH:
		sum = c.stepMH(h, rng)
	case IMH:
		sum = c.stepIMH(rng)
	}
	return sum / float64(c.n), nil
}

var errNilRand = errors.New("sample: nil *rand.Rand")

// refresh makes the cache hold U and ∇U at z.
func (c *Chains) refresh() {
	if c.fresh {
		return
	}
	c.pot.Eval(c.z, c.u, c.g)
	for i, x := range c.u {
		if math.IsNaN(x) || math.IsInf(x, -1) {
			c.u[i] = math.Inf(1)
		}
	}
	c.fresh = true
}

// guard marks chain i's proposal bad, and puts its current latents in its proposal row so
// that the potential never sees a non-finite point, if that row is not finite.
func (c *Chains) guard(i int) {
	row := c.zp[i*c.d : (i+1)*c.d]
	if !c.bad[i] && allFinite32(row) {
		return
	}
	c.bad[i] = true
	copy(row, c.z[i*c.d:(i+1)*c.d])
}

// proposalOK reports whether chain i's proposal and its potential and gradient are finite.
func (c *Chains) proposalOK(i int) bool {
	return !c.bad[i] && finite64(c.up[i]) && allFinite32(c.gp[i*c.d:(i+1)*c.d])
}

// accept moves chain i to its proposal, with the proposal's U and ∇U.
func (c *Chains) accept(i int) {
	lo, hi := i*c.d, (i+1)*c.d
	copy(c.z[lo:hi], c.zp[lo:hi])
	copy(c.g[lo:hi], c.gp[lo:hi])
	c.u[i] = c.up[i]
	c.accepted[i]++
}

// metropolis decides a Metropolis-Hastings move of chain i with log acceptance ratio logr:
// it counts the proposal, accepts with probability min(1, exp(logr)) if the proposal is
// finite (NaN logr rejects, +Inf accepts), and returns that probability (0 if rejected
// for being non-finite). It always draws one uniform, so the random stream does not
// depend on the outcome.
func (c *Chains) metropolis(i int, logr float64, rng *rand.Rand) float64 {
	r := rng.Float64()
	c.proposed[i]++
	if !c.proposalOK(i) || math.IsNaN(logr) {
		return 0
	}
	alpha := 1.0
	if logr < 0 {
		alpha = expP(logr)
	}
	if r < alpha {
		c.accept(i)
	}
	return alpha
}
