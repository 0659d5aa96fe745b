package train

import "fmt"

// InterruptedError is what Run returns when its context is cancelled: the
// base step in progress was finished and a checkpoint written, from which
// the run continues with Options.Resume.
type InterruptedError struct {
	Step, Steps int // base steps done, and planned
	// FinalStep and FinalSteps: energy-only updates of the final phase done,
	// and planned (0 and 0 when interrupted before the phase).
	FinalStep, FinalSteps int
	Checkpoint            string // the checkpoint written
	Cause                 error  // the context's cause (context.Cause)
}

func (e *InterruptedError) Error() string {
	if e.FinalStep > 0 {
		return fmt.Sprintf("interrupted by %v after all %d base steps, at final energy-only step %d of %d; wrote %s",
			e.Cause, e.Steps, e.FinalStep, e.FinalSteps, e.Checkpoint)
	}
	return fmt.Sprintf("interrupted by %v at base step %d of %d; wrote %s", e.Cause, e.Step, e.Steps, e.Checkpoint)
}

func (e *InterruptedError) Unwrap() error { return e.Cause }
