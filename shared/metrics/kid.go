package metrics

import (
	"math"

	"gonum.org/v1/gonum/mat"
)

// KIDResult is a kernel inception distance with its standard error.
type KIDResult struct {
	// Value is the unbiased (U-statistic) estimate of MMD² under the cubic
	// polynomial kernel (see KID).
	Value float64
	// StdErr is the two-sample delete-one jackknife standard error of Value
	// (see KID).
	StdErr float64
}

// KID returns the kernel inception distance of Bińkowski et al. (2018)
// between two sets of feature vectors (rows of x and y, dim columns): the
// unbiased (U-statistic) estimate of MMD² with the cubic polynomial kernel
// k(a, b) = (aᵀb/dim + 1)³ on all the rows given,
//
//	KID = (1/(n(n−1))) Σ_{i≠i'} k(x_i, x_i') + (1/(m(m−1))) Σ_{j≠j'} k(y_j, y_j') − (2/(nm)) Σ_{i,j} k(x_i, y_j),
//
// and its standard error by the two-sample delete-one jackknife: with
// KID_{−i} the estimate without x_i, KID_{−j} the one without y_j, and bars
// their means,
//
//	SE² = ((n−1)/n) Σ_i (KID_{−i} − KID̄_x)² + ((m−1)/m) Σ_j (KID_{−j} − KID̄_y)².
//
// Bińkowski et al. average the estimate over random subsets (100 of 1000
// rows) and report the spread of the subset values; on the full set the
// U-statistic has the smaller variance, and with n ≤ 1000 every subset would
// be the whole set, so this one estimate and its jackknife are used instead.
// Each leave-one-out value comes from the kernel matrices' row sums, so the
// standard error costs O(n + m) on top of the O((n+m)² dim) sums.
//
// The kernel is not scale-free: features with aᵀb/dim far from 1 give large
// values (compare KIDs only on the same features). The expectation of KID is
// the population MMD², 0 when the laws agree, so it can be slightly negative.
// Each set needs at least three rows (two for the estimate, one more for a
// leave-one-out).
func KID(x, y []float32, dim int) (KIDResult, error) {
	n, err := rows(x, dim, 3, "KID")
	if err != nil {
		return KIDResult{}, err
	}
	m, err := rows(y, dim, 3, "KID")
	if err != nil {
		return KIDResult{}, err
	}
	xm, ym := toDense(x, n, dim), toDense(y, m, dim)
	rxx, _ := polySums(xm, xm, dim, true)
	ryy, _ := polySums(ym, ym, dim, true)
	cx, cy := polySums(xm, ym, dim, false)
	sxx, syy, sxy := sum(rxx), sum(ryy), sum(cx)
	nf, mf := float64(n), float64(m)
	value := sxx/(nf*(nf-1)) + syy/(mf*(mf-1)) - 2*sxy/(nf*mf)

	// Without x_i: the pairs (i, ·) and (·, i) leave Σ_{i≠i'} (2 r_i, by
	// symmetry) and the row i leaves the cross sum.
	loo := make([]float64, n)
	for i := range loo {
		loo[i] = (sxx-2*rxx[i])/((nf-1)*(nf-2)) + syy/(mf*(mf-1)) - 2*(sxy-cx[i])/((nf-1)*mf)
	}
	v := jackVar(loo)
	loo = make([]float64, m)
	for j := range loo {
		loo[j] = sxx/(nf*(nf-1)) + (syy-2*ryy[j])/((mf-1)*(mf-2)) - 2*(sxy-cy[j])/(nf*(mf-1))
	}
	v += jackVar(loo)
	return KIDResult{Value: value, StdErr: math.Sqrt(v)}, nil
}

// jackVar returns ((k−1)/k) Σ (v_i − v̄)², the jackknife variance of the
// statistic whose k leave-one-out values are v.
func jackVar(v []float64) float64 {
	k := float64(len(v))
	mean := sum(v) / k
	var s float64
	for _, t := range v {
		s += (t - mean) * (t - mean)
	}
	return (k - 1) / k * s
}

func sum(v []float64) float64 {
	var s float64
	for _, t := range v {
		s += t
	}
	return s
}

func toDense(x []float32, n, dim int) *mat.Dense {
	d := make([]float64, len(x))
	for i, v := range x {
		d[i] = float64(v)
	}
	return mat.NewDense(n, dim, d)
}

// polySums returns the row sums r_i = Σ_j k(a_i, b_j) and the column sums
// c_j = Σ_i k(a_i, b_j) of the kernel matrix k(a, b) = (aᵀb/dim + 1)³,
// leaving out i = j when offDiag (a and b are then the same set). It works
// in blocks of rows of a.
func polySums(a, b *mat.Dense, dim int, offDiag bool) (r, c []float64) {
	const block = 256
	n, _ := a.Dims()
	m, _ := b.Dims()
	r, c = make([]float64, n), make([]float64, m)
	var g mat.Dense
	for lo := 0; lo < n; lo += block {
		hi := min(lo+block, n)
		g.Reset()
		g.Mul(a.Slice(lo, hi, 0, dim), b.T())
		for i := lo; i < hi; i++ {
			row := g.RawRowView(i - lo)
			var s float64
			for j := 0; j < m; j++ {
				if offDiag && i == j {
					continue
				}
				t := row[j]/float64(dim) + 1
				k := t * t * t
				s += k
				c[j] += k
			}
			r[i] = s
		}
	}
	return r, c
}
