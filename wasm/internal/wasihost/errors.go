package wasihost

import (
	"errors"
	"fmt"

	"github.com/gebm/gebm/wasm/sampler"
)

// StatusError is a call that the module refused: its status code and the
// text last_error returned. errors.Is matches it against the sampler's error
// kinds (sampler.ErrArgument, ErrHandle, ErrModel, ErrState, ErrInternal).
type StatusError struct {
	Call    string
	Code    int32
	Message string
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("%s: status %d: %s", e.Call, e.Code, e.Message)
}

// Is reports whether the status code is that of target's kind.
func (e *StatusError) Is(target error) bool {
	kinds := map[int32]error{-1: sampler.ErrArgument, -2: sampler.ErrHandle, -3: sampler.ErrModel,
		-4: sampler.ErrState, -5: sampler.ErrInternal}
	return kinds[e.Code] == target
}

// ErrTrapped is wrapped by every error of an instance that has trapped.
var ErrTrapped = errors.New("wasihost: the instance trapped; instantiate a new one")

// TrapError is a call that trapped (the WebAssembly execution aborted),
// with what the module wrote to stderr before it did.
type TrapError struct {
	Call   string
	Err    error
	Stderr string
}

func (e *TrapError) Error() string {
	s := fmt.Sprintf("%s: trap: %v", e.Call, e.Err)
	if e.Stderr != "" {
		s += "\nmodule stderr:\n" + e.Stderr
	}
	return s
}

func (e *TrapError) Unwrap() []error { return []error{ErrTrapped, e.Err} }
