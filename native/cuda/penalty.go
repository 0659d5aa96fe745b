//go:build cuda

package cuda

import "fmt"

// GradPenalty computes, for a network with one output f and the n rows of
// x, the gradient penalty P = mean_i ||∇_x f(x_i)||², writes it into out
// (on the device: nothing waits for it) and adds weight · ∇_θ P into the
// gradient arena, in forward mode over the backward pass exactly as
// shared/nn/penalty.go does: the input tangent is seeded with
// (2·weight/n) ∇_x f(x_i), pushed through the layers' tangent passes and
// then through their backward-tangent passes.
func (net *Network) GradPenalty(x Buffer, n int, weight float64, out Doubles) {
	net.mustBeScalar("GradPenalty")
	net.Forward(x, n)
	net.gradPenaltyAfterForward(n, weight, out)
}

// GradPenaltyBetween is shared/nn's GradPenaltyBetween on the device: the
// penalty at the n rows x̂_i = α_i x_i + (1 − α_i) y_i (alpha: n values),
// written into xhat, where x and y are the halves of the last Forward's 2n
// rows. The first layer's output at x̂ is the same mix of its outputs at x
// and y, which that Forward left in h[1], so the penalty's forward pass
// starts at the second layer (every first layer here is affine: linear or
// a convolution; another kind takes the full pass).
func (net *Network) GradPenaltyBetween(alpha, xhat Buffer, n int, weight float64, out Doubles) {
	net.mustBeScalar("GradPenaltyBetween")
	D, d := net.In(), net.d
	if net.n != 2*n || net.h[0].n != 2*n*D || alpha.n < n || xhat.n < n*D {
		panic(fmt.Sprintf("cuda: GradPenaltyBetween: %d rows need the last Forward on %d rows (it had %d)", n, 2*n, net.n))
	}
	xs, ys := net.h[0].Slice(0, n*D), net.h[0].Slice(n*D, 2*n*D)
	d.elementwise("interpolate", n*D, ptr(xs), ptr(ys), ptr(alpha), ptr(xhat), i64(n), i64(D))
	switch net.layers[0].(type) {
	case *linear, *conv2d, *convTranspose2d:
	default:
		net.GradPenalty(xhat, n, weight, out)
		return
	}
	// In place: row i reads rows i and n+i and writes row i only.
	w := net.widths[1]
	first := net.h[1].Slice(0, n*w)
	d.elementwise("interpolate", n*w, ptr(first), ptr(net.h[1].Slice(n*w, 2*n*w)), ptr(alpha), ptr(first), i64(n), i64(w))
	net.reserve(n)
	net.h[0] = xhat.Slice(0, n*D)
	for l := 1; l < len(net.layers); l++ {
		net.layers[l].forward(net.g, net.h[l], net.h[l+1], n)
	}
	net.gradPenaltyAfterForward(n, weight, out)
}

// gradPenaltyAfterForward is GradPenalty once the network has run forward
// on the n rows. The output gradient (all ones) does not depend on x, so
// its tangent is 0, and it stays 0 backwards through every layer whose
// backward pass is linear in dy with a factor that x does not move (linear
// layers, convolutions, the piecewise-linear activations): those layers
// skip the products by zero (backwardTangentZero), as shared/nn's do.
func (net *Network) gradPenaltyAfterForward(n int, weight float64, out Doubles) {
	d := net.d
	g := net.Backward(net.onesFor(n), false)
	d.sumSquares(g, 1/float64(n), out)
	if weight == 0 {
		return
	}
	net.reserveTangents()
	L := len(net.layers)
	scale := float32(2 * weight / float64(n))
	d.elementwise("scale", g.n, ptr(g), f64(float64(scale)), ptr(net.rh[0]), i64(g.n))
	for l, ly := range net.layers {
		ly.tangent(net.g, net.h[l], net.h[l+1], net.rh[l], net.rh[l+1], n)
	}
	zero := true // rdh[l+1] is all zeros and has not been written
	for l := L - 1; l >= 0; l-- {
		var rdx Buffer
		if l > 0 {
			rdx = net.rdh[l]
		}
		ly := net.layers[l]
		if zero {
			if z, ok := ly.(zeroTangentLayer); ok && z.backwardTangentZero(net.g, net.h[l], net.h[l+1], net.rh[l], net.dh[l+1], rdx, n) {
				continue
			}
			d.zero(net.rdh[l+1])
			zero = false
		}
		ly.backwardTangent(net.g, net.h[l], net.h[l+1], net.rh[l], net.dh[l+1], net.rdh[l+1], rdx, n)
	}
}

// zeroTangentLayer is a layer with a shortcut for the backward-tangent pass
// when rdy is all zeros: backwardTangentZero does what backwardTangent
// would, without the products and sums the zeros make vanish, and returns
// true, having left rdx unwritten (it is zero); or it does nothing and
// returns false, and the caller runs backwardTangent on written zeros.
type zeroTangentLayer interface {
	backwardTangentZero(g Gemm, x, y, rx, dy, rdx Buffer, n int) bool
}
