package sample

import "math"

// DualAveraging adapts a step size h so that the mean acceptance probability of a kernel
// approaches a target δ, by Nesterov's dual averaging as in Hoffman & Gelman (2014), "The
// No-U-Turn Sampler", Algorithm 5. After the m-th step, with acceptance probability α_m,
//
//	H̄_m       = (1 − 1/(m+t₀)) H̄_{m−1} + (δ − α_m)/(m+t₀)
//	log h_m    = μ − (√m/γ) H̄_m                       (the step size used next)
//	log h̄_m   = m^(−k) log h_m + (1 − m^(−k)) log h̄_{m−1}
//
// with μ = log(10 h₀), γ = 0.05, t₀ = 10, k = 0.75, H̄₀ = 0, log h̄₀ = 0. The step size to
// sample with after warm-up is h̄ (Final). h_m is clamped to [1e-12, 1e6] so that it
// stays a usable number however the kernel behaves. For a batch of chains, α_m is the
// mean over chains of the step's acceptance probabilities. Create one with
// NewDualAveraging; the exported constants may be changed before the first Update.
type DualAveraging struct {
	Target float64 // δ, in (0, 1)
	Gamma  float64 // γ > 0: the larger, the less the step size moves
	T0     float64 // t₀ ≥ 0: damps the first iterations
	Kappa  float64 // k in (0.5, 1]: the averaging's forgetting rate

	mu, hbar, logH, logHbar float64
	m                       int
}

const (
	minStep = 1e-12
	maxStep = 1e6
)

// NewDualAveraging returns the adaptation with Hoffman & Gelman's constants, starting from
// step size h0 > 0 and aiming at acceptance probability target.
func NewDualAveraging(h0, target float64) DualAveraging {
	return DualAveraging{
		Target: target, Gamma: 0.05, T0: 10, Kappa: 0.75,
		mu: logP(10 * h0), logH: logP(h0),
	}
}

// Update records the acceptance probability alpha of the last step (NaN counts as 0) and
// returns the step size for the next one.
func (a *DualAveraging) Update(alpha float64) float64 {
	if math.IsNaN(alpha) {
		alpha = 0
	}
	a.m++
	m := float64(a.m)
	eta := 1 / (m + a.T0)
	a.hbar = float64((1-eta)*a.hbar) + float64(eta*(a.Target-alpha))
	a.logH = a.mu - float64(math.Sqrt(m)/a.Gamma*a.hbar)
	a.logH = math.Max(logP(minStep), math.Min(logP(maxStep), a.logH))
	w := expP(-float64(a.Kappa * logP(m)))
	a.logHbar = float64(w*a.logH) + float64((1-w)*a.logHbar)
	return expP(a.logH)
}

// StepSize returns the step size to use next during adaptation, h_m.
func (a *DualAveraging) StepSize() float64 { return expP(a.logH) }

// Final returns the averaged step size h̄_m to sample with once adaptation ends (the
// current step size if Update was never called).
func (a *DualAveraging) Final() float64 {
	if a.m == 0 {
		return expP(a.logH)
	}
	return expP(a.logHbar)
}
