package sample

// Potential is a differentiable negative log-density U over R^Dim(), up to an additive
// constant: the target density is π(z) ∝ exp(−U(z)). It is evaluated for a batch of points.
type Potential interface {
	// Dim is the dimension d of the space; it must not change.
	Dim() int
	// Eval computes, for the n = len(u) points stored row-major in z (n*Dim() float32s),
	// u[i] = U(z_i) and grad[i*d:(i+1)*d] = ∇U(z_i). It must not keep z or grad.
	// It may return non-finite values (they reject the move that led there); it is never
	// called with a non-finite z.
	Eval(z []float32, u []float64, grad []float32)
}

// Pointwise adapts a function of one point to a Potential, evaluating it point by point.
// F must return U(z) and store ∇U(z) in grad (len(z) == len(grad) == D).
type Pointwise struct {
	D int
	F func(z, grad []float32) float64
}

// Dim returns p.D.
func (p Pointwise) Dim() int { return p.D }

// Eval calls p.F on each of the len(u) points of z.
func (p Pointwise) Eval(z []float32, u []float64, grad []float32) {
	d := p.D
	for i := range u {
		u[i] = p.F(z[i*d:(i+1)*d:(i+1)*d], grad[i*d:(i+1)*d:(i+1)*d])
	}
}
