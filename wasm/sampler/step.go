package sampler

import (
	"fmt"

	"github.com/gebm/gebm/shared/sample"
)

// StepParams selects a kernel of package sample and its parameters, and how
// many transitions one Step call performs.
type StepParams struct {
	// Method is one of ula, mala, hmc, kla, mh, imh (see sample.Method).
	Method string
	// StepSize is h > 0 (ignored by imh).
	StepSize float64
	// Leapfrog is the number of leapfrog steps of an hmc transition, in
	// 1..MaxLeapfrog; ignored by the other methods.
	Leapfrog int
	// Friction is κ ≥ 0 for kla; ignored by the other methods.
	Friction float64
	// Steps is the number of transitions, in 1..MaxSteps.
	Steps int
}

// config validates p and turns it into the kernel's configuration.
func (p StepParams) config() (sample.Config, error) {
	m, err := sample.ParseMethod(p.Method)
	if err != nil {
		return sample.Config{}, fmt.Errorf("%w: method %q: want one of ula, mala, hmc, kla, mh, imh", ErrArgument, p.Method)
	}
	if p.Steps < 1 || p.Steps > MaxSteps {
		return sample.Config{}, fmt.Errorf("%w: steps = %d: must be in 1..%d", ErrArgument, p.Steps, MaxSteps)
	}
	if m != sample.IMH && !(p.StepSize > 0 && p.StepSize < 1e6) {
		return sample.Config{}, fmt.Errorf("%w: step size %v for %s: must be a number in (0, 1e6)", ErrArgument, p.StepSize, m)
	}
	leapfrog := 0
	if m == sample.HMC {
		if p.Leapfrog < 1 || p.Leapfrog > MaxLeapfrog {
			return sample.Config{}, fmt.Errorf("%w: leapfrog = %d for hmc: must be in 1..%d", ErrArgument, p.Leapfrog, MaxLeapfrog)
		}
		leapfrog = p.Leapfrog
	}
	friction := 0.0
	if m == sample.KLA {
		if !(p.Friction >= 0 && p.Friction < 1e6) {
			return sample.Config{}, fmt.Errorf("%w: friction %v for kla: must be a number in [0, 1e6)", ErrArgument, p.Friction)
		}
		friction = p.Friction
	}
	cfg := sample.Config{Method: m, StepSize: p.StepSize, Leapfrog: leapfrog, Friction: friction}
	if m == sample.IMH {
		cfg.StepSize = 1 // ignored; keeps the configuration valid whatever the caller sent
	}
	if err := cfg.Validate(); err != nil {
		return sample.Config{}, fmt.Errorf("%w: %v", ErrArgument, err)
	}
	return cfg, nil
}

// Step performs p.Steps transitions of every chain of set c and returns the
// mean, over those transitions, of each transition's mean acceptance
// probability over chains (for ULA and KLA: the fraction of finite moves).
// The per-chain acceptance counts start again at zero (see Accept).
func (s *Sampler) Step(c Handle, p StepParams) (acc float64, err error) {
	err = s.call("step", func() error {
		cs, err := s.chainSet(c)
		if err != nil {
			return err
		}
		cfg, err := p.config()
		if err != nil {
			return err
		}
		cs.ch.ResetCounts()
		var sum float64
		for range p.Steps {
			a, err := cs.ch.Step(cfg, cs.rng)
			if err != nil {
				return fmt.Errorf("%w: %v", ErrArgument, err)
			}
			sum += a
		}
		acc = sum / float64(p.Steps)
		return nil
	})
	return acc, err
}
