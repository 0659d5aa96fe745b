package sampler

import "errors"

// The kinds of error a call returns; every error wraps exactly one of them,
// so that a front-end can map it to a status code with errors.Is.
var (
	// ErrArgument: an argument is out of range or malformed (a NaN step
	// size, an unknown method, a buffer of the wrong length, ...).
	ErrArgument = errors.New("invalid argument")
	// ErrHandle: the handle names nothing open, or an object of the other
	// kind (a chain set where a model is needed, or the reverse).
	ErrHandle = errors.New("invalid handle")
	// ErrModel: the model file is corrupt, truncated or not a model file.
	ErrModel = errors.New("invalid model file")
	// ErrState: an object cannot take the requested state: chains (a
	// starting point, or a new β, where the potential or its gradient is not
	// finite), or a trainer whose step went non-finite (it takes no more
	// steps).
	ErrState = errors.New("invalid chain state")
	// ErrInternal: a panic inside the call, recovered. The Sampler stays
	// usable; the object the call worked on may not be.
	ErrInternal = errors.New("internal error")
)
