//go:build cuda

package cuda

import (
	"fmt"

	"github.com/gebm/gebm/shared/nn"
)

func init() { builders[nn.KindLinear] = newLinear }

// linear is y = x Wᵀ + b with W of shape [out, in] (shared/nn/linear.go),
// its parameters and gradients being views into the network's arenas. With
// spectral normalisation the products use W/σ(W).
type linear struct {
	d       *Device
	in, out int
	w, b    Buffer // parameters
	gw, gb  Buffer // their gradients
	sn      *spectral
}

// newLinear makes the layer on its parameters' views (weight, bias) and,
// with spectral normalisation, its state's (u, v).
func newLinear(d *Device, ls nn.LayerSpec, _ int, t layerTensors) (layer, error) {
	state := 0
	if ls.SpectralNorm {
		state = 2
	}
	if len(t.params) != 2 || len(t.state) != state {
		return nil, fmt.Errorf("cuda: linear layer with %d parameters and %d state tensors", len(t.params), len(t.state))
	}
	l := &linear{d: d, in: ls.In, out: ls.Out, w: t.params[0], b: t.params[1], gw: t.grads[0], gb: t.grads[1]}
	if ls.SpectralNorm {
		l.sn = newSpectral(d, ls.Out, ls.In, t.state[0], t.state[1])
	}
	return l, nil
}

func (l *linear) weight() Buffer {
	if l.sn != nil {
		return l.sn.weff
	}
	return l.w
}

func (l *linear) weightGrad() Buffer {
	if l.sn != nil {
		return l.sn.geff
	}
	return l.gw
}

func (l *linear) forward(g Gemm, x, y Buffer, n int) {
	g.Sgemm(false, true, n, l.out, l.in, 1, x, l.in, l.weight(), l.in, 0, y, l.out)
	l.d.elementwise("bias_add", n*l.out, ptr(y), ptr(l.b), i64(n), i64(l.out))
}

func (l *linear) backward(g Gemm, x, _, dy, dx Buffer, n int, params bool) {
	if !dx.isNil() {
		g.Sgemm(false, false, n, l.in, l.out, 1, dy, l.out, l.weight(), l.in, 0, dx, l.in)
	}
	if params {
		g.Sgemm(true, false, l.out, l.in, n, 1, dy, l.out, x, l.in, 1, l.weightGrad(), l.in)
		l.addColumnSums(l.gb, dy, n)
	}
}

func (l *linear) tangent(g Gemm, _, _, rx, ry Buffer, n int) {
	g.Sgemm(false, true, n, l.out, l.in, 1, rx, l.in, l.weight(), l.in, 0, ry, l.out)
}

// backwardTangent: rdx = rdy W; the weight gradient dyᵀx has tangent
// rdyᵀx + dyᵀrx; the bias gradient's is the column sums of rdy.
func (l *linear) backwardTangent(g Gemm, x, _, rx, dy, rdy, rdx Buffer, n int) {
	if !rdx.isNil() {
		g.Sgemm(false, false, n, l.in, l.out, 1, rdy, l.out, l.weight(), l.in, 0, rdx, l.in)
	}
	gw := l.weightGrad()
	g.Sgemm(true, false, l.out, l.in, n, 1, rdy, l.out, x, l.in, 1, gw, l.in)
	g.Sgemm(true, false, l.out, l.in, n, 1, dy, l.out, rx, l.in, 1, gw, l.in)
	l.addColumnSums(l.gb, rdy, n)
}

// backwardTangentZero: with rdy = 0, rdx = 0 and the weight gradient's
// tangent is dyᵀrx alone (zeroTangentLayer).
func (l *linear) backwardTangentZero(g Gemm, _, _, rx, dy, _ Buffer, n int) bool {
	g.Sgemm(true, false, l.out, l.in, n, 1, dy, l.out, rx, l.in, 1, l.weightGrad(), l.in)
	return true
}

func (l *linear) refresh(powerIters int) {
	if l.sn != nil {
		l.sn.refresh(l.w, powerIters)
	}
}

func (l *linear) finishGrads() {
	if l.sn != nil {
		l.sn.finishGrad(l.gw)
	}
}

func (l *linear) free() {
	if l.sn != nil {
		l.sn.free()
	}
}

// addColumnSums adds the column sums of the n×out matrix m into dst.
func (l *linear) addColumnSums(dst, m Buffer, n int) {
	l.d.elementwise("add_column_sums", l.out, ptr(dst), ptr(m), i64(n), i64(l.out))
}
