package sample

import (
	"errors"
	"fmt"
	"math"
)

// Config selects a kernel and its parameters, and how Run drives it.
type Config struct {
	Method Method

	// StepSize is h > 0 (ignored by IMH). For MALA and HMC with Warmup > 0 it is the
	// initial value of the adaptation.
	StepSize float64
	// Leapfrog is the number L ≥ 1 of leapfrog steps per HMC transition.
	Leapfrog int
	// Jitter, in [0, 1), makes each HMC transition draw each chain's step size uniformly
	// from [h(1 − Jitter), h(1 + Jitter)] (Neal 2011, "MCMC using Hamiltonian dynamics",
	// §5.4.2.2): a mixture of exact kernels, hence exact, which breaks the periodicities of
	// trajectories of fixed length and smooths the acceptance rate as a function of h,
	// which helps adaptation. 0: no jitter.
	Jitter float64
	// Friction is κ ≥ 0 for KLA (0: Hamiltonian dynamics without momentum refresh).
	Friction float64

	// Steps is the number of sampling steps Run performs after warm-up.
	Steps int
	// Thin records every Thin-th sampling step (0 means 1).
	Thin int
	// Warmup is the number of steps Run performs before sampling, recording nothing:
	// for MALA and HMC they adapt the step size by dual averaging; for the other
	// methods they are plain burn-in.
	Warmup int
	// TargetAccept is the acceptance rate warm-up adapts to, in (0, 1); 0 means the
	// method's DefaultTargetAccept.
	TargetAccept float64
	// Keep asks Run to collect the recorded latents in Result.Samples.
	Keep bool
}

// ErrConfig is wrapped by every error that Validate returns.
var ErrConfig = errors.New("sample: invalid configuration")

// Validate reports the first parameter of c that is absurd for its method.
func (c Config) Validate() error {
	if err := c.validateKernel(); err != nil {
		return err
	}
	switch {
	case c.Steps < 0:
		return fmt.Errorf("%w: steps %d < 0", ErrConfig, c.Steps)
	case c.Thin < 0:
		return fmt.Errorf("%w: thin %d < 0", ErrConfig, c.Thin)
	case c.Warmup < 0:
		return fmt.Errorf("%w: warm-up %d < 0", ErrConfig, c.Warmup)
	case math.IsNaN(c.TargetAccept) || c.TargetAccept < 0 || c.TargetAccept >= 1:
		return fmt.Errorf("%w: target acceptance %v not in (0, 1) (0 for the default)", ErrConfig, c.TargetAccept)
	}
	return nil
}

// validateKernel checks the fields that Step uses. It allocates only on failure.
func (c Config) validateKernel() error {
	if !c.Method.valid() {
		return fmt.Errorf("%w: method %q: want one of ula, mala, hmc, kla, mh, imh", ErrConfig, string(c.Method))
	}
	if c.Method != IMH && !(c.StepSize > 0 && !math.IsInf(c.StepSize, 1)) {
		return fmt.Errorf("%w: step size %v for %s: must be finite and > 0", ErrConfig, c.StepSize, c.Method)
	}
	if c.Method == HMC && c.Leapfrog < 1 {
		return fmt.Errorf("%w: leapfrog steps %d for hmc: must be ≥ 1", ErrConfig, c.Leapfrog)
	}
	if c.Leapfrog < 0 {
		return fmt.Errorf("%w: leapfrog steps %d < 0", ErrConfig, c.Leapfrog)
	}
	if !(c.Jitter >= 0 && c.Jitter < 1) {
		return fmt.Errorf("%w: jitter %v: must be in [0, 1)", ErrConfig, c.Jitter)
	}
	if !(c.Friction >= 0 && !math.IsInf(c.Friction, 1)) {
		return fmt.Errorf("%w: friction %v: must be finite and ≥ 0", ErrConfig, c.Friction)
	}
	return nil
}

func (c Config) thin() int {
	if c.Thin == 0 {
		return 1
	}
	return c.Thin
}

func (c Config) target() float64 {
	if c.TargetAccept == 0 {
		return c.Method.DefaultTargetAccept()
	}
	return c.TargetAccept
}
