package kale

import "math"

// Witness is the optimised function f of a KALE problem, evaluable anywhere
// in R^Dim (for contour plots, held-out bounds, or as an energy). In this
// package's sign convention f is low where P is denser than Q; at the
// population optimum f = −log(dP/dQ).
type Witness interface {
	// Dim is the dimension of the input space.
	Dim() int
	// Eval returns f(x); len(x) must be Dim().
	Eval(x []float64) float64
	// EvalBatch writes f at every point of x into dst and returns it. A nil
	// dst is allocated; otherwise len(dst) must be x.Rows. x.Cols must be
	// Dim().
	EvalBatch(dst []float64, x Samples) []float64
}

// KernelWitness is f(z) = Σ_k c_k exp(−‖z − u_k‖²/(2σ²)), a finite kernel
// expansion over centres u_k: the representer-theorem form of the exact
// RKHS solution. Evaluating it costs O(K d) for K centres.
type KernelWitness struct {
	centers Samples
	coef    []float64
	sigma   float64
}

// NewKernelWitness returns the witness Σ_k coef[k] k(·, centers_k) with the
// Gaussian kernel of bandwidth sigma. It keeps (does not copy) its arguments.
func NewKernelWitness(centers Samples, coef []float64, sigma float64) *KernelWitness {
	if len(coef) != centers.Rows || len(centers.Data) != centers.Rows*centers.Cols {
		panic("kale: NewKernelWitness: coefficient count does not match centres")
	}
	return &KernelWitness{centers: centers, coef: coef, sigma: sigma}
}

// Dim returns the input dimension.
func (w *KernelWitness) Dim() int { return w.centers.Cols }

// Centers returns the expansion centres u_k (shared, do not modify).
func (w *KernelWitness) Centers() Samples { return w.centers }

// Coefficients returns the expansion coefficients c_k (shared, do not modify).
func (w *KernelWitness) Coefficients() []float64 { return w.coef }

// Bandwidth returns the kernel bandwidth σ.
func (w *KernelWitness) Bandwidth() float64 { return w.sigma }

// Eval returns f(x).
func (w *KernelWitness) Eval(x []float64) float64 {
	if len(x) != w.centers.Cols {
		panic("kale: KernelWitness.Eval: dimension mismatch")
	}
	c := -1 / (2 * w.sigma * w.sigma)
	var s float64
	for k, a := range w.coef {
		s += a * math.Exp(c*sqDist(x, w.centers.Row(k)))
	}
	return s
}

// EvalBatch writes f(x_i) into dst[i] for every point of x.
func (w *KernelWitness) EvalBatch(dst []float64, x Samples) []float64 {
	dst = batchDst(dst, x, w.centers.Cols)
	for i := range x.Rows {
		dst[i] = w.Eval(x.Row(i))
	}
	return dst
}

// batchDst checks x against the witness dimension and returns a usable dst.
func batchDst(dst []float64, x Samples, dim int) []float64 {
	if x.Cols != dim || len(x.Data) != x.Rows*x.Cols {
		panic("kale: EvalBatch: dimension mismatch")
	}
	if dst == nil {
		return make([]float64, x.Rows)
	}
	if len(dst) != x.Rows {
		panic("kale: EvalBatch: len(dst) != x.Rows")
	}
	return dst
}
