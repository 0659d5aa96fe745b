package nn

import (
	"errors"
	"fmt"
	"math"
)

// A flow is a network whose every layer is an affine coupling (KindCoupling):
// an invertible map f: R^D → R^D with a tractable Jacobian. Used as a base
// with z ~ N(0, I_D), its samples x = f(z) have the density
//
//	log q(x) = log N(f⁻¹(x); 0, I) − log |det ∂f/∂z (f⁻¹(x))|
//
// and log |det ∂f/∂z| is the sum of the layers' log-scales s. This file holds
// the operations only a flow has: the inverse, the log-density and the
// gradient of the negative log-likelihood (maximum-likelihood training).

// FlowError is nil when s is a flow (every layer a coupling), and otherwise
// says why not.
func (s Spec) FlowError() error {
	if len(s.Layers) == 0 {
		return errors.New("nn: an empty network is not a flow")
	}
	for i, l := range s.Layers {
		if l.Kind != KindCoupling {
			return fmt.Errorf("nn: layer %d is %s: a flow has coupling layers only", i, l.Kind)
		}
	}
	return nil
}

// IsFlow reports whether every layer of s is an affine coupling.
func (s Spec) IsFlow() bool { return s.FlowError() == nil }

func (net *Network) mustBeFlow(op string) {
	if err := net.spec.FlowError(); err != nil {
		panic(fmt.Sprintf("nn: %s: %v", op, err))
	}
}

// Inverse computes z = f⁻¹(x) for the n rows of x (n × D) and, in
// logdet[i], log |det ∂f/∂z| at z_i, that is −log |det ∂f⁻¹/∂x| at x_i. z is
// a view into the network's buffers, valid until the next pass; Inverse
// also overwrites what a previous Forward left for Backward.
func (net *Network) Inverse(x []float32, n int, logdet []float64) (z []float32) {
	net.mustBeFlow("Inverse")
	D := net.In()
	L := len(net.layers)
	if len(net.inv) != L+1 {
		net.inv = make([][]float32, L+1)
	}
	for l := range net.inv {
		net.inv[l] = grow(net.inv[l], n*D)
	}
	copy(net.inv[L], x[:n*D])
	clear(logdet[:n])
	for l := L - 1; l >= 0; l-- {
		net.layers[l].(*coupling).inverse(net.inv[l+1], net.inv[l], n, logdet)
	}
	return net.inv[0]
}

// LogDensity writes log q(x_i) = log N(z_i; 0, I) − log |det ∂f/∂z (z_i)|,
// z_i = f⁻¹(x_i), into out for the n rows of x.
func (net *Network) LogDensity(x []float32, n int, out []float64) {
	z := net.Inverse(x, n, out)
	D := net.In()
	for i := range n {
		out[i] = logNormal(z[i*D:(i+1)*D]) - out[i]
	}
}

// logNormal is log N(z; 0, I).
func logNormal(z []float32) float64 {
	var q float64
	for _, v := range z {
		q += float64(v) * float64(v)
	}
	return -0.5*q - 0.5*float64(len(z))*math.Log(2*math.Pi)
}

// NLLGrad returns the mean negative log-likelihood −(1/n) Σ_i log q(x_i) of
// the n rows of x and adds its gradient with respect to the parameters into
// their Grad: the maximum-likelihood step of a flow. The gradient runs back
// through the inverse, layer by layer from z to x.
func (net *Network) NLLGrad(x []float32, n int) float64 {
	net.mustBeFlow("NLLGrad")
	D := net.In()
	logdet := make([]float64, n)
	z := net.Inverse(x, n, logdet)
	var nll float64
	for i := range n {
		nll -= logNormal(z[i*D:(i+1)*D]) - logdet[i]
	}
	nll /= float64(n)
	// −log N(z) = |z|²/2 + const: its gradient with respect to z is z.
	L := len(net.layers)
	if len(net.invGrad) != 2 {
		net.invGrad = make([][]float32, 2)
	}
	gx, gy := grow(net.invGrad[0], n*D), grow(net.invGrad[1], n*D)
	w := float32(1 / float64(n))
	for k, v := range z {
		gx[k] = w * v
	}
	for l := range L {
		net.layers[l].(*coupling).inverseBackward(net.inv[l+1], net.inv[l], gx, gy, n, w)
		gx, gy = gy, gx
	}
	net.invGrad[0], net.invGrad[1] = gx, gy
	return nll
}

// inverse computes x = f⁻¹(y) for one coupling layer, x_keep = y_keep and
// x_move = (y_move − t) ⊙ exp(−s), and adds Σ s (log |det ∂y/∂x|) into
// logdet[i] for each row.
func (c *coupling) inverse(y, x []float32, n int, logdet []float64) {
	c.run(y, n) // y_keep = x_keep
	m := len(c.move)
	for i := range n {
		yr, xr, or := y[i*c.dim:(i+1)*c.dim], x[i*c.dim:(i+1)*c.dim], c.o[i*2*m:(i+1)*2*m]
		for _, j := range c.keep {
			xr[j] = yr[j]
		}
		var sum float64
		for b, j := range c.move {
			s := math.Tanh(float64(or[b]))
			xr[j] = float32((float64(yr[j]) - float64(or[m+b])) * math.Exp(-s))
			sum += s
		}
		logdet[i] += sum
	}
}

// inverseBackward is the backward pass of inverse for the loss
// ℓ = ℓ(x) + w Σ_i Σ s_i (the layer's share of the negative log-likelihood):
// given gx = ∂ℓ/∂x it writes gy = ∂ℓ/∂y and adds the parameter gradient
// into Grad. With e = exp(−s): ∂x_move/∂y_move = e, ∂x_move/∂t = −e,
// ∂x_move/∂s = −x_move, s = tanh(r), and y_keep also feeds the network.
func (c *coupling) inverseBackward(y, x, gx, gy []float32, n int, w float32) {
	c.run(y, n)
	m := len(c.move)
	c.do = grow(c.do, n*2*m)
	for i := range n {
		xr, gxr, gyr, or, dor := x[i*c.dim:(i+1)*c.dim], gx[i*c.dim:(i+1)*c.dim], gy[i*c.dim:(i+1)*c.dim],
			c.o[i*2*m:(i+1)*2*m], c.do[i*2*m:(i+1)*2*m]
		for b, j := range c.move {
			s := math.Tanh(float64(or[b]))
			e := math.Exp(-s)
			g := float64(gxr[j])
			gyr[j] = float32(g * e)
			dor[b] = float32((float64(w) - g*float64(xr[j])) * (1 - s*s))
			dor[m+b] = float32(-g * e)
		}
	}
	dya := c.net.Backward(c.do, true)
	ka := len(c.keep)
	for i := range n {
		for a, j := range c.keep {
			gy[i*c.dim+j] = gx[i*c.dim+j] + dya[i*ka+a]
		}
	}
}
