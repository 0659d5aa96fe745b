package sample

import "math/rand/v2"

// Observer is called by Run at every recorded step with the record's index (0, 1, ...),
// the chains' latents (n×d) and their potentials (n). The slices are the chains' own
// storage, valid only during the call: copy what you keep, modify nothing.
type Observer func(rec int, z []float32, u []float64)

// Result is what Run reports about its sampling phase (warm-up excluded).
type Result struct {
	// StepSize is the step size of the sampling phase: cfg.StepSize, or the adapted one.
	StepSize float64
	// AcceptRate is, for each chain, its accepted/proposed moves during sampling (for ULA
	// and KLA, the fraction of moves that were finite).
	AcceptRate []float64
	// Energy is the mean over chains of U(z) at each recorded step.
	Energy []float64
	// Samples holds, if cfg.Keep, the latents at each recorded step: record r, chain i
	// is Samples[(r*n+i)*d : (r*n+i+1)*d].
	Samples []float32
}

// MeanAccept returns the mean of r.AcceptRate.
func (r *Result) MeanAccept() float64 {
	var s float64
	for _, a := range r.AcceptRate {
		s += a
	}
	return s / float64(len(r.AcceptRate))
}

// Run validates cfg, then performs cfg.Warmup warm-up steps and cfg.Steps sampling steps,
// recording every cfg.Thin-th sampling step: its mean potential goes to Result.Energy,
// its latents to Result.Samples if cfg.Keep, and obs (if not nil) sees them. During
// warm-up, MALA and HMC adapt their step size by DualAveraging towards cfg.TargetAccept
// (or the method's default) and then sample with the averaged step size; the other
// methods just run. Run allocates its Result up front and nothing per step, except that
// after KLA steps a recorded step evaluates the potential once more (KLA's own gradient
// is at the half-step position), so choose Thin accordingly.
//
// On error the chains may have advanced: they remain a valid state.
func (c *Chains) Run(cfg Config, rng *rand.Rand, obs Observer) (*Result, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if rng == nil {
		return nil, errNilRand
	}
	k := cfg // the kernel's parameters; its StepSize changes during adaptation
	if cfg.Method.Adapts() && cfg.Warmup > 0 {
		da := NewDualAveraging(cfg.StepSize, cfg.target())
		for range cfg.Warmup {
			alpha, err := c.Step(k, rng)
			if err != nil {
				return nil, err
			}
			k.StepSize = da.Update(alpha)
		}
		k.StepSize = da.Final()
	} else {
		for range cfg.Warmup {
			if _, err := c.Step(k, rng); err != nil {
				return nil, err
			}
		}
	}

	thin := cfg.thin()
	records := cfg.Steps / thin
	res := &Result{StepSize: k.StepSize, Energy: make([]float64, 0, records)}
	if cfg.Keep {
		res.Samples = make([]float32, 0, records*c.n*c.d)
	}
	acc0 := make([]int, c.n)
	prop0 := make([]int, c.n)
	copy(acc0, c.accepted)
	copy(prop0, c.proposed)
	for s := 1; s <= cfg.Steps; s++ {
		if _, err := c.Step(k, rng); err != nil {
			return nil, err
		}
		if s%thin != 0 {
			continue
		}
		u := c.U()
		var e float64
		for _, x := range u {
			e += x
		}
		res.Energy = append(res.Energy, e/float64(c.n))
		if cfg.Keep {
			res.Samples = append(res.Samples, c.z...)
		}
		if obs != nil {
			obs(len(res.Energy)-1, c.z, u)
		}
	}
	res.AcceptRate = make([]float64, c.n)
	for i := range res.AcceptRate {
		if p := c.proposed[i] - prop0[i]; p > 0 {
			res.AcceptRate[i] = float64(c.accepted[i]-acc0[i]) / float64(p)
		}
	}
	return res, nil
}
