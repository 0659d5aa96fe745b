package nn

import "sync"

// TiledGemm is a pure-Go Sgemm for targets without a tuned BLAS
// (WebAssembly above all). It works on op(A) as row-major m×k and op(B) as
// its transpose, n×k, so that every entry of C is a dot product of two
// contiguous rows, and computes C in 2×4 register blocks: eight
// accumulators and six loads per step of k, few enough to stay in registers.
// An operand already in that layout (A not transposed with lda = k; B
// transposed with ldb = k, as in a linear layer's forward product x·Wᵀ) is
// read in place; any other is packed first.
// Single-threaded; safe for concurrent use (scratch comes from a pool).
type TiledGemm struct{}

var packPool = sync.Pool{New: func() any { return new([]float32) }}

// Sgemm implements Gemm.
func (TiledGemm) Sgemm(tA, tB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	if m == 0 || n == 0 {
		return
	}
	inA, inB := !tA && lda == k, tB && ldb == k // already row-major m×k, n×k
	need := 0
	if !inA {
		need += m * k
	}
	if !inB {
		need += n * k
	}
	var bufp *[]float32
	var buf []float32
	if need > 0 {
		bufp = packPool.Get().(*[]float32)
		if cap(*bufp) < need {
			*bufp = make([]float32, need)
		}
		buf = (*bufp)[:need]
	}
	var ap, bt []float32
	if inA {
		ap = a[:m*k]
	} else {
		ap, buf = buf[:m*k], buf[m*k:]
		pack(ap, a, lda, m, k, tA)
	}
	if inB {
		bt = b[:n*k]
	} else {
		bt = buf[:n*k]
		pack(bt, b, ldb, n, k, !tB)
	}
	tiledDots(m, n, k, alpha, ap, bt, beta, c, ldc)
	if bufp != nil {
		packPool.Put(bufp)
	}
}

// pack writes the rows×cols matrix X (stored with stride ld, transposed when
// trans) into dst as a contiguous row-major matrix.
func pack(dst, x []float32, ld, rows, cols int, trans bool) {
	if !trans {
		for i := 0; i < rows; i++ {
			copy(dst[i*cols:(i+1)*cols], x[i*ld:i*ld+cols])
		}
		return
	}
	// dst[i][j] = x[j][i]
	for j := 0; j < cols; j++ {
		row := x[j*ld : j*ld+rows]
		for i, v := range row {
			dst[i*cols+j] = v
		}
	}
}

// tiledDots sets C[i][j] = alpha*<ap_i, bt_j> + beta*C[i][j].
func tiledDots(m, n, k int, alpha float32, ap, bt []float32, beta float32, c []float32, ldc int) {
	i := 0
	for ; i+2 <= m; i += 2 {
		a0 := ap[i*k : i*k+k]
		a1 := ap[(i+1)*k : (i+1)*k+k]
		j := 0
		for ; j+4 <= n; j += 4 {
			b0 := bt[j*k : j*k+k]
			b1 := bt[(j+1)*k : (j+1)*k+k]
			b2 := bt[(j+2)*k : (j+2)*k+k]
			b3 := bt[(j+3)*k : (j+3)*k+k]
			var s00, s01, s02, s03, s10, s11, s12, s13 float32
			for p, x0 := range a0 {
				x1 := a1[p]
				y0, y1, y2, y3 := b0[p], b1[p], b2[p], b3[p]
				s00 += x0 * y0
				s01 += x0 * y1
				s02 += x0 * y2
				s03 += x0 * y3
				s10 += x1 * y0
				s11 += x1 * y1
				s12 += x1 * y2
				s13 += x1 * y3
			}
			store(c, i*ldc+j, alpha, beta, s00, s01, s02, s03)
			store(c, (i+1)*ldc+j, alpha, beta, s10, s11, s12, s13)
		}
		for ; j < n; j++ {
			bj := bt[j*k : j*k+k]
			c[i*ldc+j] = axpby(alpha, dot(a0, bj), beta, c[i*ldc+j])
			c[(i+1)*ldc+j] = axpby(alpha, dot(a1, bj), beta, c[(i+1)*ldc+j])
		}
	}
	for ; i < m; i++ {
		ai := ap[i*k : i*k+k]
		for j := 0; j < n; j++ {
			c[i*ldc+j] = axpby(alpha, dot(ai, bt[j*k:j*k+k]), beta, c[i*ldc+j])
		}
	}
}

func store(c []float32, at int, alpha, beta, s0, s1, s2, s3 float32) {
	row := c[at : at+4]
	row[0] = axpby(alpha, s0, beta, row[0])
	row[1] = axpby(alpha, s1, beta, row[1])
	row[2] = axpby(alpha, s2, beta, row[2])
	row[3] = axpby(alpha, s3, beta, row[3])
}

// axpby returns alpha*s + beta*c, reading c only when beta != 0 so that an
// uninitialised (NaN) C is overwritten as BLAS specifies.
func axpby(alpha, s, beta, c float32) float32 {
	if beta == 0 {
		return alpha * s
	}
	return alpha*s + beta*c
}

func dot(x, y []float32) float32 {
	y = y[:len(x)]
	var s float32
	for i, v := range x {
		s += v * y[i]
	}
	return s
}
