//go:build wasm

package nn

// SIMDStats counts the matrix products of SIMDGemm since start-up. Only
// WebAssembly builds have it: the wasm front-ends report it to the page.
type SIMDStats struct {
	// Imported: this is a WebAssembly build with -tags wasmsimd, whose
	// products go through the SIMD128 kernel's import (false elsewhere, and
	// then the counts stay 0).
	Imported bool
	// Kernel counts the products the kernel computed; Fallback those the
	// host declined (no SIMD128 in the engine, or no kernel attached yet),
	// which TiledGemm computed instead.
	Kernel, Fallback uint64
}

// SIMDKernelStats returns the counts so far. Not synchronised: WebAssembly
// modules run one thread.
func SIMDKernelStats() SIMDStats {
	s := simdStats
	s.Imported = simdImported
	return s
}
