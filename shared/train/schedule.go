package train

// Position is the place of a run in the schedule: Warmup energy-only
// steps before the first base step, NCritic energy steps before every base
// step, BurstLen more before every BurstEvery-th base step, and after the
// last base step the final energy-only phase.
type Position struct {
	BaseSteps   int // base updates done
	EnergySteps int // energy updates done, the final phase's included
	FinalSteps  int // energy-only updates of the final phase done after the last base update
}

// energyStepsBefore is the number of energy steps that precede base step
// number p.BaseSteps (counting from 0).
func (p Position) energyStepsBefore(o *Options) int {
	n := o.NCritic
	if p.BaseSteps == 0 {
		n += o.Warmup
	}
	if o.BurstEvery > 0 && p.BaseSteps > 0 && p.BaseSteps%o.BurstEvery == 0 {
		n += o.BurstLen
	}
	return n
}
