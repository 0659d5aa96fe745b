package nn

import "fmt"

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
	net.Forward(x, n)
	return net.gradPenaltyAfterForward(n, weight)
}

// GradPenaltyBetween is GradPenalty at the n rows
//
//	x̂_i = α_i x_i + (1 − α_i) y_i,
//
// which it writes into xhat (n × In; the caller keeps it unchanged until
// the network's next pass), where x and y are the two halves of the 2n rows
// [x; y] of the last Forward: the penalty of KALE's energy step, whose
// loss has just run the network on the data and the generated rows.
//
// When the first layer is affine in its input (linear, the convolutions),
// its output at x̂ is that mix of its outputs at x and y, which the last
// Forward left in the network's buffers, so the penalty's forward pass
// starts at the second layer: the first layer's product (a quarter of the
// penalty's forward FLOPs on gebm's MNIST energy) is replaced by a pass
// over its outputs. The mix equals the product at x̂ up to float32
// rounding (a few units in the last place of each pre-activation), not bit
// for bit; every platform computes the same mix, so native and WebAssembly
// training still agree. Otherwise it runs GradPenalty(xhat, n, weight).
func (net *Network) GradPenaltyBetween(alpha, xhat []float32, weight float64) float64 {
	net.mustBeScalar("GradPenaltyBetween")
	if err := net.spec.TangentError(); err != nil {
		panic(err)
	}
	n, D := len(alpha), net.In()
	if net.n != 2*n || len(net.h[0]) != 2*n*D || len(xhat) < n*D {
		panic(fmt.Sprintf("nn: GradPenaltyBetween: %d weights need the last Forward on %d rows (it had %d) and %d values of xhat (%d)",
			n, 2*n, net.n, n*D, len(xhat)))
	}
	x, y := net.h[0][:n*D], net.h[0][n*D:]
	mix(xhat, x, y, alpha, D)
	if _, ok := net.layers[0].(affineLayer); !ok {
		return net.GradPenalty(xhat, n, weight)
	}
	// Row i of the first layer's output becomes the mix of rows i and n+i:
	// rows n.. are read, never written, so the mix can be made in place.
	w := net.widths[1]
	out := net.h[1]
	mix(out[:n*w], out[:n*w], out[n*w:2*n*w], alpha, w)
	net.reserve(n)
	net.h[0] = xhat[:n*D]
	net.forwardFrom(1, n)
	return net.gradPenaltyAfterForward(n, weight)
}

// mix writes dst_i = α_i a_i + (1 − α_i) b_i for the len(alpha) rows of
// width d of a and b (dst may be a).
func mix(dst, a, b, alpha []float32, d int) {
	for i, al := range alpha {
		for j := i * d; j < (i+1)*d; j++ {
			dst[j] = al*a[j] + (1-al)*b[j]
		}
	}
}

// affineLayer marks the layers whose output is an affine function of their
// input (GradPenaltyBetween mixes their outputs).
type affineLayer interface{ affineInInput() }

func (*linear) affineInInput()          {}
func (*conv2d) affineInInput()          {}
func (*convTranspose2d) affineInInput() {}

// gradPenaltyAfterForward is GradPenalty once the network has run forward
// on the n rows.
func (net *Network) gradPenaltyAfterForward(n int, weight float64) float64 {
	g := net.Backward(net.ones[:n], false)
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
