//go:build wasm && !wasmsimd

package nn

// platformGemm is the hand-tiled Go kernel under WebAssembly, where it runs
// about 2.5 times faster than gonum's Sgemm (see BenchmarkGemm). Built with
// -tags wasmsimd, WebAssembly uses the SIMD128 kernel instead
// (gemm_simd_wasm.go).
func platformGemm() Gemm { return TiledGemm{} }
