package train

import "fmt"

// InterruptedError is what Run returns when its context is cancelled: the
// base step in progress was finished and a checkpoint written, from which
// the run continues with Options.Resume.
type InterruptedError struct {
	Step, Steps int    // base steps done, and planned
	Checkpoint  string // the checkpoint written
	Cause       error  // the context's cause (context.Cause)
}

func (e *InterruptedError) Error() string {
	return fmt.Sprintf("interrupted by %v at base step %d of %d; wrote %s", e.Cause, e.Step, e.Steps, e.Checkpoint)
}

func (e *InterruptedError) Unwrap() error { return e.Cause }
