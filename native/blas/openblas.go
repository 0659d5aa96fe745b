//go:build cgo && !noopenblas

package blas

// #cgo LDFLAGS: -lopenblas
import "C"

import (
	"github.com/gebm/gebm/shared/nn"
	gblas "gonum.org/v1/gonum/blas"
	"gonum.org/v1/netlib/blas/netlib"
)

// OpenBLAS is Sgemm from the system's OpenBLAS (Debian libopenblas-dev).
type OpenBLAS struct{}

// Sgemm implements nn.Gemm.
func (OpenBLAS) Sgemm(tA, tB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	if m == 0 || n == 0 {
		return
	}
	netlib.Implementation{}.Sgemm(trans(tA), trans(tB), m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

func trans(t bool) gblas.Transpose {
	if t {
		return gblas.Trans
	}
	return gblas.NoTrans
}

// Name says which implementation is in use.
const Name = "openblas"

func init() { nn.SetDefaultGemm(OpenBLAS{}) }

// Available reports whether this build uses OpenBLAS.
func Available() bool { return true }
