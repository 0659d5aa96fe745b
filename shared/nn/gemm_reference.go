package nn

import "math"

// ReferenceGemm is the float64 definition of Sgemm that every kernel (Go,
// OpenBLAS, SIMD128, CUDA) is checked against: for the m×n result it
// returns exact[i*n+j] = α Σ_l op(A)_il op(B)_lj + β C_ij, summed in
// float64, and abs[i*n+j] = |α| Σ_l |op(A)_il op(B)_lj| + |β C_ij|, the
// scale of the rounding error a float32 kernel may make. C is not read when
// β is 0.
func ReferenceGemm(tA, tB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) (exact, abs []float64) {
	exact, abs = make([]float64, m*n), make([]float64, m*n)
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			var s, sa float64
			for p := 0; p < k; p++ {
				var av, bv float32
				if tA {
					av = a[p*lda+i]
				} else {
					av = a[i*lda+p]
				}
				if tB {
					bv = b[j*ldb+p]
				} else {
					bv = b[p*ldb+j]
				}
				s += float64(av) * float64(bv)
				sa += math.Abs(float64(av) * float64(bv))
			}
			exact[i*n+j] = float64(alpha) * s
			abs[i*n+j] = math.Abs(float64(alpha)) * sa
			if beta != 0 {
				exact[i*n+j] += float64(beta) * float64(c[i*ldc+j])
				abs[i*n+j] += math.Abs(float64(beta) * float64(c[i*ldc+j]))
			}
		}
	}
	return exact, abs
}
