//go:build wasip1

package main

import (
	"errors"
	"fmt"

	"github.com/gebm/gebm/wasm/sampler"
)

// Status codes: what a negative result of an export means. They map the
// error kinds of package sampler one to one.
const (
	statusArgument int32 = -1 // sampler.ErrArgument, and bad buffers
	statusHandle   int32 = -2 // sampler.ErrHandle
	statusModel    int32 = -3 // sampler.ErrModel
	statusState    int32 = -4 // sampler.ErrState
	statusInternal int32 = -5 // sampler.ErrInternal: a recovered panic
)

// lastErr is the text of the most recent failure, kept alive for the host
// to read.
var lastErr []byte

// status records err as the last error and returns its status code.
func status(err error) int32 {
	lastErr = []byte(err.Error())
	switch {
	case errors.Is(err, sampler.ErrHandle):
		return statusHandle
	case errors.Is(err, sampler.ErrModel):
		return statusModel
	case errors.Is(err, sampler.ErrState):
		return statusState
	case errors.Is(err, sampler.ErrInternal):
		return statusInternal
	}
	return statusArgument
}

// guard runs one export's body: a failure, or a panic in the conversion
// code, becomes a status code, so that no Go panic reaches the host.
func guard(f func() (int32, error)) (result int32) {
	defer func() {
		if r := recover(); r != nil {
			result = status(fmt.Errorf("wasi: %w: %v", sampler.ErrInternal, r))
		}
	}()
	v, err := f()
	if err != nil {
		return status(err)
	}
	return v
}

// packText returns pointer<<32 | length of b (0 for an empty text).
func packText(b []byte) uint64 {
	if len(b) == 0 {
		return 0
	}
	return uint64(address(b))<<32 | uint64(len(b))
}

// last_error returns the text of the most recent failed call as
// pointer<<32 | length (0 if no call has failed).
//
//go:wasmexport last_error
func lastError() uint64 { return packText(lastErr) }
