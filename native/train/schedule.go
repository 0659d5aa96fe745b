package train

// schedule is the position in the reference's schedule: Warmup energy-only
// steps before the first base step, NCritic energy steps before every base
// step, and BurstLen more before every BurstEvery-th base step.
type schedule struct {
	baseSteps   int // base updates done
	energySteps int // energy updates done
	finalSteps  int // energy-only updates of the final phase done after the last base update
}

// energyStepsBefore is the number of energy steps that precede base step
// number baseSteps (counting from 0).
func (s schedule) energyStepsBefore(o *Options) int {
	n := o.NCritic
	if s.baseSteps == 0 {
		n += o.Warmup
	}
	if o.BurstEvery > 0 && s.baseSteps > 0 && s.baseSteps%o.BurstEvery == 0 {
		n += o.BurstLen
	}
	return n
}
