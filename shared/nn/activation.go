package nn

import (
	"fmt"
	"math"
)

// Elementwise activation kinds.
const (
	KindLeakyReLU Kind = "leakyrelu" // x for x > 0, Slope·x otherwise
	KindReLU      Kind = "relu"
	KindTanh      Kind = "tanh"
	KindSigmoid   Kind = "sigmoid"
	// KindFloor is y = max(x, Floor): the reference's lower clamp of the
	// energy, E = max(f, -10), which keeps the KALE objective bounded when
	// the data and the generator's samples are far apart.
	KindFloor Kind = "floor"
)

func init() {
	noCheck := func(int, LayerSpec, int) error { return nil }
	register(KindReLU, activationDesc(KindReLU, 0, noCheck))
	register(KindTanh, activationDesc(KindTanh, 0, noCheck))
	register(KindSigmoid, activationDesc(KindSigmoid, 0, noCheck))
	register(KindLeakyReLU, activationDesc(KindLeakyReLU, fieldSlope, func(i int, l LayerSpec, _ int) error {
		if !(l.Slope >= 0 && l.Slope < 1) {
			return fmt.Errorf("nn: layer %d: leakyrelu slope %v must be in [0, 1)", i, l.Slope)
		}
		return nil
	}))
	register(KindFloor, activationDesc(KindFloor, fieldFloor, func(i int, l LayerSpec, _ int) error {
		if math.IsNaN(l.Floor) || math.IsInf(l.Floor, 0) || math.Abs(l.Floor) > 1e6 {
			return fmt.Errorf("nn: layer %d: floor %v must be a number in [-1e6, 1e6]", i, l.Floor)
		}
		return nil
	}))
}

// activationDesc is the descriptor of an elementwise kind: as wide as its
// input, no tensors, no matrix products.
func activationDesc(k Kind, fields int, check func(i int, l LayerSpec, in int) error) *kindDesc {
	return &kindDesc{
		fields: fields,
		in:     func(LayerSpec) int { return 0 },
		check:  check,
		out:    func(_ LayerSpec, in int) int { return in },
		image:  keepShape,
		flops:  func(LayerSpec, int) int { return 0 },
		tensors: func(int, LayerSpec, int) (params, state []TensorInfo) {
			return nil, nil
		},
		build: func(_ int, l LayerSpec, _ int) layer {
			return &activation{kind: l.Kind, slope: float32(l.Slope), floor: float32(l.Floor)}
		},
		example: func(int) LayerSpec {
			l := LayerSpec{Kind: k}
			if fields&fieldSlope != 0 {
				l.Slope = 0.2
			}
			if fields&fieldFloor != 0 {
				l.Floor = -0.1
			}
			return l
		},
	}
}

// activation is an elementwise y = σ(x). Its passes need σ' and σ”; both
// are written in terms of whichever of x and y gives them most cheaply:
//
//	leakyrelu: σ' = 1 (x > 0) or slope;  σ'' = 0
//	relu:      σ' = 1 (x > 0) or 0;      σ'' = 0
//	tanh:      σ' = 1 - y²;              σ'' = -2y(1 - y²)
//	sigmoid:   σ' = y(1 - y);            σ'' = y(1 - y)(1 - 2y)
//	floor:     σ = max(x, c); σ' = 1 (x > c) or 0; σ'' = 0
//
// For tanh, y is Tanh32(x) (within 2.4e-7 of tanh x), and σ' and σ” are
// the formulas above evaluated at that y: tanh's derivatives to the same
// accuracy, not the derivatives of Tanh32's rational function.
type activation struct {
	noParams
	kind  Kind
	slope float32 // leakyrelu
	floor float32 // floor
}

// leaky is LeakyReLU with slope s (ReLU for s = 0): v for v > 0, s·v
// otherwise (NaN gives NaN). activation.forward and the Go epilogue
// (fused.go) compute it here; the SIMD128 kernel's act4 mirrors it.
// It selects between the two with positiveMask, without a branch: the
// signs of a layer's outputs are random, and a branch on them mispredicts
// every other value and costs several times the arithmetic.
func leaky(v, s float32) float32 {
	b, r := math.Float32bits(v), math.Float32bits(s*v)
	return math.Float32frombits(r ^ (r^b)&positiveMask(b))
}

// leakyDeriv is leaky's derivative at x: 1 for x > 0, s otherwise (selected
// as leaky selects).
func leakyDeriv(x, s float32) float32 {
	r := math.Float32bits(s)
	return math.Float32frombits(r ^ (r^math.Float32bits(1))&positiveMask(math.Float32bits(x)))
}

// positiveMask is all ones when the float32 with bits b is > 0 and 0
// otherwise, exactly as the float comparison decides (false for ±0 and
// NaN, true for +Inf): v > 0 holds for the bit patterns 1 to 0x7f800000,
// that is for b − 1 < 0x7f800000 unsigned, whose difference, taken in 64
// bits, is negative.
func positiveMask(b uint32) uint32 { return -uint32((uint64(b-1) - 0x7f800000) >> 63) }

// tanhDeriv is tanh's derivative written in its output y: 1 − y², with y²
// rounded before the subtraction (no fused multiply-add, as in the kernel).
func tanhDeriv(y float32) float32 { return 1 - float32(y*y) }

// floorDeriv is the derivative of max(x, c) at x: 1 for x > c, 0 otherwise.
func floorDeriv(x, c float32) float32 {
	if x > c {
		return 1
	}
	return 0
}

func (a *activation) forward(_ Gemm, x, y []float32, n int) {
	y = y[:len(x)]
	switch a.kind {
	case KindLeakyReLU, KindReLU:
		s := a.slopeOf()
		for i, v := range x {
			y[i] = leaky(v, s)
		}
	case KindTanh:
		tanhKernel(y, x)
	case KindSigmoid:
		for i, v := range x {
			y[i] = float32(1 / (1 + math.Exp(-float64(v))))
		}
	case KindFloor:
		c := a.floor
		for i, v := range x {
			y[i] = max(v, c)
		}
	}
}

func (a *activation) slopeOf() float32 {
	if a.kind == KindReLU {
		return 0
	}
	return a.slope
}

// deriv writes σ'(x) into d.
func (a *activation) deriv(x, y, d []float32) {
	d = d[:len(x)]
	y = y[:len(x)]
	switch a.kind {
	case KindLeakyReLU, KindReLU:
		s := a.slopeOf()
		for i, v := range x {
			d[i] = leakyDeriv(v, s)
		}
	case KindTanh:
		for i, v := range y {
			d[i] = tanhDeriv(v)
		}
	case KindSigmoid:
		for i, v := range y {
			d[i] = v * (1 - v)
		}
	case KindFloor:
		c := a.floor
		for i, v := range x {
			d[i] = floorDeriv(v, c)
		}
	}
}

// second returns σ”(x) for one element (zero for piecewise-linear kinds).
func (a *activation) second(y float32) float32 {
	switch a.kind {
	case KindTanh:
		return -2 * y * (1 - y*y)
	case KindSigmoid:
		return y * (1 - y) * (1 - 2*y)
	}
	return 0
}

func (a *activation) backward(_ Gemm, x, y, dy, dx []float32, n int, _ bool) {
	if dx == nil {
		return
	}
	a.deriv(x, y, dx)
	dy = dy[:len(x)]
	for i, d := range dy {
		dx[i] *= d
	}
}

func (a *activation) tangent(_ Gemm, x, y, rx, ry []float32, n int) {
	a.deriv(x, y, ry)
	rx = rx[:len(x)]
	for i, r := range rx {
		ry[i] *= r
	}
}

// backwardTangent: dx = σ'(x) dy, so rdx = σ'(x) rdy + σ”(x) rx dy.
func (a *activation) backwardTangent(_ Gemm, x, y, rx, dy, rdy, rdx []float32, n int) {
	if rdx == nil {
		return
	}
	a.deriv(x, y, rdx)
	rdy = rdy[:len(x)]
	for i, r := range rdy {
		rdx[i] *= r
	}
	if a.kind == KindTanh || a.kind == KindSigmoid {
		y, rx, dy = y[:len(x)], rx[:len(x)], dy[:len(x)]
		for i, v := range y {
			rdx[i] += a.second(v) * rx[i] * dy[i]
		}
	}
}

// backwardTangentZero: with rdy = 0, rdx = σ”(x) rx dy, which is zero for
// the piecewise-linear kinds (zeroTangentLayer).
func (a *activation) backwardTangentZero(_ Gemm, x, y, rx, dy, rdx []float32, n int) bool {
	if rdx == nil || (a.kind != KindTanh && a.kind != KindSigmoid) {
		return true
	}
	y, rx, dy, rdx = y[:len(x)], rx[:len(x)], dy[:len(x)], rdx[:len(x)]
	for i, v := range y {
		rdx[i] = a.second(v) * rx[i] * dy[i]
	}
	return false
}
