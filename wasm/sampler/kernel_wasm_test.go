//go:build wasm

package sampler_test

import "github.com/gebm/gebm/shared/nn"

// kernelProducts reports whether this build does its products through the
// SIMD128 kernel's import (-tags wasmsimd) and how many products the kernel
// has computed so far (nn.SIMDKernelStats).
func kernelProducts() (imported bool, products uint64) {
	s := nn.SIMDKernelStats()
	return s.Imported, s.Kernel
}
