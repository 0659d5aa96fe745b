//go:build !wasm

package nn

// platformGemm is gonum's pure-Go Sgemm on native platforms when nothing
// faster is chosen: it uses all cores. Native entry points replace it with
// OpenBLAS (nn.SetDefaultGemm(blas.Fastest())).
func platformGemm() Gemm { return GonumGemm }
