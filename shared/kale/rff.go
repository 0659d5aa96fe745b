package kale

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/lapack/lapack64"
)

// KALERandomFeatures approximates KALE (see KALE for the objective and the
// λ/2 convention) by replacing the Gaussian RKHS with the span of D random
// Fourier features (Rahimi & Recht 2007):
//
//	φ_k(x) = sqrt(2/D) cos(ω_kᵀx + b_k),  ω_k ~ N(0, σ⁻² I_d),  b_k ~ U[0, 2π),
//
// for which E[φ(x)ᵀφ(y)] = exp(−‖x−y‖²/(2σ²)), the exact kernel. With
// f = wᵀφ and ‖f‖² = ‖w‖² the problem becomes the D-dimensional concave
// maximisation
//
//	max_w  J(w) = −φ̄_Xᵀw − (1/m) Σ_j exp(−wᵀφ(y_j)) + 1 − (λ/2)‖w‖²,
//
// φ̄_X = (1/n) Σ_i φ(x_i), with gradient −φ̄_X + Φ_Yᵀe/m − λw and Hessian
// −(Φ_Yᵀ diag(e/m) Φ_Y + λI), e_j = exp(−wᵀφ(y_j)). The Hessian is
// λ-strongly negative definite whatever the data, so the primal is well
// conditioned (condition number ≤ 1 + 2 max_j e_j/λ, as ‖φ(y)‖² ≤ 2) and
// is solved directly by Newton's method from w = 0 with an Armijo
// backtracking line search; the change of J along a step is evaluated with
// expm1, free of cancellation. It stops when the Euclidean gradient norm (Result.GradNorm)
// is ≤ Tol; Result.Gap = GradNorm²/(2λ) bounds the distance to the optimum
// of the random-feature problem (not to the exact KALE).
//
// Cost: O((n+m) D d) to compute the features once, then per Newton step
// O(m D²) to form the Hessian plus O(D³/3) for its Cholesky factorisation;
// memory O(m D + D²). It is linear in the number of points, against the
// exact solver's cubic growth, at the price of an approximation error that
// shrinks like 1/√D (measured in TestKALERandomFeaturesMatchesExact).
//
// The features are drawn from rng (D·(d+1) draws: for each feature its d
// frequency coordinates, then its phase), so equal seeds give equal results
// on every platform. The returned Witness is a *FeatureWitness.
func KALERandomFeatures(x, y Samples, opts Options, features int, rng *rand.Rand) (Result, error) {
	if err := opts.Validate(x, y); err != nil {
		return Result{}, err
	}
	if features <= 0 {
		return Result{}, fmt.Errorf("kale: %d random features, want > 0: %w", features, ErrOption)
	}
	if rng == nil {
		return Result{}, fmt.Errorf("kale: KALERandomFeatures needs a *rand.Rand: %w", ErrOption)
	}
	o := opts.resolve()
	sigma := o.bandwidth(x, y)
	lam := o.Lambda
	n, m, d, nf := x.Rows, y.Rows, x.Cols, features
	fm := float64(m)

	fw := newFeatureWitness(d, nf, sigma, rng)
	// φ̄_X and Φ_Y (m×D, row-major).
	phiX := make([]float64, nf)
	row := make([]float64, nf)
	for i := range n {
		fw.features(row, x.Row(i))
		for k, v := range row {
			phiX[k] += v
		}
	}
	for k := range phiX {
		phiX[k] /= float64(n)
	}
	phiY := make([]float64, m*nf)
	for j := range m {
		fw.features(phiY[j*nf:(j+1)*nf], y.Row(j))
	}
	phiYm := blas64.General{Rows: m, Cols: nf, Data: phiY, Stride: nf}

	w := make([]float64, nf)
	z := make([]float64, m)     // Φ_Y w
	e := make([]float64, m)     // exp(−z)
	u := make([]float64, m)     // Φ_Y Δ
	grad := make([]float64, nf) // ∇J
	step := make([]float64, nf)
	scaled := make([]float64, m*nf) // diag(sqrt(e/m)) Φ_Y
	hess := make([]float64, nf*nf)

	res := Result{Lambda: lam, Bandwidth: sigma}
	// evaluate fills z, e, grad and returns ‖∇J‖.
	evaluate := func() float64 {
		blas64.Gemv(blas.NoTrans, 1, phiYm, blas64.Vector{N: nf, Data: w, Inc: 1}, 0, blas64.Vector{N: m, Data: z, Inc: 1})
		for j := range m {
			e[j] = math.Exp(-z[j])
		}
		for k := range nf {
			grad[k] = -phiX[k] - lam*w[k]
		}
		blas64.Gemv(blas.Trans, 1/fm, phiYm, blas64.Vector{N: m, Data: e, Inc: 1}, 1, blas64.Vector{N: nf, Data: grad, Inc: 1})
		return math.Sqrt(dot(grad, grad))
	}
	for {
		res.GradNorm = evaluate()
		if res.GradNorm <= o.Tol {
			res.Converged = true
			break
		}
		if res.Iterations >= o.MaxIter {
			break
		}
		// −∇²J = Φ_Yᵀ diag(e/m) Φ_Y + λI, upper triangle.
		for j := range m {
			c := math.Sqrt(e[j] / fm)
			src, dst := phiY[j*nf:(j+1)*nf], scaled[j*nf:(j+1)*nf]
			for k, v := range src {
				dst[k] = c * v
			}
		}
		hm := blas64.Symmetric{Uplo: blas.Upper, N: nf, Data: hess, Stride: nf}
		blas64.Syrk(blas.Trans, 1, blas64.General{Rows: m, Cols: nf, Data: scaled, Stride: nf}, 0, hm)
		for k := range nf {
			hess[k*nf+k] += lam
		}
		t, ok := lapack64.Potrf(hm)
		if !ok {
			break // only on overflow in e: stop unconverged
		}
		copy(step, grad)
		lapack64.Potrs(t, blas64.General{Rows: nf, Cols: 1, Data: step, Stride: 1})
		blas64.Gemv(blas.NoTrans, 1, phiYm, blas64.Vector{N: nf, Data: step, Inc: 1}, 0, blas64.Vector{N: m, Data: u, Inc: 1})

		// J(w+tΔ) − J(w) = −t φ̄ᵀΔ − (1/m) Σ_j e_j expm1(−t u_j) − λ(t wᵀΔ + t²‖Δ‖²/2).
		slope := dot(grad, step) // > 0
		lin := -dot(phiX, step) - lam*dot(w, step)
		quad := -lam * dot(step, step) / 2
		accepted := false
		for tt := 1.0; tt > 1e-12; tt /= 2 {
			var ex float64
			for j := range m {
				ex += e[j] * math.Expm1(-tt*u[j])
			}
			if inc := tt*lin - ex/fm + tt*tt*quad; inc >= 1e-4*tt*slope {
				for k := range w {
					w[k] += tt * step[k]
				}
				accepted = true
				break
			}
		}
		res.Iterations++
		if !accepted {
			res.GradNorm = evaluate()
			res.Converged = res.GradNorm <= o.Tol
			break
		}
	}

	var meanExp float64
	for _, v := range e {
		meanExp += v
	}
	meanExp /= fm
	res.Penalty = lam * dot(w, w) / 2
	res.Value = -dot(phiX, w) - meanExp + 1 - res.Penalty
	res.Gap = res.GradNorm * res.GradNorm / (2 * lam)
	fw.weight = w
	res.Witness = fw
	return res, nil
}

// FeatureWitness is f(x) = Σ_k w_k sqrt(2/D) cos(ω_kᵀx + b_k), the witness
// of KALERandomFeatures. Evaluating it costs O(D d).
type FeatureWitness struct {
	dim    int
	omega  []float64 // D×d, row-major
	phase  []float64 // D
	weight []float64 // D
	scale  float64   // sqrt(2/D)
}

// newFeatureWitness draws D features for bandwidth sigma; weights are zero.
func newFeatureWitness(d, nf int, sigma float64, rng *rand.Rand) *FeatureWitness {
	fw := &FeatureWitness{
		dim:    d,
		omega:  make([]float64, nf*d),
		phase:  make([]float64, nf),
		weight: make([]float64, nf),
		scale:  math.Sqrt(2 / float64(nf)),
	}
	for k := range nf {
		for c := range d {
			fw.omega[k*d+c] = rng.NormFloat64() / sigma
		}
		fw.phase[k] = 2 * math.Pi * rng.Float64()
	}
	return fw
}

// features writes φ(x) into dst (length D).
func (fw *FeatureWitness) features(dst, x []float64) {
	d := fw.dim
	for k := range dst {
		om := fw.omega[k*d : (k+1)*d]
		a := fw.phase[k]
		for c, v := range x {
			a += om[c] * v
		}
		dst[k] = fw.scale * math.Cos(a)
	}
}

// Dim returns the input dimension.
func (fw *FeatureWitness) Dim() int { return fw.dim }

// Features returns the number D of random features.
func (fw *FeatureWitness) Features() int { return len(fw.phase) }

// Weights returns the feature weights w (shared, do not modify).
func (fw *FeatureWitness) Weights() []float64 { return fw.weight }

// Eval returns f(x).
func (fw *FeatureWitness) Eval(x []float64) float64 {
	if len(x) != fw.dim {
		panic("kale: FeatureWitness.Eval: dimension mismatch")
	}
	d := fw.dim
	var s float64
	for k, wk := range fw.weight {
		om := fw.omega[k*d : (k+1)*d]
		a := fw.phase[k]
		for c, v := range x {
			a += om[c] * v
		}
		s += wk * math.Cos(a)
	}
	return fw.scale * s
}

// EvalBatch writes f(x_i) into dst[i] for every point of x.
func (fw *FeatureWitness) EvalBatch(dst []float64, x Samples) []float64 {
	dst = batchDst(dst, x, fw.dim)
	for i := range x.Rows {
		dst[i] = fw.Eval(x.Row(i))
	}
	return dst
}
