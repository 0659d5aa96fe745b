//go:build wasip1

// Command wasi is gebm's sampler as a WASI reactor module: the calls of
// package wasm/sampler exported with //go:wasmexport, for hosts such as
// wazero (the tests in wasm/internal/wasihost) or a browser with a WASI shim. Build
// it with
//
//	GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared -o gebm-wasi.wasm ./wasm/internal/wasi
//
// and call the export "_initialize" once before any other.
//
// Conventions, for every export:
//   - Handles, counts and status are int32. A negative result is a status
//     code (see the status constants); the text of the last failure is
//     read with last_error.
//   - Arrays pass through linear memory, in buffers the host obtains from
//     mem_alloc and returns with mem_free. An export that reads or writes an
//     array takes a pointer into such a buffer and a count of values
//     (float32, or float64 where stated), and returns the number of values
//     it wrote; a buffer too small is an error, not a partial write.
//   - describe writes JSON text into a host buffer, like the arrays;
//     last_error returns one uint64, pointer<<32 | length, into
//     module-owned memory that stays valid until the next failure.
//   - Memory may grow during any call: a host re-reads its view of memory
//     after every call.
//
// No sampling or model logic lives here: each export converts its
// arguments, calls the sampler and converts the result.
package main

import "github.com/gebm/gebm/wasm/sampler"

// smp is the module's one sampler: every export works on it.
var smp = sampler.New()

func main() {}
