//go:build cuda

package cuda

import "github.com/gebm/gebm/shared/nn"

// Activation kinds as activation.cu numbers them.
const (
	kindLeaky   = 0 // LeakyReLU, and ReLU as slope 0
	kindTanh    = 1
	kindSigmoid = 2
	kindFloor   = 3 // max(x, floor), the floor passed as the kernels' slope
)

// activation is an elementwise y = σ(x) (shared/nn/activation.go); each
// pass is one kernel of activation.cu.
type activation struct {
	noState
	d     *Device
	kind  int
	slope float64
}

// activationKernels gives, for each activation kind, activation.cu's number
// for it and the kernels' scalar parameter (the slope, or the floor), in
// the CPU's float32.
var activationKernels = map[nn.Kind]func(nn.LayerSpec) (kind int, param float64){
	nn.KindLeakyReLU: func(s nn.LayerSpec) (int, float64) { return kindLeaky, float64(float32(s.Slope)) },
	nn.KindReLU:      func(nn.LayerSpec) (int, float64) { return kindLeaky, 0 },
	nn.KindTanh:      func(nn.LayerSpec) (int, float64) { return kindTanh, 0 },
	nn.KindSigmoid:   func(nn.LayerSpec) (int, float64) { return kindSigmoid, 0 },
	nn.KindFloor:     func(s nn.LayerSpec) (int, float64) { return kindFloor, float64(float32(s.Floor)) },
}

func init() {
	for k := range activationKernels {
		builders[k] = func(d *Device, l nn.LayerSpec, _ int, _ layerTensors) (layer, error) {
			return newActivation(d, l)
		}
	}
}

func newActivation(d *Device, s nn.LayerSpec) (*activation, error) {
	kernel, ok := activationKernels[s.Kind]
	if !ok {
		return nil, &nn.UnsupportedKindError{Backend: "cuda", Kind: s.Kind}
	}
	a := &activation{d: d}
	a.kind, a.slope = kernel(s)
	return a, nil
}

func (a *activation) forward(_ Gemm, x, y Buffer, n int) {
	a.d.elementwise("act_forward", x.n, i64(a.kind), f64(a.slope), ptr(x), ptr(y), i64(x.n))
}

func (a *activation) backward(_ Gemm, x, y, dy, dx Buffer, n int, _ bool) {
	if dx.isNil() {
		return
	}
	a.d.elementwise("act_backward", x.n, i64(a.kind), f64(a.slope), ptr(x), ptr(y), ptr(dy), ptr(dx), i64(x.n))
}

func (a *activation) tangent(_ Gemm, x, y, rx, ry Buffer, n int) {
	a.d.elementwise("act_tangent", x.n, i64(a.kind), f64(a.slope), ptr(x), ptr(y), ptr(rx), ptr(ry), i64(x.n))
}

// backwardTangent: rdx = σ'(x) rdy + σ”(x) rx dy.
func (a *activation) backwardTangent(_ Gemm, x, y, rx, dy, rdy, rdx Buffer, n int) {
	if rdx.isNil() {
		return
	}
	a.d.elementwise("act_backward_tangent", x.n, i64(a.kind), f64(a.slope), ptr(x), ptr(y), ptr(rx), ptr(dy),
		ptr(rdy), ptr(rdx), i64(x.n))
}

// backwardTangentZero: with rdy = 0, rdx = σ”(x) rx dy, zero for the
// piecewise-linear kinds (zeroTangentLayer); tanh and sigmoid take the full
// pass.
func (a *activation) backwardTangentZero(_ Gemm, _, _, _, _, _ Buffer, _ int) bool {
	return a.kind != kindTanh && a.kind != kindSigmoid
}
