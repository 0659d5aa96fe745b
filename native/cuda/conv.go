//go:build cuda

package cuda

import (
	"fmt"

	"github.com/gebm/gebm/shared/nn"
)

func init() {
	builders[nn.KindConv2D] = newConv2D
	builders[nn.KindConvTranspose2D] = newConvTranspose2D
}

// convGeom is a convolution's geometry (nn.ConvGeometry) on a device; its
// methods launch conv.cu's mirrors of shared/nn's im2col and col2im on one
// sample.
type convGeom struct {
	d *Device
	nn.ConvGeometry
}

func (g convGeom) rows() int { return g.C * g.K * g.K }
func (g convGeom) cols() int { return g.OH * g.OW }
func (g convGeom) size() int { return g.C * g.H * g.W }

// im2col writes the column matrix of img into col (rows × cols).
func (g convGeom) im2col(img, col Buffer) { g.launch("im2col", g.rows()*g.cols(), img, col) }

// col2im adds every entry of col into the image value it was read from.
func (g convGeom) col2im(col, img Buffer) { g.launch("col2im", g.size(), col, img) }

func (g convGeom) launch(kernel string, n int, a, b Buffer) {
	g.d.elementwise(kernel, n, ptr(a), ptr(b), i64(g.C), i64(g.H), i64(g.W), i64(g.K), i64(g.S), i64(g.P),
		i64(g.OH), i64(g.OW))
}

// addBias adds b[r] to every value of channel r of the n samples in m
// (rows channels of cols values each).
func addBias(d *Device, m, b Buffer, n, rows, cols int) {
	d.elementwise("add_bias_nchw", n*rows*cols, ptr(m), ptr(b), i64(n), i64(rows), i64(cols))
}

// addRowSums adds into dst[r] the sums of channel r over the n samples in m.
func addRowSums(d *Device, dst, m Buffer, n, rows, cols int) {
	d.elementwise("add_row_sums_nchw", rows, ptr(dst), ptr(m), i64(n), i64(rows), i64(cols))
}

// sample is sample t's view of the n×width batch b.
func sample(b Buffer, t, width int) Buffer { return b.Slice(t*width, (t+1)*width) }

// convWeight is a convolution's weight W read as the rows×cols matrix its
// products use (shared/nn's weightMatrix), with its gradient and, with
// spectral normalisation, W/σ of that matrix.
type convWeight struct {
	w, gw, b, gb Buffer
	sn           *spectral
}

func newConvWeight(d *Device, ls nn.LayerSpec, t layerTensors, rows, cols int) (convWeight, error) {
	state := 0
	if ls.SpectralNorm {
		state = 2
	}
	if len(t.params) != 2 || len(t.state) != state {
		return convWeight{}, fmt.Errorf("cuda: %s layer with %d parameters and %d state tensors", ls.Kind, len(t.params), len(t.state))
	}
	m := convWeight{w: t.params[0], b: t.params[1], gw: t.grads[0], gb: t.grads[1]}
	if ls.SpectralNorm {
		m.sn = newSpectral(d, rows, cols, t.state[0], t.state[1])
	}
	return m, nil
}

func (m *convWeight) weight() Buffer {
	if m.sn != nil {
		return m.sn.weff
	}
	return m.w
}

func (m *convWeight) weightGrad() Buffer {
	if m.sn != nil {
		return m.sn.geff
	}
	return m.gw
}

func (m *convWeight) refresh(powerIters int) {
	if m.sn != nil {
		m.sn.refresh(m.w, powerIters)
	}
}

func (m *convWeight) finishGrads() {
	if m.sn != nil {
		m.sn.finishGrad(m.gw)
	}
}

// conv2d is shared/nn's conv2d on the device: per sample, the column
// matrix X = im2col(x) and y = W·X + b, W the Out × (In·k·k) weight; the
// column buffer is one sample's, allocated with the layer.
type conv2d struct {
	d       *Device
	g       convGeom // the input image
	out     int
	in, dst int // values per sample of input and output
	convWeight
	col Buffer
}

func newConv2D(d *Device, ls nn.LayerSpec, _ int, t layerTensors) (layer, error) {
	g := convGeom{d, ls.ConvGeometry()}
	m, err := newConvWeight(d, ls, t, ls.Out, g.rows())
	if err != nil {
		return nil, err
	}
	return &conv2d{d: d, g: g, out: ls.Out, in: g.size(), dst: ls.Out * g.cols(), convWeight: m,
		col: d.Alloc(g.rows() * g.cols())}, nil
}

// apply writes W·im2col(x) for one sample.
func (l *conv2d) apply(gm Gemm, x, y Buffer) {
	rows, cols := l.g.rows(), l.g.cols()
	l.g.im2col(x, l.col)
	gm.Sgemm(false, false, l.out, cols, rows, 1, l.weight(), rows, l.col, cols, 0, y, cols)
}

// inputGrad adds col2im(Wᵀ·dy) into dx (cleared by the caller) for one sample.
func (l *conv2d) inputGrad(gm Gemm, dy, dx Buffer) {
	rows, cols := l.g.rows(), l.g.cols()
	gm.Sgemm(true, false, rows, cols, l.out, 1, l.weight(), rows, dy, cols, 0, l.col, cols)
	l.g.col2im(l.col, dx)
}

// weightGradOf adds dy·im2col(x)ᵀ into the weight's gradient for one sample.
func (l *conv2d) weightGradOf(gm Gemm, x, dy Buffer) {
	rows, cols := l.g.rows(), l.g.cols()
	l.g.im2col(x, l.col)
	gm.Sgemm(false, true, l.out, rows, cols, 1, dy, cols, l.col, cols, 1, l.weightGrad(), rows)
}

func (l *conv2d) forward(gm Gemm, x, y Buffer, n int) {
	for t := range n {
		l.apply(gm, sample(x, t, l.in), sample(y, t, l.dst))
	}
	addBias(l.d, y, l.b, n, l.out, l.g.cols())
}

func (l *conv2d) backward(gm Gemm, x, _, dy, dx Buffer, n int, params bool) {
	if !dx.isNil() {
		l.d.zero(dx)
	}
	for t := range n {
		dyt := sample(dy, t, l.dst)
		if params {
			l.weightGradOf(gm, sample(x, t, l.in), dyt)
		}
		if !dx.isNil() {
			l.inputGrad(gm, dyt, sample(dx, t, l.in))
		}
	}
	if params {
		addRowSums(l.d, l.gb, dy, n, l.out, l.g.cols())
	}
}

func (l *conv2d) tangent(gm Gemm, _, _, rx, ry Buffer, n int) {
	for t := range n {
		l.apply(gm, sample(rx, t, l.in), sample(ry, t, l.dst))
	}
}

// backwardTangent: rdx = col2im(Wᵀ rdy); the weight gradient dy·im2col(x)ᵀ
// has tangent rdy·im2col(x)ᵀ + dy·im2col(rx)ᵀ, the bias gradient Σ rdy.
func (l *conv2d) backwardTangent(gm Gemm, x, _, rx, dy, rdy, rdx Buffer, n int) {
	if !rdx.isNil() {
		l.d.zero(rdx)
	}
	for t := range n {
		rdyt := sample(rdy, t, l.dst)
		if !rdx.isNil() {
			l.inputGrad(gm, rdyt, sample(rdx, t, l.in))
		}
		l.weightGradOf(gm, sample(x, t, l.in), rdyt)
		l.weightGradOf(gm, sample(rx, t, l.in), sample(dy, t, l.dst))
	}
	addRowSums(l.d, l.gb, rdy, n, l.out, l.g.cols())
}

// backwardTangentZero: with rdy = 0, rdx = 0 and the weight gradient's
// tangent is dy·im2col(rx)ᵀ alone (zeroTangentLayer).
func (l *conv2d) backwardTangentZero(gm Gemm, _, _, rx, dy, _ Buffer, n int) bool {
	for t := range n {
		l.weightGradOf(gm, sample(rx, t, l.in), sample(dy, t, l.dst))
	}
	return true
}

func (l *conv2d) free() {
	l.d.Free(l.col)
	if l.sn != nil {
		l.sn.free()
	}
}

// convTranspose2d is shared/nn's convTranspose2d on the device: per
// sample x (In × H·W), the column matrix Wᵀ·x of the output image (W the
// In × (Out·k·k) weight) added into the output with col2im, then the bias.
type convTranspose2d struct {
	d        *Device
	g        convGeom // the output image; its kernel positions are the input's pixels
	in       int      // input channels
	src, dst int      // values per sample of input and output
	convWeight
	col Buffer
}

func newConvTranspose2D(d *Device, ls nn.LayerSpec, _ int, t layerTensors) (layer, error) {
	g := convGeom{d, ls.ConvGeometry()}
	m, err := newConvWeight(d, ls, t, ls.In, g.rows())
	if err != nil {
		return nil, err
	}
	return &convTranspose2d{d: d, g: g, in: ls.In, src: ls.In * g.cols(), dst: g.size(), convWeight: m,
		col: d.Alloc(g.rows() * g.cols())}, nil
}

// apply adds col2im(Wᵀ·x) into y (cleared by the caller) for one sample.
func (l *convTranspose2d) apply(gm Gemm, x, y Buffer) {
	rows, cols := l.g.rows(), l.g.cols()
	gm.Sgemm(true, false, rows, cols, l.in, 1, l.weight(), rows, x, cols, 0, l.col, cols)
	l.g.col2im(l.col, y)
}

// inputGrad writes dx = W·im2col(dy) for one sample, leaving im2col(dy) in
// l.col.
func (l *convTranspose2d) inputGrad(gm Gemm, dy, dx Buffer) {
	rows, cols := l.g.rows(), l.g.cols()
	l.g.im2col(dy, l.col)
	gm.Sgemm(false, false, l.in, cols, rows, 1, l.weight(), rows, l.col, cols, 0, dx, cols)
}

// weightGradOf adds x·colᵀ into the weight's gradient for one sample, col
// being im2col of the output gradient (in l.col).
func (l *convTranspose2d) weightGradOf(gm Gemm, x Buffer) {
	rows, cols := l.g.rows(), l.g.cols()
	gm.Sgemm(false, true, l.in, rows, cols, 1, x, cols, l.col, cols, 1, l.weightGrad(), rows)
}

func (l *convTranspose2d) forward(gm Gemm, x, y Buffer, n int) {
	l.d.zero(y)
	for t := range n {
		l.apply(gm, sample(x, t, l.src), sample(y, t, l.dst))
	}
	addBias(l.d, y, l.b, n, l.g.C, l.g.H*l.g.W)
}

func (l *convTranspose2d) backward(gm Gemm, x, _, dy, dx Buffer, n int, params bool) {
	if dx.isNil() && !params {
		return
	}
	for t := range n {
		dyt := sample(dy, t, l.dst)
		if !dx.isNil() {
			l.inputGrad(gm, dyt, sample(dx, t, l.src))
		} else {
			l.g.im2col(dyt, l.col)
		}
		if params {
			l.weightGradOf(gm, sample(x, t, l.src))
		}
	}
	if params {
		addRowSums(l.d, l.gb, dy, n, l.g.C, l.g.H*l.g.W)
	}
}

func (l *convTranspose2d) tangent(gm Gemm, _, _, rx, ry Buffer, n int) {
	l.d.zero(ry)
	for t := range n {
		l.apply(gm, sample(rx, t, l.src), sample(ry, t, l.dst))
	}
}

// backwardTangent: rdx = W·im2col(rdy); the weight gradient x·im2col(dy)ᵀ
// has tangent x·im2col(rdy)ᵀ + rx·im2col(dy)ᵀ, the bias gradient Σ rdy.
func (l *convTranspose2d) backwardTangent(gm Gemm, x, _, rx, dy, rdy, rdx Buffer, n int) {
	for t := range n {
		rdyt := sample(rdy, t, l.dst)
		if !rdx.isNil() {
			l.inputGrad(gm, rdyt, sample(rdx, t, l.src))
		} else {
			l.g.im2col(rdyt, l.col)
		}
		l.weightGradOf(gm, sample(x, t, l.src))
		l.g.im2col(sample(dy, t, l.dst), l.col)
		l.weightGradOf(gm, sample(rx, t, l.src))
	}
	addRowSums(l.d, l.gb, rdy, n, l.g.C, l.g.H*l.g.W)
}

// backwardTangentZero: with rdy = 0, rdx = 0 and the weight gradient's
// tangent is rx·im2col(dy)ᵀ alone (zeroTangentLayer).
func (l *convTranspose2d) backwardTangentZero(gm Gemm, _, _, rx, dy, _ Buffer, n int) bool {
	for t := range n {
		l.g.im2col(sample(dy, t, l.dst), l.col)
		l.weightGradOf(gm, sample(rx, t, l.src))
	}
	return true
}

func (l *convTranspose2d) free() {
	l.d.Free(l.col)
	if l.sn != nil {
		l.sn.free()
	}
}
