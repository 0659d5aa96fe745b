package nn

import (
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// GonumGemm is gonum's pure-Go Sgemm (parallel over all cores).
type GonumGemm struct{}

// Sgemm implements Gemm.
func (GonumGemm) Sgemm(tA, tB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	if m == 0 || n == 0 {
		return
	}
	gonum.Implementation{}.Sgemm(transpose(tA), transpose(tB), m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// transpose maps a flag to gonum's BLAS transpose code.
func transpose(t bool) blas.Transpose {
	if t {
		return blas.Trans
	}
	return blas.NoTrans
}
