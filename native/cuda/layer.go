//go:build cuda

package cuda

// layer is one step of a sequential network on the device, with the passes
// of shared/nn's layer interface (see shared/nn/layer.go): x is the layer's
// input and y its output for n rows; a d-prefix is a gradient, an r-prefix
// a tangent. An absent dx or rdx is a nil Buffer.
type layer interface {
	forward(g Gemm, x, y Buffer, n int)
	backward(g Gemm, x, y, dy, dx Buffer, n int, params bool)
	tangent(g Gemm, x, y, rx, ry Buffer, n int)
	backwardTangent(g Gemm, x, y, rx, dy, rdy, rdx Buffer, n int)
	outDim(in int) int
}
