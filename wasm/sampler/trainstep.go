package sampler

import (
	"errors"
	"fmt"
	"time"

	"github.com/gebm/gebm/shared/train"
)

// TrainStat is what one step of TrainSteps reports: where the run is after
// it, and the statistics of its latest energy update and base update. A
// step is one base step with the energy updates before it (the schedule's
// unit), or, once all base steps are done, one energy-only update of the
// final phase.
type TrainStat struct {
	Step        int `json:"step"`        // base steps done
	FinalStep   int `json:"finalStep"`   // energy-only updates of the final phase done (0 before it)
	EnergySteps int `json:"energySteps"` // energy updates done, the final phase's included
	// Loss is the latest energy update's loss without the penalty,
	// mean(E(x)+A) + mean(exp(−(E(B(z))+A))) − 1, on its training batch;
	// KALE is −Loss, the KALE estimate of the batch.
	Loss    float64 `json:"loss"`
	KALE    float64 `json:"kale"`
	Penalty float64 `json:"penalty"` // the gradient penalty mean ||∇_x E(x̂)||², unweighted
	A       float64 `json:"a"`       // A after the step
	// AHat and ESS are the latest base update's Â = logsumexp_i(−E(B(z_i)))
	// − log N and the effective sample size 1/Σw² of its weights.
	AHat float64 `json:"aHat"`
	ESS  float64 `json:"ess"`
	// GradNormEnergy and GradNormBase are the norms of the latest updates'
	// parameter gradients.
	GradNormEnergy float64 `json:"gradNormEnergy"`
	GradNormBase   float64 `json:"gradNormBase"`
}

// TrainStatFields is the number of values of a TrainStat in its flat
// form (Values), the WASI front-end's layout.
const TrainStatFields = 11

// Values returns the fields of s in their order of declaration, as float64.
func (s TrainStat) Values() [TrainStatFields]float64 {
	return [TrainStatFields]float64{float64(s.Step), float64(s.FinalStep), float64(s.EnergySteps), s.Loss, s.KALE,
		s.Penalty, s.A, s.AHat, s.ESS, s.GradNormEnergy, s.GradNormBase}
}

// TrainState says where a training run stands and what it plans.
type TrainState struct {
	Step        int  `json:"step"`        // base steps done
	Steps       int  `json:"steps"`       // base steps planned (the options' steps)
	FinalStep   int  `json:"finalStep"`   // final-phase energy updates done
	FinalSteps  int  `json:"finalSteps"`  // final-phase energy updates planned
	EnergySteps int  `json:"energySteps"` // energy updates done
	Finished    bool `json:"finished"`    // all planned steps are done: TrainSteps makes no more
	// Stopped is the error that stopped the run (a non-finite quantity);
	// "" while it can go on.
	Stopped string  `json:"stopped"`
	Seconds float64 `json:"seconds"` // time spent in TrainSteps
}

// TrainSteps makes up to n steps of trainer tr (1 ≤ n ≤ MaxTrainSteps) and
// returns one TrainStat per step made, in dst; fewer than n once the run
// is finished (none after that). The first call starts the run: A is set
// to its Monte-Carlo estimate of log Z first. Pausing and resuming is
// calling again: n steps at a time train the same model as one call with
// all of them. A step whose arithmetic goes non-finite stops the run: the
// error wraps ErrState and names the quantity, and later calls return it.
func (s *Sampler) TrainSteps(tr Handle, n int, dst []TrainStat) (out []TrainStat, err error) {
	err = s.call("train steps", func() error {
		t, err := s.trainer(tr)
		if err != nil {
			return err
		}
		if n < 1 || n > MaxTrainSteps {
			return fmt.Errorf("%w: %d steps: must be in 1..%d", ErrArgument, n, MaxTrainSteps)
		}
		if t.stopped != nil {
			return t.stopped
		}
		start := time.Now()
		defer func() { t.seconds += time.Since(start).Seconds() }()
		if out = dst[:0]; out == nil {
			out = make([]TrainStat, 0, min(n, 256)) // not nil: none made is an empty list
		}
		c := t.t
		if !c.Started() {
			c.InitA()
		}
		for range n {
			if c.Finished() {
				break
			}
			p := c.Position()
			if p.BaseSteps < c.Opts.Steps {
				err = c.Unit()
			} else {
				err = c.FinalStep()
			}
			if err != nil {
				var nf *train.NonFiniteError
				if errors.As(err, &nf) {
					t.stopped = fmt.Errorf("%w: training stopped at base step %d (energy update %d): %v",
						ErrState, p.BaseSteps+1, c.Position().EnergySteps+1, err)
					return t.stopped
				}
				return err
			}
			out = append(out, t.stat())
		}
		return nil
	})
	return out, err
}

// stat is the TrainStat of the run's latest step.
func (t *trainer) stat() TrainStat {
	c := t.t
	p, e, b := c.Position(), c.LastEnergy, c.LastBase
	return TrainStat{Step: p.BaseSteps, FinalStep: p.FinalSteps, EnergySteps: p.EnergySteps, Loss: e.Loss, KALE: e.KALE(),
		Penalty: e.Penalty, A: c.Model.A, AHat: b.AHat, ESS: b.ESS, GradNormEnergy: e.GradNorm, GradNormBase: b.GradNorm}
}

// TrainInfo reports where trainer tr stands.
func (s *Sampler) TrainInfo(tr Handle) (st TrainState, err error) {
	err = s.call("train info", func() error {
		t, err := s.trainer(tr)
		if err != nil {
			return err
		}
		c := t.t
		p := c.Position()
		st = TrainState{Step: p.BaseSteps, Steps: c.Opts.Steps, FinalStep: p.FinalSteps, FinalSteps: c.Opts.FinalEnergySteps,
			EnergySteps: p.EnergySteps, Finished: c.Finished(), Seconds: t.seconds}
		if t.stopped != nil {
			st.Stopped = t.stopped.Error()
		}
		return nil
	})
	return st, err
}
