//go:build js && wasm && !wasmsimd

package main

import "testing"

// TestNoSIMDKernel: a build without -tags wasmsimd offers no kernel to
// attach and does its products in Go.
func TestNoSIMDKernel(t *testing.T) {
	if u := mustCall(t, "simdKernel"); !u.IsNull() {
		t.Fatalf("simdKernel() = %v, want null", u)
	}
	if mustCall(t, "kernelStats").Get("imported").Bool() {
		t.Fatal("kernelStats().imported is true without -tags wasmsimd")
	}
}
