//go:build cuda

package cuda

import "github.com/gebm/gebm/shared/nn"

// layer is one step of a sequential network on the device, with the passes
// of shared/nn's layer interface (see shared/nn/layer.go): x is the layer's
// input and y its output for n rows; a d-prefix is a gradient, an r-prefix
// a tangent. An absent dx or rdx is a nil Buffer.
type layer interface {
	forward(g Gemm, x, y Buffer, n int)
	backward(g Gemm, x, y, dy, dx Buffer, n int, params bool)
	tangent(g Gemm, x, y, rx, ry Buffer, n int)
	backwardTangent(g Gemm, x, y, rx, dy, rdy, rdx Buffer, n int)
	// refresh runs powerIters steps of power iteration and recomputes the
	// derived weights (shared/nn's refresh); finishGrads maps gradients of
	// derived weights back to the parameters; free releases what the
	// layer allocated.
	refresh(powerIters int)
	finishGrads()
	free()
}

// layerTensors are the device views of one layer's tensors, in the order
// of nn.Spec.LayerTensors: parameters and their gradients (views into the
// network's arenas) and state.
type layerTensors struct {
	params, grads, state []Buffer
}

// builder makes the device layer of one kind for a layer whose input is in
// values wide.
type builder func(d *Device, l nn.LayerSpec, in int, t layerTensors) (layer, error)

// builders holds the kinds that have kernels; each kind's Go wrapper
// (linear.go, activation.go) registers itself. NewNetwork refuses a kind
// missing here with an error naming it.
var builders = map[nn.Kind]builder{}

// hostOnly lists the kinds this backend refuses on purpose, with the
// reason: the CUDA trainer runs the KALE steps, and these kinds have no
// kernels (NewNetwork refuses them with nn.UnsupportedKindError). The tests
// walk every other registered kind through the kernels.
var hostOnly = map[nn.Kind]string{
	nn.KindCoupling: "RealNVP flows (gebm train --base realnvp) train on the CPU",
}

// noState gives the hooks of a layer without derived weights or buffers of
// its own.
type noState struct{}

func (noState) refresh(int)  {}
func (noState) finishGrads() {}
func (noState) free()        {}
