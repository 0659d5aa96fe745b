//go:build cuda

package cuda

// GradPenalty computes, for a network with one output f and the n rows of
// x, the gradient penalty P = mean_i ||∇_x f(x_i)||², writes it into out
// (on the device: nothing waits for it) and adds weight · ∇_θ P into the
// gradient arena, in forward mode over the backward pass exactly as
// shared/nn/penalty.go does: the input tangent is seeded with
// (2·weight/n) ∇_x f(x_i), pushed through the layers' tangent passes and
// then through their backward-tangent passes.
func (net *Network) GradPenalty(x Buffer, n int, weight float64, out Doubles) {
	net.mustBeScalar("GradPenalty")
	d := net.d
	_, g := net.InputGrad(x, n)
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
	// The output gradient (all ones) does not depend on x: its tangent is 0.
	d.zero(net.rdh[L])
	for l := L - 1; l >= 0; l-- {
		var rdx Buffer
		if l > 0 {
			rdx = net.rdh[l]
		}
		net.layers[l].backwardTangent(net.g, net.h[l], net.h[l+1], net.rh[l], net.dh[l+1], net.rdh[l+1], rdx, n)
	}
}
