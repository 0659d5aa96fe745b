package metrics

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/gebm/gebm/shared/kale"
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
	rxx, _ := polySums(xm, xm, dim, true, nil)
	ryy, _ := polySums(ym, ym, dim, true, nil)
	cx, cy := polySums(xm, ym, dim, false, nil)
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

// WeightedKID is KID with the rows of y weighted by w (finite, ≥ 0, positive
// sum; q = w/Σw): the importance-weighted samples of a model. With
// K = k(x_i, x_i'), L = k(y_j, y_j'), C = k(x_i, y_j),
//
//	KID_w = (1/(n(n−1))) Σ_{i≠i'} K + Σ_{j≠j'} q_j q_j' L / (1 − Σ_j q_j²) − (2/n) Σ_{i,j} q_j C,
//
// which equal weights make KID. Its standard error is the delete-one
// jackknife of KID, deleting y_j with the other weights renormalised to sum
// to 1, so that equal weights give KID's standard error too. The weights
// must leave mass on at least three rows.
func WeightedKID(x, y []float32, w []float64, dim int) (KIDResult, error) {
	n, m, q, q2, err := weightedKIDInput(x, y, w, dim, "WeightedKID")
	if err != nil {
		return KIDResult{}, err
	}
	xm, ym := toDense(x, n, dim), toDense(y, m, dim)
	rxx, _ := polySums(xm, xm, dim, true, nil)
	ryy, _ := polySums(ym, ym, dim, true, q)  // Σ_{j'≠j} q_j' L_jj'
	cx, cy := polySums(xm, ym, dim, false, q) // Σ_j q_j C_ij, and Σ_i C_ij
	var syy float64
	for j, v := range q {
		syy += v * ryy[j]
	}
	sxx, sxy := sum(rxx), sum(cx)
	nf := float64(n)
	// The Y term's denominator without y_j: (1 − q_j)² (1 − Σ_{k≠j} q_k²/(1 − q_j)²).
	looDen := func(j int) float64 { return (1-q[j])*(1-q[j]) - q2 + q[j]*q[j] }
	for j := range q {
		if !(looDen(j) > 1e-12) {
			return KIDResult{}, fmt.Errorf("metrics: WeightedKID: the weights leave mass on fewer than three rows")
		}
	}
	yTerm := syy / (1 - q2)
	value := sxx/(nf*(nf-1)) + yTerm - 2*sxy/nf

	loo := make([]float64, n)
	for i := range loo {
		loo[i] = (sxx-2*rxx[i])/((nf-1)*(nf-2)) + yTerm - 2*(sxy-cx[i])/(nf-1)
	}
	v := jackVar(loo)
	loo = make([]float64, m)
	for j := range loo {
		loo[j] = sxx/(nf*(nf-1)) + (syy-2*q[j]*ryy[j])/looDen(j) - 2*(sxy-q[j]*cy[j])/((1-q[j])*nf)
	}
	v += jackVar(loo)
	return KIDResult{Value: value, StdErr: math.Sqrt(v)}, nil
}

// weightedKIDInput checks the input of a weighted KID (caller names the
// function in errors): rows of x and y with dim columns, at least three
// each, and one weight per row of y that WeightedKID takes. It returns the
// numbers of rows, the weights' mass fractions q and Σq².
func weightedKIDInput(x, y []float32, w []float64, dim int, caller string) (n, m int, q []float64, q2 float64, err error) {
	if n, err = rows(x, dim, 3, caller); err != nil {
		return
	}
	if m, err = rows(y, dim, 3, caller); err != nil {
		return
	}
	if q, q2, err = kale.MassFractions(w, m); err != nil {
		return
	}
	if !(1-q2 > 1e-12) {
		err = fmt.Errorf("metrics: %s: the weights put all the mass on one row", caller)
	}
	return
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
// leaving out i = j when offDiag (a and b are then the same set). With wb
// not nil the row sums weight column j by wb[j] (the column sums do not).
func polySums(a, b *mat.Dense, dim int, offDiag bool, wb []float64) (r, c []float64) {
	n, _ := a.Dims()
	m, _ := b.Dims()
	r, c = make([]float64, n), make([]float64, m)
	polyBlocks(a, b, dim, offDiag, func(lo int, k *mat.Dense) {
		rows, _ := k.Dims()
		for i := 0; i < rows; i++ {
			var s float64
			for j, v := range k.RawRowView(i) {
				if wb != nil {
					s += wb[j] * v
				} else {
					s += v
				}
				c[j] += v
			}
			r[lo+i] = s
		}
	})
	return r, c
}

// polyBlocks calls f(lo, k) on the kernel matrix k(a_i, b_j) =
// (a_iᵀb_j/dim + 1)³ in blocks of rows: k's row i is a's row lo + i, and
// with offDiag (a and b are then the same set) the entries i = j are 0. k is
// reused by the next call.
func polyBlocks(a, b *mat.Dense, dim int, offDiag bool, f func(lo int, k *mat.Dense)) {
	const block = 256
	n, _ := a.Dims()
	var g mat.Dense
	for lo := 0; lo < n; lo += block {
		hi := min(lo+block, n)
		g.Reset()
		g.Mul(a.Slice(lo, hi, 0, dim), b.T())
		for i := lo; i < hi; i++ {
			row := g.RawRowView(i - lo)
			for j, v := range row {
				t := v/float64(dim) + 1
				row[j] = t * t * t
			}
			if offDiag {
				row[i] = 0
			}
		}
		f(lo, &g)
	}
}
