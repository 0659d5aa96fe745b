//go:build js && wasm

package jsapi

import (
	"syscall/js"

	"github.com/gebm/gebm/shared/nn"
	"github.com/gebm/gebm/wasm/simd"
)

// The SIMD128 kernel's two functions (see www/js/simd.js, which attaches
// the kernel to this module's memory):
//
//	simdKernel() → Uint8Array (the kernel module's bytes), or null in a
//	               build without -tags wasmsimd, which never calls it
//	kernelStats() → {imported, kernel, fallback}: nn.SIMDKernelStats, the
//	               products the kernel did and those the Go kernel did
//	               instead because none was attached
func addSIMD(calls map[string]Call) {
	calls["simdKernel"] = func(a *Args) (any, error) {
		if !nn.SIMDKernelStats().Imported {
			return js.Null(), nil
		}
		u := js.Global().Get("Uint8Array").New(len(simd.Kernel))
		js.CopyBytesToJS(u, simd.Kernel)
		return u, nil
	}
	calls["kernelStats"] = func(a *Args) (any, error) {
		s := nn.SIMDKernelStats()
		return map[string]any{"imported": s.Imported, "kernel": float64(s.Kernel), "fallback": float64(s.Fallback)}, nil
	}
}
