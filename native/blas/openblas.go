//go:build cgo && !noopenblas

package blas

// #cgo LDFLAGS: -lopenblas
import "C"

import (
	"gonum.org/v1/netlib/blas/netlib"

	"github.com/gebm/gebm/shared/nn"
)

// OpenBLAS is Sgemm from the system's OpenBLAS (Debian libopenblas-dev).
var OpenBLAS = nn.BLASGemm{Impl: netlib.Implementation{}}

// Name says which implementation is in use.
const Name = "openblas"

// Fastest is OpenBLAS.
func Fastest() nn.Gemm { return OpenBLAS }

// Available reports whether this build uses OpenBLAS.
func Available() bool { return true }
