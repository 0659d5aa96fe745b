package sample

import (
	"fmt"
	"strings"
)

// Method names a Markov kernel. Its values are the lower-case names that ParseMethod
// accepts.
type Method string

// The kernels. h is Config.StepSize, ξ ~ N(0, I) is drawn afresh at every use, and
// "rejected" means the chain keeps its state (and its cached U and ∇U).
const (
	// ULA is the unadjusted Langevin algorithm, z' = z − h∇U(z) + √(2h)ξ: every finite
	// move is taken. Its stationary law is biased by O(h): for U = z²/(2σ²) its variance
	// is σ²/(1 − h/(2σ²)). One evaluation per step.
	ULA Method = "ula"

	// MALA is the Metropolis-adjusted Langevin algorithm: the ULA proposal z', accepted
	// with probability min(1, r), log r = U(z) − U(z') + log q(z|z') − log q(z'|z),
	// log q(z'|z) = −||z' − z + h∇U(z)||²/(4h). Exact. One evaluation per step.
	MALA Method = "mala"

	// HMC is Hamiltonian Monte Carlo: v ~ N(0, I), Config.Leapfrog leapfrog steps of size
	// h (optionally jittered, see Config.Jitter) for H(z, v) = U(z) + ||v||²/2, and the end
	// point accepted with probability min(1, exp(H(z, v) − H(z', v'))). Exact. The first
	// half kick reuses the cached gradient, which a rejection leaves as that of the kept
	// state. Leapfrog evaluations per step.
	HMC Method = "hmc"

	// KLA is the kinetic (underdamped) Langevin algorithm with friction κ =
	// Config.Friction, C = exp(−κh), D = √(1 − C²):
	//
	//	z += (h/2)v; g = ∇U(z); v −= (h/2)g; v = Cv + Dξ; v −= (h/2)g; z += (h/2)v.
	//
	// One evaluation per step, at the half-step point, used by both momentum half steps.
	// The momentum v persists across steps (Chains.Momentum; drawn from N(0, I) at the
	// first KLA step). Biased by O(h²) (for a Gaussian target the position marginal is
	// exact and the momentum's is not). A step whose half-step point, potential or
	// gradient there, or result is not finite is rejected and reverses the momentum, so
	// that the next half-step point is back where the chain came from. Because the end
	// point of a step is not evaluated, a KLA chain can stand, for a step or so, at a
	// finite point where U is not finite; Chains.U then reports +Inf there.
	KLA Method = "kla"

	// MH is random-walk Metropolis-Hastings: z' = z + hξ, accepted with probability
	// min(1, exp(U(z) − U(z'))). Exact, gradient-free (the gradient is still computed,
	// to keep the cache whole). One evaluation per step.
	MH Method = "mh"

	// IMH is independent Metropolis-Hastings with proposals z' ~ N(0, I), accepted with
	// probability min(1, exp(U(z) − U(z') + ||z'||²/2 − ||z||²/2)). Exact for any U; it
	// mixes well when U is ||z||²/2 plus a bounded term, as the GEBM latent posterior at
	// β = 1, where the ratio reduces to exp(E(B(z)) − E(B(z'))). Ignores StepSize. One
	// evaluation per step.
	IMH Method = "imh"
)

// Methods returns every Method, in a fixed order, in a new slice.
func Methods() []Method { return []Method{ULA, MALA, HMC, KLA, MH, IMH} }

// ParseMethod returns the Method named s (case and surrounding space ignored).
func ParseMethod(s string) (Method, error) {
	m := Method(strings.ToLower(strings.TrimSpace(s)))
	if m.valid() {
		return m, nil
	}
	return "", fmt.Errorf("sample: unknown method %q (want one of ula, mala, hmc, kla, mh, imh)", s)
}

func (m Method) valid() bool {
	switch m {
	case ULA, MALA, HMC, KLA, MH, IMH:
		return true
	}
	return false
}

// String returns the method's name.
func (m Method) String() string { return string(m) }

// UsesGradient reports whether the kernel needs ∇U (ULA, MALA, HMC, KLA).
func (m Method) UsesGradient() bool { return m == ULA || m == MALA || m == HMC || m == KLA }

// Exact reports whether the kernel leaves exp(−U) exactly invariant (it has a
// Metropolis-Hastings correction); ULA and KLA are biased by their step size.
func (m Method) Exact() bool { return m == MALA || m == HMC || m == MH || m == IMH }

// Adapts reports whether Run adapts the step size during warm-up (MALA and HMC).
func (m Method) Adapts() bool { return m == MALA || m == HMC }

// DefaultTargetAccept returns the acceptance rate that warm-up adapts to: 0.574 for MALA
// (Roberts & Rosenthal 1998), 0.65 for HMC (Beskos et al. 2013), 0 otherwise.
func (m Method) DefaultTargetAccept() float64 {
	switch m {
	case MALA:
		return 0.574
	case HMC:
		return 0.65
	}
	return 0
}
