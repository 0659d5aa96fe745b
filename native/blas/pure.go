//go:build !cgo || noopenblas

package blas

import "github.com/gebm/gebm/shared/nn"

// Fastest is gonum's pure-Go Sgemm, shared/nn's native default.
func Fastest() nn.Gemm { return nn.GonumGemm }

// Name says which implementation is in use.
const Name = "gonum (pure Go)"

// Available reports whether this build uses OpenBLAS.
func Available() bool { return false }

// FastestAdam is shared/nn's Adam kernel, nn.AdamStep.
func FastestAdam() nn.AdamKernel { return nn.AdamStep }

// FastestTanh is shared/nn's tanh kernel, nn.TanhSlice.
func FastestTanh() nn.TanhKernel { return nn.TanhSlice }
