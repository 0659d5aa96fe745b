package nn

// GradPenalty computes, for a network with one output f and the n rows of
// x, the gradient penalty
//
//	P = mean_i ||∇_x f(x_i)||²
//
// and adds weight · ∇_θ P into the parameters' Grad.
//
// ∇_θ P is a derivative of the input gradient (a "double backward"). It is
// computed in forward mode: with g_i = ∇_x f(x_i),
//
//	∇_θ ||g_i||² = 2 (∂²f/∂θ∂x)(x_i) g_i = 2 d/dt ∇_θ f(x_i + t g_i) |_{t=0},
//
// so the pass seeds the input tangent with (2·weight/n) g_i, pushes it
// forward through the layers (rh = J rx) and then through the backward pass
// (backwardTangent), which yields the parameter gradient's directional
// derivative. It costs about two more forward-and-backward passes.
func (net *Network) GradPenalty(x []float32, n int, weight float64) float64 {
	net.mustBeScalar("GradPenalty")
	if err := net.spec.TangentError(); err != nil {
		panic(err)
	}
	_, g := net.InputGrad(x, n)
	var p float64
	for _, v := range g {
		p += float64(v) * float64(v)
	}
	p /= float64(n)
	if weight == 0 {
		return p
	}
	net.reserveTangents()
	L := len(net.layers)
	scale := float32(2 * weight / float64(n))
	for i, v := range g {
		net.rh[0][i] = scale * v
	}
	for l, ly := range net.layers {
		ly.tangent(net.gemm, net.h[l], net.h[l+1], net.rh[l], net.rh[l+1], n)
	}
	// The output gradient (all ones) does not depend on x: its tangent is 0,
	// and it stays 0 backwards through every layer whose backward pass is
	// linear in dy with a factor that x does not move (linear layers, and
	// the piecewise-linear activations, σ” = 0): those layers skip the
	// products by zero (zeroTangentLayer). For an energy of linear layers
	// and LeakyReLUs that leaves one weight-gradient product per layer
	// instead of three.
	zero := true // rdh[l+1] is all zeros and has not been written
	for l := L - 1; l >= 0; l-- {
		var rdx []float32
		if l > 0 {
			rdx = net.rdh[l]
		}
		ly := net.layers[l]
		if zero {
			if z, ok := ly.(zeroTangentLayer); ok {
				zero = z.backwardTangentZero(net.gemm, net.h[l], net.h[l+1], net.rh[l], net.dh[l+1], rdx, n)
				continue
			}
			clear(net.rdh[l+1])
			zero = false
		}
		ly.backwardTangent(net.gemm, net.h[l], net.h[l+1], net.rh[l], net.dh[l+1], net.rdh[l+1], rdx, n)
	}
	return p
}

// zeroTangentLayer is a layer whose backwardTangent has a shortcut for
// rdy = 0 (the gradient penalty's pass starts with it at the output).
type zeroTangentLayer interface {
	// backwardTangentZero is backwardTangent with rdy all zeros, without
	// the products and sums that the zeros make vanish: the same values
	// (up to the sign of zeros). It reports whether rdx is all zeros too,
	// in which case it has not written rdx (which may be nil).
	backwardTangentZero(g Gemm, x, y, rx, dy, rdx []float32, n int) (rdxZero bool)
}
