package sampler

import (
	"errors"
	"fmt"

	"github.com/gebm/gebm/shared/sample"
)

// SIRResult describes one SIR draw of a chain set: the importance weights
// w_j = exp(−β E(B(z_j))) of its pool of generator latents (see
// sample.SIRStats). Its JSON form (the field tags) is what the browser's
// front-end hands out.
type SIRResult struct {
	// Pool is the number M of generator latents drawn.
	Pool int `json:"pool"`
	// ESS is the effective sample size (Σw)²/Σw², in [1, M].
	ESS float64 `json:"ess"`
	// LogSumW and LogSumW2 are log Σw and log Σw²: the pools of several
	// chain sets (a page's workers) merge through them, the ESS of the union
	// being exp(2 logsumexp(LogSumW) − logsumexp(LogSumW2)).
	LogSumW  float64 `json:"logSumW"`
	LogSumW2 float64 `json:"logSumW2"`
	// Zero is the number of pool latents whose energy was not finite
	// (weight 0).
	Zero int `json:"zero"`
	// Distinct is the number of different pool latents the chains took.
	Distinct int `json:"distinct"`
}

// SIR moves the n chains of set c to n latents drawn by
// sampling–importance–resampling from the set's target, the latent posterior
// ν(z) ∝ N(z; 0, I) exp(−β E(B(z))) at the set's β: poolPer·n latents
// z_j ~ N(0, I) are weighted by w_j = exp(−β E(B(z_j))) and n of them
// resampled (systematic resampling, sample.SIR). The new latents do not
// depend on the chains' old ones: each call is a fresh, independent draw,
// exact as poolPer grows (at β = 1, the GEBM itself). The pool is drawn from
// the set's random stream, so the same seed and calls give the same chains;
// it is evaluated in batches of max(n, sample.DefaultSIRBatch) latents, at
// most the model's MaxChains.
//
// poolPer must be in 1..MaxSIRPoolPerChain and poolPer·n at most MaxSIRPool.
// It fails with ErrState, leaving the chains where they were, if no pool
// latent has a finite energy, or if the potential or its gradient is not
// finite at a resampled latent. The acceptance counts (Accept) and the KLA
// momentum are kept.
func (s *Sampler) SIR(c Handle, poolPer int) (res SIRResult, err error) {
	err = s.call("sir", func() error {
		cs, err := s.chainSet(c)
		if err != nil {
			return err
		}
		if poolPer < 1 || poolPer > MaxSIRPoolPerChain {
			return fmt.Errorf("%w: pool = %d latents per chain: must be in 1..%d", ErrArgument, poolPer, MaxSIRPoolPerChain)
		}
		if poolPer > MaxSIRPool/cs.n {
			return fmt.Errorf("%w: pool = %d latents per chain for %d chains: at most %d latents in all (%d per chain)",
				ErrArgument, poolPer, cs.n, MaxSIRPool, MaxSIRPool/cs.n)
		}
		g, d := cs.om.g, cs.ch.Dim()
		z := cs.z[:0]
		// Batches as large as the chain set, or DefaultSIRBatch: no larger
		// activations than the chains' own or a small set's.
		batch := min(cs.om.maxBatch(), max(cs.n, sample.DefaultSIRBatch))
		st, err := sample.SIR(g.Tilt(cs.pot.Beta()), sample.SIRConfig{N: cs.n, Pool: poolPer * cs.n, Batch: batch}, cs.rng,
			func(chunk []float32) error { z = append(z, chunk...); return nil })
		if errors.Is(err, sample.ErrSIRWeights) {
			return fmt.Errorf("%w: β = %g: %v", ErrState, cs.pot.Beta(), err)
		}
		if err != nil {
			return fmt.Errorf("%w: %v", ErrArgument, err)
		}
		if len(z) != cs.n*d {
			return fmt.Errorf("%w: SIR returned %d latent values for %d chains of dimension %d", ErrInternal, len(z), cs.n, d)
		}
		if err := cs.ch.SetZ(z); err != nil {
			return fmt.Errorf("%w: %v", ErrState, err)
		}
		res = SIRResult{Pool: st.Pool, ESS: st.ESS, LogSumW: st.LogSumW, LogSumW2: st.LogSumW2, Zero: st.Zero, Distinct: st.Distinct}
		return nil
	})
	return res, err
}
