package nn

import (
	"fmt"
	"math/rand/v2"
	"strconv"
)

// Network is a sequential network built from a Spec. It owns the buffers of
// one batch (activations, gradients, tangents), grown on demand and reused,
// so that steady-state passes allocate nothing. A Network is not safe for
// concurrent use; the matrices returned by its passes are views into its
// buffers, valid until the next pass.
type Network struct {
	spec   Spec
	layers []layer
	widths []int // widths[l] is the width of the input to layer l; widths[L] the output
	gemm   Gemm

	n       int         // rows of the batch held in the buffers
	h       [][]float32 // h[l]: input of layer l (h[0] aliases the caller's x); h[L]: output
	dh      [][]float32 // dh[l]: gradient with respect to h[l]
	rh      [][]float32 // tangents of h
	rdh     [][]float32 // tangents of dh
	ones    []float32
	inv     [][]float32 // flows: inv[l] is the input of layer l in Inverse (flow.go)
	invGrad [][]float32 // flows: the two gradient buffers of NLLGrad
	params  []*Param
	state   []*Param
}

// New builds the network described by spec with freshly initialised weights
// drawn from rng (same seed, same weights, on every platform).
func New(spec Spec, rng *rand.Rand) (*Network, error) {
	net, err := NewUninitialized(spec)
	if err != nil {
		return nil, err
	}
	for _, l := range net.layers {
		l.init(rng)
	}
	net.Refresh(20)
	return net, nil
}

// NewUninitialized builds the network with zero weights, for a caller that
// will fill Params and State (a model-file reader) and then call Refresh.
func NewUninitialized(spec Spec) (*Network, error) {
	if err := spec.Validate(); err != nil {
		return nil, err
	}
	net := &Network{spec: spec, gemm: DefaultGemm(), widths: spec.Widths()}
	for i, ls := range spec.Layers {
		l := kinds[ls.Kind].build(i, ls, net.widths[i])
		net.params = append(net.params, l.params()...)
		net.state = append(net.state, l.state()...)
		net.layers = append(net.layers, l)
	}
	L := len(net.layers)
	net.h = make([][]float32, L+1)
	net.dh = make([][]float32, L+1)
	net.rh = make([][]float32, L+1)
	net.rdh = make([][]float32, L+1)
	return net, nil
}

func paramName(layer int, what string) string { return strconv.Itoa(layer) + "." + what }

// Spec returns the architecture.
func (net *Network) Spec() Spec { return net.spec }

// In and Out are the input and output widths.
func (net *Network) In() int  { return net.widths[0] }
func (net *Network) Out() int { return net.widths[len(net.widths)-1] }

// Params returns the trainable tensors in a fixed order ("0.weight",
// "0.bias", "2.weight", ...).
func (net *Network) Params() []*Param { return net.params }

// ParamCount is the number of values in the trainable tensors.
func (net *Network) ParamCount() int {
	n := 0
	for _, p := range net.params {
		n += len(p.Value)
	}
	return n
}

// State returns the non-trainable tensors that a model file must keep
// (spectral normalisation's u and v vectors).
func (net *Network) State() []*Param { return net.state }

// SetTraining selects how batch normalisation layers (KindBatchNorm)
// normalise: with on, by the statistics of each forward pass's batch, which
// they also fold into their running statistics (a training step of the
// network that holds them); with off, the default, by those running
// statistics, so that each row's output depends on that row only (sampling,
// evaluation). Other layers behave the same in both modes.
func (net *Network) SetTraining(on bool) {
	for _, l := range net.layers {
		if m, ok := l.(interface{ setTraining(bool) }); ok {
			m.setTraining(on)
		}
	}
}

// SetGemm selects the matrix-product implementation of this network.
func (net *Network) SetGemm(g Gemm) { net.gemm = g }

// ZeroGrad clears every parameter gradient.
func (net *Network) ZeroGrad() {
	for _, p := range net.params {
		p.ZeroGrad()
	}
}

// Refresh brings derived weights up to date after the parameters changed
// (an optimiser step, a load): for spectrally normalised layers it runs
// powerIters steps of power iteration, then recomputes W/σ. Training calls
// Refresh(1) before each step, as the reference does; with no spectral
// normalisation it does nothing.
func (net *Network) Refresh(powerIters int) {
	for _, l := range net.layers {
		l.refresh(powerIters)
	}
}

// FinishGrads maps gradients accumulated with respect to normalised weights
// back to the raw weights. Call it once after the backward passes of a step
// and before the optimiser reads Grad.
func (net *Network) FinishGrads() {
	for _, l := range net.layers {
		l.finishGrads()
	}
}

// reserve makes the buffers hold n rows.
func (net *Network) reserve(n int) {
	net.n = n
	for l := range net.h {
		size := n * net.widths[l]
		if l > 0 && cap(net.h[l]) < size {
			net.h[l] = make([]float32, size)
		}
		if cap(net.dh[l]) < size {
			net.dh[l] = make([]float32, size)
		}
		if l > 0 {
			net.h[l] = net.h[l][:size]
		}
		net.dh[l] = net.dh[l][:size]
	}
	if cap(net.ones) < n {
		net.ones = make([]float32, n)
		for i := range net.ones {
			net.ones[i] = 1
		}
	}
}

func (net *Network) reserveTangents() {
	for l := range net.h {
		size := net.n * net.widths[l]
		if cap(net.rh[l]) < size {
			net.rh[l] = make([]float32, size)
		}
		if cap(net.rdh[l]) < size {
			net.rdh[l] = make([]float32, size)
		}
		net.rh[l] = net.rh[l][:size]
		net.rdh[l] = net.rdh[l][:size]
	}
}

// Forward computes the outputs for the n rows of x (n × In, row-major) and
// returns them (n × Out). x must stay unchanged until the backward passes
// that follow have run.
func (net *Network) Forward(x []float32, n int) []float32 {
	if len(x) < n*net.In() {
		panic(fmt.Sprintf("nn: Forward: %d values for %d rows of %d", len(x), n, net.In()))
	}
	net.reserve(n)
	net.h[0] = x[:n*net.In()]
	net.forwardFrom(0, n)
	return net.h[len(net.layers)]
}

// forwardFrom runs layers l, l+1, ... on the n rows whose input to layer l
// is in h[l].
func (net *Network) forwardFrom(l, n int) {
	for ; l < len(net.layers); l++ {
		if lin, act := fusedPair(net.layers, l); lin != nil {
			// A linear layer and its activation in one product (fused.go).
			lin.forwardAct(net.gemm, act, net.h[l], net.h[l+1], net.h[l+2], n)
			l++
			continue
		}
		net.layers[l].forward(net.gemm, net.h[l], net.h[l+1], n)
	}
}

// Backward propagates dy (n × Out, the gradient of a loss with respect to
// the outputs of the last Forward) to the input and returns dx (n × In).
// With params it adds the loss's parameter gradient into each Param's Grad.
func (net *Network) Backward(dy []float32, params bool) []float32 {
	net.backward(dy, params, true)
	return net.dh[0]
}

// BackwardParams adds the parameter gradient of <dy, outputs> into each
// Param's Grad, skipping the input gradient (one matrix product fewer).
func (net *Network) BackwardParams(dy []float32) {
	net.backward(dy, true, false)
}

func (net *Network) backward(dy []float32, params, input bool) {
	L := len(net.layers)
	copy(net.dh[L], dy[:len(net.dh[L])])
	for l := L - 1; l >= 0; l-- {
		dx := net.dh[l]
		if l == 0 && !input {
			dx = nil
		}
		if act, lin := actLinearPair(net.layers, l-1); lin != nil && (l > 1 || input) {
			// This linear layer and the activation before it in one product
			// (fused.go): dh[l] = dh[l+1]·W, dh[l-1] = σ'·dh[l].
			lin.backwardAct(net.gemm, act, net.h[l-1], net.h[l], net.dh[l+1], net.dh[l], net.dh[l-1], net.n, params)
			l--
			continue
		}
		net.layers[l].backward(net.gemm, net.h[l], net.h[l+1], net.dh[l+1], dx, net.n, params)
	}
}

// InputGrad computes, for a network with one output f, the values f(x_i)
// and the input gradients ∇_x f(x_i) for the n rows of x. Both returned
// slices are views into the network's buffers.
func (net *Network) InputGrad(x []float32, n int) (f, grad []float32) {
	net.mustBeScalar("InputGrad")
	f = net.Forward(x, n)
	return f, net.Backward(net.ones[:n], false)
}

func (net *Network) mustBeScalar(op string) {
	if net.Out() != 1 {
		panic(fmt.Sprintf("nn: %s needs a network with one output, this one has %d", op, net.Out()))
	}
}
