//go:build !wasm

package nn

// platformGemm is gonum's pure-Go Sgemm on native platforms when nothing
// faster is registered: it uses all cores. Native binaries replace it with
// OpenBLAS through native/blas.
func platformGemm() Gemm { return GonumGemm }
