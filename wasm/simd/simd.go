// Package simd holds gebm's matrix-multiply kernel for WebAssembly SIMD128
// (gemm.c, built into gemm.wasm by build.sh with clang and lld) and what the
// hosts of gebm's WebAssembly modules need to provide it.
//
// The kernel module imports the memory of the Go module that uses it
// (env.memory) and exports
//
//	gemm(op, m, n, k i32, alpha f32, a, lda, b, ldb i32, beta f32, c, ldc i32) → i32
//
// (C = alpha·A·op(B) + beta·C on float32 matrices at byte addresses a, b, c;
// op's bit 0 says whether B is transposed, and its other bits, when not all
// zero, are the address of an epilogue: a linear layer's bias and the
// activation after it, or the activation's derivative, applied as C is
// stored; see gemm.c). It returns 1 for a plain product, 2 for one with an
// epilogue. A Go module built with -tags wasmsimd (GOOS=js or wasip1)
// does its matrix products through one import with that signature,
// gebm.gemm (package shared/nn), and falls back to its own Go kernel for any
// call that returns 0 (the host has no kernel). A host provides the import
// like this, passing the arguments and the result through unchanged:
//
//   - the browser and Node (www/js/simd.js): after instantiating the Go
//     module, instantiate the kernel with {env: {memory: instance.exports.mem}}
//     and let gebm.gemm call its export (a JavaScript trampoline); where the
//     engine has no SIMD128 the trampoline returns 0;
//   - wazero: wasm/internal/simdhost's host module "gebm", which instantiates the
//     kernel on the memory of each module that calls it.
//
// For `go test` of a package built with -tags wasmsimd: go_js_wasm_exec in
// this folder runs a GOOS=js test binary in Node with the kernel, and the
// command wasm/internal/wasiexec a wasip1 one in wazero.
package simd

import _ "embed"

// Kernel is the kernel module, gemm.wasm.
//
//go:embed gemm.wasm
var Kernel []byte

// The import through which the Go code calls the kernel, and the kernel's
// own import and export.
const (
	ImportModule = "gebm" // the Go module imports ImportModule.ImportName
	ImportName   = "gemm"
	Export       = "gemm" // the kernel's one function
	MemoryModule = "env"  // the kernel imports MemoryModule.MemoryName
	MemoryName   = "memory"
)
