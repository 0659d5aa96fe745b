package metrics

import "gonum.org/v1/gonum/mat"

// KID returns the kernel distance between two sets of feature vectors (rows of
// x and y, dim columns): the unbiased (U-statistic) estimate of MMD² with the
// cubic polynomial kernel k(a, b) = (aᵀb/dim + 1)³,
//
//	(1/(n(n−1))) Σ_{i≠i'} k(x_i, x_i') + (1/(m(m−1))) Σ_{j≠j'} k(y_j, y_j') − (2/(nm)) Σ_{i,j} k(x_i, y_j).
//
// Its expectation is the population MMD², 0 when the two laws agree, so it can
// be slightly negative. Each set needs at least two rows. Cost O((n+m)² dim),
// memory O(block·(n+m)).
func KID(x, y []float32, dim int) (float64, error) {
	n, err := rows(x, dim, 2, "KID")
	if err != nil {
		return 0, err
	}
	m, err := rows(y, dim, 2, "KID")
	if err != nil {
		return 0, err
	}
	xm, ym := toDense(x, n, dim), toDense(y, m, dim)
	kxx := polySum(xm, xm, dim, true)
	kyy := polySum(ym, ym, dim, true)
	kxy := polySum(xm, ym, dim, false)
	nf, mf := float64(n), float64(m)
	return kxx/(nf*(nf-1)) + kyy/(mf*(mf-1)) - 2*kxy/(nf*mf), nil
}

func toDense(x []float32, n, dim int) *mat.Dense {
	d := make([]float64, len(x))
	for i, v := range x {
		d[i] = float64(v)
	}
	return mat.NewDense(n, dim, d)
}

// polySum returns Σ_{i,j} (a_iᵀb_j/dim + 1)³, leaving out i = j when
// offDiag (a and b are then the same set). It works in blocks of rows of a.
func polySum(a, b *mat.Dense, dim int, offDiag bool) float64 {
	const block = 256
	n, _ := a.Dims()
	m, _ := b.Dims()
	var g mat.Dense
	var s float64
	for lo := 0; lo < n; lo += block {
		hi := min(lo+block, n)
		g.Reset()
		g.Mul(a.Slice(lo, hi, 0, dim), b.T())
		for i := lo; i < hi; i++ {
			row := g.RawRowView(i - lo)
			for j := 0; j < m; j++ {
				if offDiag && i == j {
					continue
				}
				t := row[j]/float64(dim) + 1
				s += t * t * t
			}
		}
	}
	return s
}
