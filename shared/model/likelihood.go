package model

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
)

// The EBM reduction (the paper's sanity case): when the base is a flow with
// density q, the GEBM is an ordinary energy-based model with density
//
//	p(x) = q(x) exp(−E(x)) / Z,   Z = E_{x~q}[exp(−E(x))] = E_{z~N(0,I)}[exp(−E(B(z)))],
//
// so its likelihood can be measured. Z is estimated by importance sampling
// from the flow itself (the flow is the proposal, exp(−E) the weight).

// LogZEstimate is an importance-sampling estimate of log Z.
type LogZEstimate struct {
	LogZ float64 // log of the mean weight, log (1/n) Σ_i exp(−E(B(z_i)))
	// SE is the delta-method standard error of LogZ: with w_i = exp(−E_i),
	// se(log Ẑ) ≈ sd(w) / (√n · mean(w)).
	SE float64
	N  int // samples
	// ESS is the effective sample size of the weights, (Σ w)² / Σ w².
	ESS float64
}

// logZBatch is the number of latents LogZ maps through the base at once.
const logZBatch = 4096

// LogZ estimates log Z = log E_{z~N(0,I)}[exp(−E(B(z)))] from n latents
// drawn from rng, in batches of at most 4096.
func (g *GEBM) LogZ(rng *rand.Rand, n int) (LogZEstimate, error) {
	if n < 2 {
		return LogZEstimate{}, fmt.Errorf("model: LogZ: %d samples, need at least 2", n)
	}
	negE := make([]float64, 0, n)
	z := make([]float32, min(n, logZBatch)*g.Latent())
	var x, e []float32
	for done := 0; done < n; {
		b := min(logZBatch, n-done)
		SampleLatents(rng, z[:b*g.Latent()])
		x = g.Generate(z, b, x)
		e = g.Energies(x, b, e)
		for _, v := range e[:b] {
			negE = append(negE, -float64(v))
		}
		done += b
	}
	shift := math.Inf(-1)
	for _, v := range negE {
		shift = max(shift, v)
	}
	if math.IsInf(shift, 0) || math.IsNaN(shift) {
		return LogZEstimate{}, errors.New("model: LogZ: the energy is not finite on the base's samples")
	}
	// w_i = exp(−E_i − shift) ∈ (0, 1]: the shift cancels in every ratio.
	var s, s2 float64
	for _, v := range negE {
		w := math.Exp(v - shift)
		s += w
		s2 += w * w
	}
	fn := float64(n)
	mean := s / fn
	variance := max(0, (s2-fn*mean*mean)/(fn-1))
	return LogZEstimate{LogZ: shift + math.Log(mean), SE: math.Sqrt(variance/fn) / mean, N: n, ESS: s * s / s2}, nil
}

// LogLikelihoods writes, for the n rows of x, the flow's log-density
// log q(x_i) into flow and the GEBM's log q(x_i) − E(x_i) − logZ into gebm.
// The base must be a flow (IsFlow).
func (g *GEBM) LogLikelihoods(x []float32, n int, logZ float64, flow, gebm []float64) error {
	if !g.IsFlow() {
		return errors.New("model: the base is not a flow, so the model has no density (train with --base realnvp)")
	}
	g.Base.LogDensity(x, n, flow)
	e := g.Energies(x, n, nil)
	for i := range n {
		gebm[i] = flow[i] - float64(e[i]) - logZ
	}
	return nil
}
