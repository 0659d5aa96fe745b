//go:build !wasm

package sampler_test

// kernelProducts: native builds have no SIMD128 kernel (false, 0).
func kernelProducts() (imported bool, products uint64) { return false, 0 }
