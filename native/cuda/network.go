//go:build cuda

package cuda

import (
	"fmt"

	"github.com/gebm/gebm/shared/nn"
)

// Network is the device copy of an nn.Network, with the same passes
// (shared/nn/network.go). Its parameters and their gradients are views into
// arenas that the caller owns (one contiguous run per network, so that the
// optimiser, the gradient norm and zeroing are one kernel each), laid out
// in the order of the host network's Params. Its state (spectral
// normalisation's u and v) is in a buffer of its own, in State order.
type Network struct {
	d      *Device
	g      Gemm
	host   *nn.Network
	layers []layer
	widths []int

	params, grads Buffer // the arenas' views of this network
	state         Buffer

	n, rows  int      // rows of the last forward pass; rows the buffers hold
	trows    int      // rows the tangent buffers hold
	h, dh    []Buffer // views for the current pass
	rh, rdh  []Buffer
	bufH     []Buffer // owned: h[1..L]
	bufDH    []Buffer // owned: dh[0..L-1]
	bufRH    []Buffer // owned: rh[0..L]
	bufRDH   []Buffer // owned: rdh[1..L]
	ones     Buffer
	onesRows int
}

// NewNetwork makes the device copy of host, its parameters and gradients
// living in params and grads (host.ParamCount() elements each). The values
// are uploaded by Upload.
func NewNetwork(d *Device, g Gemm, host *nn.Network, params, grads Buffer) (*Network, error) {
	if params.n != host.ParamCount() || grads.n != params.n {
		return nil, fmt.Errorf("cuda: network arenas of %d and %d values for %d parameters", params.n, grads.n, host.ParamCount())
	}
	defer d.bind()()
	net := &Network{d: d, g: g, host: host, params: params, grads: grads}
	nstate := 0
	for _, p := range host.State() {
		nstate += len(p.Value)
	}
	if nstate > 0 {
		net.state = d.Alloc(nstate)
	}
	spec := host.Spec()
	net.widths = spec.Widths()
	po, so := 0, 0 // next offset in the arenas, in the state buffer
	for i, ls := range spec.Layers {
		build := builders[ls.Kind]
		if build == nil {
			net.freeLayers()
			return nil, &nn.UnsupportedKindError{Backend: "cuda", Kind: ls.Kind}
		}
		var t layerTensors
		ps, st := spec.LayerTensors(i)
		for _, p := range ps {
			n := p.Size()
			t.params = append(t.params, params.Slice(po, po+n))
			t.grads = append(t.grads, grads.Slice(po, po+n))
			po += n
		}
		for _, s := range st {
			n := s.Size()
			t.state = append(t.state, net.state.Slice(so, so+n))
			so += n
		}
		l, err := build(d, ls, net.widths[i], t)
		if err != nil {
			net.freeLayers()
			return nil, err
		}
		net.layers = append(net.layers, l)
	}
	L := len(net.layers)
	net.h, net.dh = make([]Buffer, L+1), make([]Buffer, L+1)
	net.rh, net.rdh = make([]Buffer, L+1), make([]Buffer, L+1)
	net.bufH, net.bufDH = make([]Buffer, L+1), make([]Buffer, L+1)
	net.bufRH, net.bufRDH = make([]Buffer, L+1), make([]Buffer, L+1)
	return net, d.check()
}

// In and Out are the input and output widths.
func (net *Network) In() int  { return net.widths[0] }
func (net *Network) Out() int { return net.widths[len(net.widths)-1] }

// Params and Grads are the network's views of the parameter and gradient
// arenas.
func (net *Network) Params() Buffer { return net.params }
func (net *Network) Grads() Buffer  { return net.grads }

// Upload copies the host network's parameters and state to the device and
// computes the normalised weights from them (Refresh(0), as a model-file
// reader does).
func (net *Network) Upload() error {
	defer net.d.bind()()
	net.d.Upload(net.params, gather(net.host.Params()))
	if net.state.n > 0 {
		net.d.Upload(net.state, gather(net.host.State()))
	}
	net.refresh(0)
	return net.d.check()
}

// Download copies the parameters and state back into the host network and
// brings its derived weights up to date (Refresh(0)).
func (net *Network) Download() error {
	defer net.d.bind()()
	scatter(net.host.Params(), net.d, net.params)
	if net.state.n > 0 {
		scatter(net.host.State(), net.d, net.state)
	}
	if err := net.d.check(); err != nil {
		return err
	}
	net.host.Refresh(0)
	return nil
}

// gather concatenates the values of ps.
func gather(ps []*nn.Param) []float32 {
	var all []float32
	for _, p := range ps {
		all = append(all, p.Value...)
	}
	return all
}

// scatter downloads b and splits it into the values of ps.
func scatter(ps []*nn.Param, d *Device, b Buffer) {
	all := make([]float32, b.n)
	d.Download(all, b)
	for _, p := range ps {
		all = all[copy(p.Value, all):]
	}
}

// Free releases the device memory the network owns (not the arenas).
func (net *Network) Free() {
	defer net.d.bind()()
	for _, bs := range [][]Buffer{net.bufH, net.bufDH, net.bufRH, net.bufRDH} {
		for i := range bs {
			net.d.Free(bs[i])
			bs[i] = Buffer{}
		}
	}
	net.d.Free(net.ones)
	net.freeLayers()
}

// freeLayers releases the state buffer and what the layers allocated.
func (net *Network) freeLayers() {
	net.d.Free(net.state)
	for _, l := range net.layers {
		l.free()
	}
}

// SetTraining selects how batch normalisation layers normalise, as
// nn.Network.SetTraining does: with on, by each forward pass's batch
// statistics, which they also fold into their running statistics (in the
// state buffer, which Download brings back); with off, the default, by the
// running statistics.
func (net *Network) SetTraining(on bool) {
	for _, l := range net.layers {
		if m, ok := l.(interface{ setTraining(bool) }); ok {
			m.setTraining(on)
		}
	}
}

// ZeroGrad clears the gradients.
func (net *Network) ZeroGrad() { net.d.zero(net.grads) }

// Refresh runs powerIters steps of power iteration on every spectrally
// normalised layer and recomputes W/σ (shared/nn's Refresh).
func (net *Network) Refresh(powerIters int) { net.refresh(powerIters) }

func (net *Network) refresh(powerIters int) {
	for _, l := range net.layers {
		l.refresh(powerIters)
	}
}

// FinishGrads maps the gradients with respect to normalised weights back to
// the raw weights (shared/nn's FinishGrads).
func (net *Network) FinishGrads() {
	for _, l := range net.layers {
		l.finishGrads()
	}
}

// reserve makes the buffers hold n rows and sets the views for n rows.
func (net *Network) reserve(n int) {
	net.n = n
	L := len(net.layers)
	if n > net.rows {
		for l := range net.bufH {
			net.d.Free(net.bufH[l])
			net.d.Free(net.bufDH[l])
			net.bufH[l], net.bufDH[l] = Buffer{}, Buffer{}
			if l > 0 {
				net.bufH[l] = net.d.Alloc(n * net.widths[l])
			}
			if l < L {
				net.bufDH[l] = net.d.Alloc(n * net.widths[l])
			}
		}
		net.rows = n
	}
	for l := range net.h {
		if l > 0 {
			net.h[l] = net.bufH[l].Slice(0, n*net.widths[l])
		}
		if l < L {
			net.dh[l] = net.bufDH[l].Slice(0, n*net.widths[l])
		}
	}
}

func (net *Network) reserveTangents() {
	n, L := net.n, len(net.layers)
	if n > net.trows {
		for l := range net.bufRH {
			net.d.Free(net.bufRH[l])
			net.d.Free(net.bufRDH[l])
			net.bufRDH[l] = Buffer{}
			net.bufRH[l] = net.d.Alloc(n * net.widths[l])
			if l > 0 {
				net.bufRDH[l] = net.d.Alloc(n * net.widths[l])
			}
		}
		net.trows = n
	}
	for l := 0; l <= L; l++ {
		net.rh[l] = net.bufRH[l].Slice(0, n*net.widths[l])
		if l > 0 {
			net.rdh[l] = net.bufRDH[l].Slice(0, n*net.widths[l])
		}
	}
}

// Forward computes the outputs for the n rows of x (n × In) and returns them
// (n × Out), a view into the network's buffers valid until the next pass.
// x must stay unchanged until the backward passes that follow have run.
func (net *Network) Forward(x Buffer, n int) Buffer {
	if x.n < n*net.In() {
		panic(fmt.Sprintf("cuda: Forward: %d values for %d rows of %d", x.n, n, net.In()))
	}
	net.reserve(n)
	net.h[0] = x.Slice(0, n*net.In())
	for l, ly := range net.layers {
		ly.forward(net.g, net.h[l], net.h[l+1], n)
	}
	return net.h[len(net.layers)]
}

// Backward propagates dy (n × Out) to the input and returns dx (n × In);
// with params it adds the parameter gradient into the gradient arena.
func (net *Network) Backward(dy Buffer, params bool) Buffer {
	net.backward(dy, params, true)
	return net.dh[0]
}

// BackwardParams adds the parameter gradient of <dy, outputs>, skipping the
// input gradient.
func (net *Network) BackwardParams(dy Buffer) { net.backward(dy, true, false) }

func (net *Network) backward(dy Buffer, params, input bool) {
	L := len(net.layers)
	net.dh[L] = dy.Slice(0, net.n*net.Out()) // read only: aliasing the caller's dy is safe
	for l := L - 1; l >= 0; l-- {
		dx := net.dh[l]
		if l == 0 && !input {
			dx = Buffer{}
		}
		net.layers[l].backward(net.g, net.h[l], net.h[l+1], net.dh[l+1], dx, net.n, params)
	}
}

// InputGrad computes, for a network with one output f, f(x_i) and ∇_x f(x_i)
// for the n rows of x.
func (net *Network) InputGrad(x Buffer, n int) (f, grad Buffer) {
	net.mustBeScalar("InputGrad")
	f = net.Forward(x, n)
	return f, net.Backward(net.onesFor(n), false)
}

func (net *Network) mustBeScalar(op string) {
	if net.Out() != 1 {
		panic(fmt.Sprintf("cuda: %s needs a network with one output, this one has %d", op, net.Out()))
	}
}

// onesFor returns n ones on the device (the output gradient of InputGrad),
// grown on demand.
func (net *Network) onesFor(n int) Buffer {
	if n > net.onesRows {
		net.d.Free(net.ones)
		net.ones = net.d.Alloc(n)
		net.d.elementwise("fill", n, ptr(net.ones), f64(1), i64(n))
		net.onesRows = n
	}
	return net.ones.Slice(0, n)
}
