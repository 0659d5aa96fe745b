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
// methods launch conv.cu's mirrors of shared/nn's im2col and col2im on a
// chunk of samples.
type convGeom struct {
	d *Device
	nn.ConvGeometry
}

func (g convGeom) rows() int { return g.C * g.K * g.K }
func (g convGeom) cols() int { return g.OH * g.OW }
func (g convGeom) size() int { return g.C * g.H * g.W }

// im2col writes the column matrices of the nb images in img into col, side
// by side (rows × nb·cols; shared/nn's convBuffers.lower).
func (g convGeom) im2col(img, col Buffer, nb int) {
	ld := nb * g.cols()
	g.launch("im2col", min(blocks(ld, 256), 16*g.d.sms), min(g.rows(), maxGridY), img, col, nb)
}

// col2im adds every entry of col (as im2col lays out nb images' columns)
// into the image value it was read from.
func (g convGeom) col2im(col, img Buffer, nb int) {
	g.launch("col2im", min(blocks(nb*g.size(), 256), 16*g.d.sms), 1, col, img, nb)
}

// launch starts kernel on a gx×gy grid of blocks of 256 threads.
func (g convGeom) launch(kernel string, gx, gy int, a, b Buffer, nb int) {
	if !g.d.fits32(kernel, nb*g.rows()*g.cols()) || !g.d.fits32(kernel, nb*g.size()) {
		return
	}
	g.d.launch2D(kernel, gx, gy, 256, ptr(a), ptr(b), i64(nb), i64(g.C), i64(g.H), i64(g.W), i64(g.K), i64(g.S), i64(g.P),
		i64(g.OH), i64(g.OW))
}

// maxGridY is the most blocks a grid may have along y (65535); the kernels
// launched with it stride over what it leaves out. A variable so that
// tests can make the stride happen.
var maxGridY = 65535

// addBias adds b[r] to every value of channel r of the n samples in m
// (rows channels of cols values each).
func addBias(d *Device, m, b Buffer, n, rows, cols int) {
	if !d.fits32("add_bias_nchw", n*rows*cols) {
		return
	}
	d.elementwise("add_bias_nchw", n*rows*cols, ptr(m), ptr(b), i64(n), i64(rows), i64(cols))
}

// addRowSums adds into dst[r] the sums of channel r over the n samples in m
// (n = 1: the row sums of a rows × cols matrix): each row's n·cols values
// in parts of rowSumChunk, a block each, then the parts of a row added in
// order (conv.cu's row_sums_partial and add_row_part_sums).
func addRowSums(d *Device, dst, m Buffer, n, rows, cols int) {
	if !d.fits32("row_sums_partial", n*rows*cols) {
		return
	}
	parts := blocks(n*cols, rowSumChunk)
	part := d.scratch(rows * parts)
	d.launch2D("row_sums_partial", parts, min(rows, maxGridY), 256, ptr(m), i64(n), i64(rows), i64(cols), i64(rowSumChunk),
		dptr(part))
	d.elementwise("add_row_part_sums", rows, ptr(dst), dptr(part), i64(rows), i64(parts))
}

// rowSumChunk is the number of values a block of addRowSums sums: 32 per
// thread, which at batch 512 on MNIST makes 49 blocks of the one-channel
// image's 401,408 values and 13 a channel of a 64-channel 14×14 layer's.
const rowSumChunk = 8192

// swapAxes writes src, a×b blocks of q values, as b×a blocks into dst
// (shared/nn's swapAxes).
func swapAxes(d *Device, dst, src Buffer, a, b, q int) {
	if !d.fits32("swap_axes", a*b*q) {
		return
	}
	swapAxesOn(d, min(blocks(b*q, 256), 16*d.sms), min(a, maxGridY), dst, src, a, b, q)
}

// swapAxesOn launches swap_axes on a gx×gy grid.
func swapAxesOn(d *Device, gx, gy int, dst, src Buffer, a, b, q int) {
	d.launch2D("swap_axes", gx, gy, 256, ptr(dst), ptr(src), i64(a), i64(b), i64(q))
}

// convColumnBudget bounds a convolution's column buffer on the device, in
// float32 values (128 MiB): the batch is lowered in chunks of as many
// samples as fit, as shared/nn does with its cache-sized budget, so that
// each pass is a few launches whatever the batch (the whole batch of 512 at
// MNIST size and 64 channels, 25.7 M values, is one chunk). A variable so
// that tests can make chunks of a few samples.
var convColumnBudget = 1 << 25

// convBuffers are a convolution's device work space for one chunk of nb
// samples, as shared/nn's: col (rows × nb·cols, the column matrices of the
// layer's image side, img values a sample) and mat (the non-image side, ch
// channels × nb·cols, channel outermost). They grow to the largest chunk
// needed, so that passes after the first allocate nothing.
type convBuffers struct {
	d        *Device
	g        convGeom
	img, ch  int
	col, mat Buffer
}

// chunks splits a batch of n into chunks within the budget (balanced, as
// nn's convChunk), makes the buffers hold one and calls f for each (first
// sample s, size nb).
func (b *convBuffers) chunks(n int, f func(s, nb int)) {
	rows, cols := b.g.rows(), b.g.cols()
	most := max(1, convColumnBudget/(rows*cols))
	chunks := (n + most - 1) / most
	nb := (n + chunks - 1) / chunks
	if need := nb * rows * cols; b.col.Len() < need {
		b.d.Free(b.col)
		b.col = b.d.Alloc(need)
	}
	if need := nb * b.ch * cols; b.mat.Len() < need {
		b.d.Free(b.mat)
		b.mat = b.d.Alloc(need)
	}
	for s := 0; s < n; s += nb {
		f(s, min(nb, n-s))
	}
}

// lower writes the column matrix of nb image-side samples of v, from
// sample s, into col.
func (b *convBuffers) lower(v Buffer, s, nb int) { b.g.im2col(samples(v, s, nb, b.img), b.col, nb) }

// swapIn writes nb matrix-side samples of v (NCHW), from sample s, into
// mat, channel outermost.
func (b *convBuffers) swapIn(v Buffer, s, nb int) {
	swapAxes(b.d, b.mat, samples(v, s, nb, b.ch*b.g.cols()), nb, b.ch, b.g.cols())
}

func (b *convBuffers) free() {
	b.d.Free(b.col)
	b.d.Free(b.mat)
}

// samples is samples [s, s+nb) of a batch of width values each.
func samples(v Buffer, s, nb, width int) Buffer { return v.Slice(s*width, (s+nb)*width) }

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

// conv2d is shared/nn's conv2d on the device, chunk by chunk as there:
// X, the chunk's column matrix ((In·k·k) × nb·cols), Y = W·X in one
// product (W the Out × (In·k·k) weight), swapped into the samples' NCHW
// outputs; the backward passes swap the output gradient into that layout
// and use one product each for the weight gradient (dY·Xᵀ) and the input
// gradient (col2im of Wᵀ·dY).
type conv2d struct {
	out     int
	in, dst int // values per sample of input and output
	convWeight
	convBuffers // its g is the input image's geometry
}

func newConv2D(d *Device, ls nn.LayerSpec, _ int, t layerTensors) (layer, error) {
	g := convGeom{d, ls.ConvGeometry()}
	m, err := newConvWeight(d, ls, t, ls.Out, g.rows())
	if err != nil {
		return nil, err
	}
	return &conv2d{out: ls.Out, in: g.size(), dst: ls.Out * g.cols(), convWeight: m,
		convBuffers: convBuffers{d: d, g: g, img: g.size(), ch: ls.Out}}, nil
}

// apply writes W·im2col(x) (+ b when bias) for a chunk.
func (l *conv2d) apply(gm Gemm, x, y Buffer, s, nb int, bias bool) {
	rows, ld := l.g.rows(), nb*l.g.cols()
	l.lower(x, s, nb)
	gm.Sgemm(false, false, l.out, ld, rows, 1, l.weight(), rows, l.col, ld, 0, l.mat, ld)
	ys := samples(y, s, nb, l.dst)
	swapAxes(l.d, ys, l.mat, l.out, nb, l.g.cols())
	if bias {
		addBias(l.d, ys, l.b, nb, l.out, l.g.cols())
	}
}

// inputGrad writes dx = col2im(Wᵀ·dY) for a chunk, dY in l.mat.
func (l *conv2d) inputGrad(gm Gemm, dx Buffer, s, nb int) {
	rows, ld := l.g.rows(), nb*l.g.cols()
	gm.Sgemm(true, false, rows, ld, l.out, 1, l.weight(), rows, l.mat, ld, 0, l.col, ld)
	dxs := samples(dx, s, nb, l.in)
	l.d.zero(dxs)
	l.g.col2im(l.col, dxs, nb)
}

// weightGradOf adds dY·Xᵀ into the weight's gradient for a chunk, dY in
// l.mat and X in l.col.
func (l *conv2d) weightGradOf(gm Gemm, nb int) {
	rows, ld := l.g.rows(), nb*l.g.cols()
	gm.Sgemm(false, true, l.out, rows, ld, 1, l.mat, ld, l.col, ld, 1, l.weightGrad(), rows)
}

func (l *conv2d) forward(gm Gemm, x, y Buffer, n int) {
	l.chunks(n, func(s, nb int) { l.apply(gm, x, y, s, nb, true) })
}

func (l *conv2d) backward(gm Gemm, x, _, dy, dx Buffer, n int, params bool) {
	if dx.isNil() && !params {
		return
	}
	l.chunks(n, func(s, nb int) {
		l.swapIn(dy, s, nb)
		if params {
			l.lower(x, s, nb)
			l.weightGradOf(gm, nb)
			addRowSums(l.d, l.gb, l.mat, 1, l.out, nb*l.g.cols())
		}
		if !dx.isNil() {
			l.inputGrad(gm, dx, s, nb)
		}
	})
}

func (l *conv2d) tangent(gm Gemm, _, _, rx, ry Buffer, n int) {
	l.chunks(n, func(s, nb int) { l.apply(gm, rx, ry, s, nb, false) })
}

// backwardTangent: rdx = col2im(Wᵀ rdy); the weight gradient dy·im2col(x)ᵀ
// has tangent rdy·im2col(x)ᵀ + dy·im2col(rx)ᵀ, the bias gradient Σ rdy.
func (l *conv2d) backwardTangent(gm Gemm, x, _, rx, dy, rdy, rdx Buffer, n int) {
	l.chunks(n, func(s, nb int) {
		l.swapIn(rdy, s, nb)
		addRowSums(l.d, l.gb, l.mat, 1, l.out, nb*l.g.cols())
		l.lower(x, s, nb)
		l.weightGradOf(gm, nb)
		if !rdx.isNil() {
			l.inputGrad(gm, rdx, s, nb)
		}
		l.swapIn(dy, s, nb)
		l.lower(rx, s, nb)
		l.weightGradOf(gm, nb)
	})
}

// backwardTangentZero: with rdy = 0, rdx = 0 and the weight gradient's
// tangent is dy·im2col(rx)ᵀ alone (zeroTangentLayer).
func (l *conv2d) backwardTangentZero(gm Gemm, _, _, rx, dy, _ Buffer, n int) bool {
	l.chunks(n, func(s, nb int) {
		l.swapIn(dy, s, nb)
		l.lower(rx, s, nb)
		l.weightGradOf(gm, nb)
	})
	return true
}

func (l *conv2d) free() {
	l.convBuffers.free()
	if l.sn != nil {
		l.sn.free()
	}
}

// convTranspose2d is shared/nn's convTranspose2d on the device, chunk by
// chunk as there: the chunk's inputs swapped into X (In × nb·cols), one
// product gives the column matrix Wᵀ·X of the outputs ((Out·k·k) ×
// nb·cols, W the In × (Out·k·k) weight), and col2im adds each sample's
// block into its output image, then the bias. The backward passes lower
// the output gradient with im2col and use one product each for the input
// gradient (W·im2col(dy), swapped back) and the weight gradient
// (X·im2col(dy)ᵀ).
type convTranspose2d struct {
	in       int // input channels
	src, dst int // values per sample of input and output
	convWeight
	convBuffers // its g is the output image's; its kernel positions are the input's pixels
}

func newConvTranspose2D(d *Device, ls nn.LayerSpec, _ int, t layerTensors) (layer, error) {
	g := convGeom{d, ls.ConvGeometry()}
	m, err := newConvWeight(d, ls, t, ls.In, g.rows())
	if err != nil {
		return nil, err
	}
	return &convTranspose2d{in: ls.In, src: ls.In * g.cols(), dst: g.size(), convWeight: m,
		convBuffers: convBuffers{d: d, g: g, img: g.size(), ch: ls.In}}, nil
}

// apply writes col2im(Wᵀ·X) (+ b when bias) for a chunk.
func (l *convTranspose2d) apply(gm Gemm, x, y Buffer, s, nb int, bias bool) {
	rows, ld := l.g.rows(), nb*l.g.cols()
	l.swapIn(x, s, nb)
	gm.Sgemm(true, false, rows, ld, l.in, 1, l.weight(), rows, l.mat, ld, 0, l.col, ld)
	ys := samples(y, s, nb, l.dst)
	l.d.zero(ys)
	l.g.col2im(l.col, ys, nb)
	if bias {
		addBias(l.d, ys, l.b, nb, l.g.C, l.g.H*l.g.W)
	}
}

// inputGrad writes dx = W·im2col(dy) for a chunk, im2col(dy) in l.col (it
// uses l.mat).
func (l *convTranspose2d) inputGrad(gm Gemm, dx Buffer, s, nb int) {
	rows, ld := l.g.rows(), nb*l.g.cols()
	gm.Sgemm(false, false, l.in, ld, rows, 1, l.weight(), rows, l.col, ld, 0, l.mat, ld)
	swapAxes(l.d, samples(dx, s, nb, l.src), l.mat, l.in, nb, l.g.cols())
}

// weightGradOf adds X·im2col(dy)ᵀ into the weight's gradient for a chunk,
// after swapping its inputs x into X (l.mat); im2col(dy) is in l.col.
func (l *convTranspose2d) weightGradOf(gm Gemm, x Buffer, s, nb int) {
	rows, ld := l.g.rows(), nb*l.g.cols()
	l.swapIn(x, s, nb)
	gm.Sgemm(false, true, l.in, rows, ld, 1, l.mat, ld, l.col, ld, 1, l.weightGrad(), rows)
}

// addBiasGrad adds the channel sums of nb output-side images of v into the
// bias's gradient.
func (l *convTranspose2d) addBiasGrad(v Buffer, s, nb int) {
	addRowSums(l.d, l.gb, samples(v, s, nb, l.dst), nb, l.g.C, l.g.H*l.g.W)
}

func (l *convTranspose2d) forward(gm Gemm, x, y Buffer, n int) {
	l.chunks(n, func(s, nb int) { l.apply(gm, x, y, s, nb, true) })
}

func (l *convTranspose2d) backward(gm Gemm, x, _, dy, dx Buffer, n int, params bool) {
	if dx.isNil() && !params {
		return
	}
	l.chunks(n, func(s, nb int) {
		l.lower(dy, s, nb)
		if !dx.isNil() {
			l.inputGrad(gm, dx, s, nb)
		}
		if params {
			l.weightGradOf(gm, x, s, nb)
			l.addBiasGrad(dy, s, nb)
		}
	})
}

func (l *convTranspose2d) tangent(gm Gemm, _, _, rx, ry Buffer, n int) {
	l.chunks(n, func(s, nb int) { l.apply(gm, rx, ry, s, nb, false) })
}

// backwardTangent: rdx = W·im2col(rdy); the weight gradient x·im2col(dy)ᵀ
// has tangent x·im2col(rdy)ᵀ + rx·im2col(dy)ᵀ, the bias gradient Σ rdy.
func (l *convTranspose2d) backwardTangent(gm Gemm, x, _, rx, dy, rdy, rdx Buffer, n int) {
	l.chunks(n, func(s, nb int) {
		l.lower(rdy, s, nb)
		if !rdx.isNil() {
			l.inputGrad(gm, rdx, s, nb)
		}
		l.weightGradOf(gm, x, s, nb)
		l.addBiasGrad(rdy, s, nb)
		l.lower(dy, s, nb)
		l.weightGradOf(gm, rx, s, nb)
	})
}

// backwardTangentZero: with rdy = 0, rdx = 0 and the weight gradient's
// tangent is rx·im2col(dy)ᵀ alone (zeroTangentLayer).
func (l *convTranspose2d) backwardTangentZero(gm Gemm, _, _, rx, dy, _ Buffer, n int) bool {
	l.chunks(n, func(s, nb int) {
		l.lower(dy, s, nb)
		l.weightGradOf(gm, rx, s, nb)
	})
	return true
}

func (l *convTranspose2d) free() {
	l.convBuffers.free()
	if l.sn != nil {
		l.sn.free()
	}
}
