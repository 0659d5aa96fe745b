package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// KindCoupling is the affine coupling layer of RealNVP (Dinh, Sohl-Dickstein
// & Bengio 2017). Its In = Out = D values split by a mask: the kept ones, at
// the indices j with j mod 2 = Parity, pass through unchanged, and the moved
// ones (the others) are scaled and shifted by functions of the kept ones:
//
//	y_keep = x_keep
//	y_move = x_move ⊙ exp(s) + t,   s = tanh(r),   (r, t) = NN(x_keep)
//
// where NN is an MLP |keep| → Hidden → Hidden → 2|move| with tanh hidden
// units. The tanh bounds each log-scale to (-1, 1), which keeps a stack of
// layers invertible in float32 and its log-determinant Σ s bounded. The
// layer is invertible in closed form (flow.go): x_move = (y_move − t) ⊙
// exp(−s). It has no tangent pass: it is meant for a base, not an energy.
const KindCoupling Kind = "coupling"

func init() {
	register(KindCoupling, &kindDesc{
		fields: fieldSizes | fieldCoupling,
		in:     func(l LayerSpec) int { return l.In },
		check: func(i int, l LayerSpec, in int) error {
			if l.In < 2 || l.In > MaxDim || l.Out != l.In {
				return fmt.Errorf("nn: layer %d: coupling %d→%d: needs In = Out in 2..%d", i, l.In, l.Out, MaxDim)
			}
			if i > 0 && l.In != in {
				return fmt.Errorf("nn: layer %d: coupling takes %d inputs but the layer before gives %d", i, l.In, in)
			}
			if l.Hidden < 1 || l.Hidden > MaxDim {
				return fmt.Errorf("nn: layer %d: coupling hidden width %d must be in 1..%d", i, l.Hidden, MaxDim)
			}
			if l.Parity != 0 && l.Parity != 1 {
				return fmt.Errorf("nn: layer %d: coupling parity %d must be 0 or 1", i, l.Parity)
			}
			if l.SpectralNorm {
				return fmt.Errorf("nn: layer %d: coupling takes no spectral norm", i)
			}
			return nil
		},
		out:   func(l LayerSpec, _ int) int { return l.In },
		flops: func(l LayerSpec, _ int) int { return couplingNet(l).FLOPs() },
		tensors: func(i int, l LayerSpec, _ int) (params, state []TensorInfo) {
			for _, t := range couplingNet(l).Tensors() {
				t.Name = couplingName(i, t.Name)
				params = append(params, t)
			}
			return params, nil
		},
		build:     func(i int, l LayerSpec, _ int) layer { return newCoupling(i, l) },
		noTangent: true,
		example: func(in int) LayerSpec {
			return LayerSpec{Kind: KindCoupling, In: in, Out: in, Hidden: 4, Parity: 1}
		},
	})
}

// Coupling returns the layers of a RealNVP flow on dim values: layers
// affine couplings with alternating mask parity (0, 1, 0, ...), each with a
// scale-and-shift network of hidden width hidden.
func Coupling(dim, layers, hidden int) Spec {
	var s Spec
	for i := range layers {
		s.Layers = append(s.Layers, LayerSpec{Kind: KindCoupling, In: dim, Out: dim, Hidden: hidden, Parity: i % 2})
	}
	return s
}

// couplingMask returns the kept and the moved indices of a coupling layer.
func couplingMask(dim, parity int) (keep, move []int) {
	for j := range dim {
		if j%2 == parity {
			keep = append(keep, j)
		} else {
			move = append(move, j)
		}
	}
	return keep, move
}

// couplingNet is the spec of the layer's scale-and-shift network.
func couplingNet(l LayerSpec) Spec {
	keep, move := couplingMask(l.In, l.Parity)
	return MLP(len(keep), []int{l.Hidden, l.Hidden}, 2*len(move), Activation(KindTanh, 0), "", false)
}

// couplingName is the name of a tensor of layer i's network ("3.st.0.weight").
func couplingName(i int, sub string) string { return paramName(i, "st."+sub) }

// coupling is the layer; net computes (r, t) from the kept values, its
// first |move| outputs r and the next |move| t.
type coupling struct {
	dim        int
	keep, move []int
	net        *Network
	xa         []float32 // kept values of the batch, n × |keep| (net's input)
	o          []float32 // net's outputs for xa, n × 2|move|
	do         []float32 // gradient with respect to o
}

func newCoupling(i int, l LayerSpec) *coupling {
	keep, move := couplingMask(l.In, l.Parity)
	net, err := NewUninitialized(couplingNet(l))
	if err != nil {
		panic(err) // the descriptor's check accepted l, so its network is valid
	}
	for _, p := range net.params {
		p.Name = couplingName(i, p.Name)
	}
	return &coupling{dim: l.In, keep: keep, move: move, net: net}
}

// run evaluates the scale-and-shift network on the kept values of the n
// rows of x, leaving its outputs in c.o.
func (c *coupling) run(x []float32, n int) {
	ka := len(c.keep)
	c.xa = grow(c.xa, n*ka)
	for i := range n {
		row := x[i*c.dim : (i+1)*c.dim]
		for a, j := range c.keep {
			c.xa[i*ka+a] = row[j]
		}
	}
	c.o = c.net.Forward(c.xa, n)
}

func grow(b []float32, n int) []float32 {
	if cap(b) < n {
		return make([]float32, n)
	}
	return b[:n]
}

func (c *coupling) forward(_ Gemm, x, y []float32, n int) {
	c.run(x, n)
	m := len(c.move)
	for i := range n {
		xr, yr, or := x[i*c.dim:(i+1)*c.dim], y[i*c.dim:(i+1)*c.dim], c.o[i*2*m:(i+1)*2*m]
		for _, j := range c.keep {
			yr[j] = xr[j]
		}
		for b, j := range c.move {
			s := math.Tanh(float64(or[b]))
			yr[j] = float32(float64(xr[j])*math.Exp(s) + float64(or[m+b]))
		}
	}
}

// backward: with s = tanh(r), ∂y_move/∂x_move = exp(s), ∂y_move/∂r =
// x_move exp(s) (1 − s²), ∂y_move/∂t = 1, and the kept inputs receive dy_keep
// plus the network's input gradient of (dr, dt). It reads c.o, so it must
// follow the forward pass of the same batch.
func (c *coupling) backward(_ Gemm, x, _, dy, dx []float32, n int, params bool) {
	if dx == nil && !params {
		return
	}
	m := len(c.move)
	c.do = grow(c.do, n*2*m)
	for i := range n {
		xr, dyr, or, dor := x[i*c.dim:(i+1)*c.dim], dy[i*c.dim:(i+1)*c.dim], c.o[i*2*m:(i+1)*2*m], c.do[i*2*m:(i+1)*2*m]
		for b, j := range c.move {
			s := math.Tanh(float64(or[b]))
			e := math.Exp(s)
			dor[b] = float32(float64(dyr[j]) * float64(xr[j]) * e * (1 - s*s))
			dor[m+b] = dyr[j]
			if dx != nil {
				dx[i*c.dim+j] = float32(float64(dyr[j]) * e)
			}
		}
	}
	if dx == nil {
		c.net.BackwardParams(c.do)
		return
	}
	dxa := c.net.Backward(c.do, params)
	ka := len(c.keep)
	for i := range n {
		for a, j := range c.keep {
			dx[i*c.dim+j] = dy[i*c.dim+j] + dxa[i*ka+a]
		}
	}
}

func (c *coupling) tangent(Gemm, []float32, []float32, []float32, []float32, int) {
	panic("nn: coupling has no tangent pass (Spec.TangentError)")
}

func (c *coupling) backwardTangent(Gemm, []float32, []float32, []float32, []float32, []float32, []float32, int) {
	panic("nn: coupling has no tangent pass (Spec.TangentError)")
}

func (c *coupling) params() []*Param { return c.net.params }
func (c *coupling) state() []*Param  { return nil }

// init draws the network's weights as a linear layer does (PyTorch's
// default); the flow starts as a random invertible map, not the identity.
func (c *coupling) init(rng *rand.Rand) {
	for _, l := range c.net.layers {
		l.init(rng)
	}
}

func (c *coupling) refresh(int)  {}
func (c *coupling) finishGrads() {}
