package nn

import (
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// Sgemmer is gonum's single-precision BLAS matrix product: gonum's pure-Go
// implementation, or netlib's cgo binding to a system BLAS.
type Sgemmer interface {
	Sgemm(tA, tB blas.Transpose, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int)
}

// BLASGemm adapts a gonum BLAS implementation to Gemm.
type BLASGemm struct{ Impl Sgemmer }

// GonumGemm is gonum's pure-Go Sgemm (parallel over all cores).
var GonumGemm = BLASGemm{gonum.Implementation{}}

// Sgemm implements Gemm.
func (g BLASGemm) Sgemm(tA, tB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	if m == 0 || n == 0 {
		return
	}
	g.Impl.Sgemm(transpose(tA), transpose(tB), m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// transpose maps a flag to gonum's BLAS transpose code.
func transpose(t bool) blas.Transpose {
	if t {
		return blas.Trans
	}
	return blas.NoTrans
}
