//go:build js && wasm && wasmsimd

package main

import (
	"bytes"
	"syscall/js"
	"testing"

	"github.com/gebm/gebm/shared/model/modeltest"
	"github.com/gebm/gebm/wasm/simd"
)

// TestSIMDKernel (a wasmsimd build, run with wasm/simd/go_js_wasm_exec,
// which attaches the kernel): gebm.simdKernel returns the kernel's bytes,
// and a step's products all go to the kernel (gebm.kernelStats).
func TestSIMDKernel(t *testing.T) {
	u := mustCall(t, "simdKernel")
	if u.IsNull() {
		t.Fatal("simdKernel() is null in a wasmsimd build")
	}
	b := make([]byte, u.Length())
	js.CopyBytesToGo(b, u)
	if !bytes.Equal(b, simd.Kernel) {
		t.Fatal("simdKernel() is not wasm/simd's gemm.wasm")
	}
	before := mustCall(t, "kernelStats")
	m := mustCall(t, "open", uint8ArrayOf(modeltest.File(modeltest.MNIST(2))))
	c := mustCall(t, "newChains", m, 4, 1, 1)
	mustCall(t, "step", c, "ula", 0.01, 0, 0, 3)
	after := mustCall(t, "kernelStats")
	if !after.Get("imported").Bool() {
		t.Fatal("kernelStats().imported is false in a wasmsimd build")
	}
	if fb := after.Get("fallback").Int() - before.Get("fallback").Int(); fb != 0 {
		t.Fatalf("%d products fell back to the Go kernel: no kernel attached", fb)
	}
	if n := after.Get("kernel").Int() - before.Get("kernel").Int(); n == 0 {
		t.Fatal("the kernel did no product")
	} else {
		t.Logf("3 ULA steps of 4 chains on the MNIST-size model: %d products in the kernel", n)
	}
	mustCall(t, "free", m)
}
