package metrics

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/gebm/gebm/shared/kale"
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
	if _, err := rows(x, dim, 2, "FitGaussian"); err != nil {
		return Gaussian{}, err
	}
	t := NewGaussianTally(dim)
	if err := t.Add(x); err != nil {
		return Gaussian{}, err
	}
	return t.Gaussian()
}

// FitWeightedGaussian fits a Gaussian to the weighted rows of x (row-major,
// weights w: finite, ≥ 0, positive sum, q = w/Σw): the mean Σ_i q_i x_i and
// the covariance Σ_i q_i (x_i − mean)(x_i − mean)ᵀ / (1 − Σ_i q_i²), which
// for equal weights is FitGaussian's unbiased covariance. N is the number of
// rows. It is the feature Gaussian of importance-weighted samples, for FID.
func FitWeightedGaussian(x []float32, w []float64, dim int) (Gaussian, error) {
	n, err := rows(x, dim, 2, "FitWeightedGaussian")
	if err != nil {
		return Gaussian{}, err
	}
	q, q2, err := kale.MassFractions(w, n)
	if err != nil {
		return Gaussian{}, err
	}
	mean := make([]float64, dim)
	for i, qi := range q {
		for j, v := range x[i*dim : (i+1)*dim] {
			mean[j] += qi * float64(v)
		}
	}
	if !(1-q2 > 1e-12) {
		return Gaussian{}, fmt.Errorf("metrics: FitWeightedGaussian: the weights put all the mass on one row")
	}
	c := mat.NewDense(n, dim, nil)
	for i, qi := range q {
		s := math.Sqrt(qi / (1 - q2))
		for j, v := range x[i*dim : (i+1)*dim] {
			c.Set(i, j, s*(float64(v)-mean[j]))
		}
	}
	cov := mat.NewSymDense(dim, nil)
	cov.SymOuterK(1, c.T())
	return Gaussian{Mean: mean, Cov: cov, N: n}, nil
}

// GaussianTally fits a Gaussian to rows given in batches, in memory that
// does not grow with their number: it keeps the count, the mean and the
// scatter matrix M = Σ_i (x_i − mean)(x_i − mean)ᵀ, and merges each batch's
// own (computed about the batch mean) by Chan et al.'s update
//
//	mean = mean_a + (n_b/n)·δ,  M = M_a + M_b + (n_a n_b/n)·δδᵀ,  δ = mean_b − mean_a,
//
// which avoids the cancellation of a running Σxxᵀ.
type GaussianTally struct {
	dim  int
	n    int
	mean []float64
	m2   *mat.SymDense
}

// NewGaussianTally returns an empty tally of dim-dimensional rows.
func NewGaussianTally(dim int) *GaussianTally {
	return &GaussianTally{dim: dim, mean: make([]float64, max(dim, 0))}
}

// Add adds the len(x)/dim rows of x (row-major, finite).
func (t *GaussianTally) Add(x []float32) error {
	nb, err := rows(x, t.dim, 1, "GaussianTally.Add")
	if err != nil {
		return err
	}
	dim := t.dim
	mb := make([]float64, dim)
	for i := 0; i < nb; i++ {
		for j, v := range x[i*dim : (i+1)*dim] {
			mb[j] += float64(v)
		}
	}
	for j := range mb {
		mb[j] /= float64(nb)
	}
	c := mat.NewDense(nb, dim, nil)
	for i := 0; i < nb; i++ {
		for j, v := range x[i*dim : (i+1)*dim] {
			c.Set(i, j, float64(v)-mb[j])
		}
	}
	m2b := mat.NewSymDense(dim, nil)
	m2b.SymOuterK(1, c.T())
	if t.n == 0 {
		t.n, t.mean, t.m2 = nb, mb, m2b
		return nil
	}
	na, n := float64(t.n), float64(t.n+nb)
	delta := make([]float64, dim)
	for j := range delta {
		delta[j] = mb[j] - t.mean[j]
		t.mean[j] += float64(nb) / n * delta[j]
	}
	t.m2.AddSym(t.m2, m2b)
	t.m2.SymRankOne(t.m2, na*float64(nb)/n, mat.NewVecDense(dim, delta))
	t.n += nb
	return nil
}

// Gaussian returns the fitted Gaussian: the mean and the unbiased
// covariance M/(n − 1). It needs at least two rows.
func (t *GaussianTally) Gaussian() (Gaussian, error) {
	if t.n < 2 {
		return Gaussian{}, fmt.Errorf("metrics: FitGaussian: %d rows, need at least 2", t.n)
	}
	cov := mat.NewSymDense(t.dim, nil)
	cov.ScaleSym(1/float64(t.n-1), t.m2)
	return Gaussian{Mean: append([]float64(nil), t.mean...), Cov: cov, N: t.n}, nil
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
