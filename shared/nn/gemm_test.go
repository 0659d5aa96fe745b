package nn

import (
	"math"
	"math/rand/v2"
	"testing"
)

// CheckGemm verifies a Gemm implementation against the float64 definition
// on random shapes, transposes, strides and alpha/beta, including beta = 0
// over a C full of NaN (which BLAS must overwrite). Relative tolerance
// 1e-5·k: float32 dot products of length k accumulate that much rounding.
func checkGemm(t *testing.T, g Gemm) {
	rng := rand.New(rand.NewPCG(11, 12))
	for trial := range 300 {
		m, n, k := 1+rng.IntN(13), 1+rng.IntN(13), 1+rng.IntN(40)
		tA, tB := rng.IntN(2) == 0, rng.IntN(2) == 0
		ar, ac := m, k
		if tA {
			ar, ac = k, m
		}
		br, bc := k, n
		if tB {
			br, bc = n, k
		}
		lda, ldb, ldc := ac+rng.IntN(3), bc+rng.IntN(3), n+rng.IntN(3)
		a, b := randomBatch(rng, ar, lda), randomBatch(rng, br, ldb)
		c := randomBatch(rng, m, ldc)
		alpha, beta := float32(rng.NormFloat64()), float32(rng.NormFloat64())
		if trial%4 == 0 {
			beta = 0
			for i := range c {
				c[i] = float32(math.NaN())
			}
		}
		want, _ := ReferenceGemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		g.Sgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		for i := 0; i < m; i++ {
			for j := 0; j < n; j++ {
				got, w := float64(c[i*ldc+j]), want[i*n+j]
				if !(math.Abs(got-w) <= 1e-5*float64(k)*math.Max(1, math.Abs(w))) {
					t.Fatalf("trial %d (tA=%v tB=%v m=%d n=%d k=%d): C[%d][%d] = %v, want %v", trial, tA, tB, m, n, k, i, j, got, w)
				}
			}
		}
	}
}

func TestTiledGemm(t *testing.T) { checkGemm(t, TiledGemm{}) }
func TestGonumGemm(t *testing.T) { checkGemm(t, GonumGemm) }
