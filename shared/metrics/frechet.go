package metrics

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// Gaussian is a Gaussian fitted to a set of feature vectors: the sample mean
// and the unbiased sample covariance (divisor n − 1).
type Gaussian struct {
	Mean []float64
	Cov  *mat.SymDense
	N    int // number of vectors it was fitted to
}

// FitGaussian fits a Gaussian to the n = len(x)/dim rows of x (row-major).
// It needs at least two rows and finite values.
func FitGaussian(x []float32, dim int) (Gaussian, error) {
	n, err := rows(x, dim, 2, "FitGaussian")
	if err != nil {
		return Gaussian{}, err
	}
	mean := make([]float64, dim)
	for i := 0; i < n; i++ {
		for j, v := range x[i*dim : (i+1)*dim] {
			mean[j] += float64(v)
		}
	}
	for j := range mean {
		mean[j] /= float64(n)
	}
	c := mat.NewDense(n, dim, nil)
	for i := 0; i < n; i++ {
		for j, v := range x[i*dim : (i+1)*dim] {
			c.Set(i, j, float64(v)-mean[j])
		}
	}
	cov := mat.NewSymDense(dim, nil)
	cov.SymOuterK(1/float64(n-1), c.T())
	return Gaussian{Mean: mean, Cov: cov, N: n}, nil
}

// FrechetDistance returns the Fréchet (2-Wasserstein squared) distance between
// N(μ₁, Σ₁) and N(μ₂, Σ₂),
//
//	‖μ₁ − μ₂‖² + tr Σ₁ + tr Σ₂ − 2 tr (Σ₁^{1/2} Σ₂ Σ₁^{1/2})^{1/2},
//
// with the matrix square roots taken by symmetric eigendecompositions (see the
// package documentation). The result is clamped at 0 against rounding.
func FrechetDistance(a, b Gaussian) (float64, error) {
	d := len(a.Mean)
	if d == 0 || len(b.Mean) != d || a.Cov == nil || b.Cov == nil || a.Cov.SymmetricDim() != d || b.Cov.SymmetricDim() != d {
		return 0, fmt.Errorf("metrics: FrechetDistance: Gaussians of dimensions %d and %d", d, len(b.Mean))
	}
	var diff float64
	for i := range a.Mean {
		t := a.Mean[i] - b.Mean[i]
		diff += t * t
	}
	s1, err := sqrtPSD(a.Cov)
	if err != nil {
		return 0, err
	}
	var t1 mat.Dense
	t1.Mul(s1, b.Cov)
	var m mat.Dense
	m.Mul(&t1, s1)
	// m is symmetric up to rounding; symmetrise before the eigensolver.
	ms := mat.NewSymDense(d, nil)
	for i := 0; i < d; i++ {
		for j := i; j < d; j++ {
			ms.SetSym(i, j, (m.At(i, j)+m.At(j, i))/2)
		}
	}
	var eig mat.EigenSym
	if !eig.Factorize(ms, false) {
		return 0, fmt.Errorf("metrics: FrechetDistance: eigendecomposition did not converge")
	}
	var trSqrt float64
	for _, l := range eig.Values(nil) {
		if l > 0 {
			trSqrt += math.Sqrt(l)
		}
	}
	fd := diff + mat.Trace(a.Cov) + mat.Trace(b.Cov) - 2*trSqrt
	if math.IsNaN(fd) {
		return 0, fmt.Errorf("metrics: FrechetDistance: not a number (non-finite features?)")
	}
	return math.Max(fd, 0), nil
}

// sqrtPSD returns the symmetric square root V diag(√max(λ, 0)) Vᵀ of a
// symmetric positive semi-definite matrix.
func sqrtPSD(s *mat.SymDense) (*mat.SymDense, error) {
	var eig mat.EigenSym
	if !eig.Factorize(s, true) {
		return nil, fmt.Errorf("metrics: eigendecomposition did not converge")
	}
	vals := eig.Values(nil)
	var v mat.Dense
	eig.VectorsTo(&v)
	d := len(vals)
	// V diag(√λ) Vᵀ = (V diag(λ^{1/4}))(V diag(λ^{1/4}))ᵀ.
	w := mat.NewDense(d, d, nil)
	for k, l := range vals {
		r := math.Sqrt(math.Sqrt(math.Max(l, 0)))
		for i := 0; i < d; i++ {
			w.Set(i, k, v.At(i, k)*r)
		}
	}
	out := mat.NewSymDense(d, nil)
	out.SymOuterK(1, w)
	return out, nil
}

// FID returns the Fréchet distance between Gaussians fitted to two sets of
// feature vectors (rows of x and y, row-major, dim columns).
func FID(x, y []float32, dim int) (float64, error) {
	a, err := FitGaussian(x, dim)
	if err != nil {
		return 0, err
	}
	b, err := FitGaussian(y, dim)
	if err != nil {
		return 0, err
	}
	return FrechetDistance(a, b)
}

// rows checks that x holds at least min finite rows of dim values.
func rows(x []float32, dim, min int, fn string) (int, error) {
	if dim < 1 || len(x)%dim != 0 {
		return 0, fmt.Errorf("metrics: %s: %d values are not rows of %d", fn, len(x), dim)
	}
	n := len(x) / dim
	if n < min {
		return 0, fmt.Errorf("metrics: %s: %d rows, need at least %d", fn, n, min)
	}
	for i, v := range x {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return 0, fmt.Errorf("metrics: %s: non-finite value %v in row %d", fn, v, i/dim)
		}
	}
	return n, nil
}
