package nn

import "math/rand/v2"

// layer is one step of a sequential network, written llm.c-style: each pass
// of a layer sits beside the others in its file. x is the layer's input and
// y its output for a batch of n rows; a d-prefix is a gradient of the loss
// with respect to that quantity and an r-prefix a tangent (a directional
// derivative along the input direction of the gradient penalty).
type layer interface {
	// forward computes y = f(x).
	forward(g Gemm, x, y []float32, n int)
	// backward computes dx = J_f(x)^T dy (skipped when dx is nil) and, when
	// params is true, adds the parameter gradient of <dy, f(x)> into the
	// parameters' Grad.
	backward(g Gemm, x, y, dy, dx []float32, n int, params bool)
	// tangent computes ry = J_f(x) rx.
	tangent(g Gemm, x, y, rx, ry []float32, n int)
	// backwardTangent differentiates backward along the tangent: with
	// dx = J(x)^T dy it computes rdx = d/dt [J(x+t rx)^T (dy + t rdy)] and
	// adds d/dt of the parameter gradient into Grad.
	backwardTangent(g Gemm, x, y, rx, dy, rdy, rdx []float32, n int)
	// params and state are the layer's trainable tensors and its
	// non-trainable ones (spectral normalisation's u, v), in the order of
	// its descriptor's tensors.
	params() []*Param
	state() []*Param
	// init draws the initial parameters from rng.
	init(rng *rand.Rand)
	// refresh brings derived weights up to date after the parameters
	// changed (powerIters steps of power iteration, then W/σ).
	refresh(powerIters int)
	// finishGrads maps gradients accumulated with respect to derived
	// weights back to the parameters.
	finishGrads()
}
