package nn

import (
	"fmt"
	"math/rand/v2"
)

// Convolution kinds. Images are stored NCHW: a sample's row of the batch
// holds its C×H×W values channel by channel, each channel row by row, so
// the network's flat widths stay what they are for dense layers.
//
// The layer spec states the shape of its input: In channels of
// Height×Width values, read from the In·Height·Width values the layer
// before gives. That is where a network's shapes live, in one place: a
// linear layer that feeds a convolution gives C·H·W values and the
// convolution reads them as C×H×W (no reshape layer is needed, and none
// exists), and a linear layer after a convolution reads its output flat in
// NCHW order (PyTorch's flatten). After a linear layer Validate checks the
// count; after a convolution (and the activations and batchnorm that keep
// its layout) the next convolution must read the shape it gives.
const (
	// KindConv2D is the 2-D convolution (cross-correlation, as in PyTorch)
	//
	//	y[o, p, q] = b[o] + Σ_{c,i,j} W[o, c, i, j] · x[c, p·s + i − pad, q·s + j − pad]
	//
	// with x zero outside its Height×Width, W of shape [Out, In, Kernel,
	// Kernel], s the Stride and pad the Padding; y is Out channels of
	// ((H + 2·pad − k)/s + 1) × ((W + 2·pad − k)/s + 1) values (floored).
	KindConv2D Kind = "conv2d"
	// KindConvTranspose2D is the transposed convolution: the adjoint of the
	// conv2d with the same kernel, stride and padding (PyTorch's
	// ConvTranspose2d without output padding),
	//
	//	y[o, p·s + i − pad, q·s + j − pad] += W[c, o, i, j] · x[c, p, q],   then y[o] += b[o],
	//
	// W of shape [In, Out, Kernel, Kernel]; y is Out channels of
	// ((H − 1)·s − 2·pad + k) × ((W − 1)·s − 2·pad + k) values.
	KindConvTranspose2D Kind = "conv_transpose2d"
)

// MaxKernel is the largest kernel a convolution's spec may ask for (its
// channels, height and width are bounded by MaxDim).
const MaxKernel = 64

// Both convolutions multiply by their weight in the layout it is stored
// in, read as a matrix: conv2d's [Out, In, k, k] as Out × (In·k·k), the map
// from one patch of the input to one output position; conv_transpose2d's
// [In, Out, k, k] as In × (Out·k·k), whose transpose maps one input pixel
// to one patch of the output. Spectral normalisation divides by the
// largest singular value σ of that matrix. For conv2d this is PyTorch's
// spectral_norm convention (and the GEBM reference's SN-ConvNet); for the
// transposed convolution PyTorch reshapes along the output channels
// instead (Out × (In·k·k), a permuted matrix with other singular values),
// while gebm keeps the one rule: σ of the matrix the layer's product uses.
// Neither σ is the norm of the convolution as an operator on images: each
// input value enters at most k² patches, so that norm is at most k·σ.
func init() {
	register(KindConv2D, &kindDesc{
		fields: fieldSizes | fieldConv,
		in:     convIn,
		check:  convCheck,
		out:    func(l LayerSpec, _ int) int { g := conv2dGeom(l); return l.Out * g.oh * g.ow },
		image: func(i int, l LayerSpec, in imageShape) (imageShape, error) {
			g := conv2dGeom(l)
			return imageShape{l.Out, g.oh, g.ow}, convReads(i, l, in)
		},
		flops: func(l LayerSpec, _ int) int {
			g := conv2dGeom(l)
			return 2 * l.Out * g.cols() * g.rows()
		},
		tensors: func(i int, l LayerSpec, _ int) (params, state []TensorInfo) {
			g := conv2dGeom(l)
			return convParams(i, l.Out, l.In, l), snTensors(i, l.SpectralNorm, l.Out, g.rows())
		},
		build: func(i int, l LayerSpec, _ int) layer { return newConv2D(i, l) },
		example: func(in int) LayerSpec {
			return LayerSpec{Kind: KindConv2D, In: 1, Out: 2, Height: 1, Width: in, Kernel: 3, Stride: 2, Padding: 1, SpectralNorm: true}
		},
	})
	register(KindConvTranspose2D, &kindDesc{
		fields: fieldSizes | fieldConv,
		in:     convIn,
		check:  convCheck,
		out:    func(l LayerSpec, _ int) int { g := convTransposeGeom(l); return l.Out * g.h * g.w },
		image: func(i int, l LayerSpec, in imageShape) (imageShape, error) {
			g := convTransposeGeom(l)
			return imageShape{l.Out, g.h, g.w}, convReads(i, l, in)
		},
		flops: func(l LayerSpec, _ int) int {
			g := convTransposeGeom(l)
			return 2 * l.In * g.cols() * g.rows()
		},
		tensors: func(i int, l LayerSpec, _ int) (params, state []TensorInfo) {
			g := convTransposeGeom(l)
			return convParams(i, l.In, l.Out, l), snTensors(i, l.SpectralNorm, l.In, g.rows())
		},
		build: func(i int, l LayerSpec, _ int) layer { return newConvTranspose2D(i, l) },
		example: func(in int) LayerSpec {
			return LayerSpec{Kind: KindConvTranspose2D, In: 1, Out: 2, Height: 1, Width: in, Kernel: 3, Stride: 2, Padding: 1, SpectralNorm: true}
		},
	})
}

// convIn is a convolution's input width: In channels of Height×Width.
func convIn(l LayerSpec) int { return l.In * l.Height * l.Width }

// convReads refuses an input image shape other than the one the
// convolution states (in is zero after flat values: any shape of the right
// size is read).
func convReads(i int, l LayerSpec, in imageShape) error {
	if want := (imageShape{l.In, l.Height, l.Width}); in != (imageShape{}) && in != want {
		return fmt.Errorf("nn: layer %d: %s reads its input as %v but the layers before give an image of %v", i, l.Kind, want, in)
	}
	return nil
}

// convParams lists a convolution's weight [a, b, k, k] and bias [Out].
func convParams(i, a, b int, l LayerSpec) []TensorInfo {
	return []TensorInfo{{paramName(i, "weight"), []int{a, b, l.Kernel, l.Kernel}, true},
		{paramName(i, "bias"), []int{l.Out}, true}}
}

// convCheck validates a convolution's fields, each against its own bound
// before any product of them is formed.
func convCheck(i int, l LayerSpec, in int) error {
	name := fmt.Sprintf("nn: layer %d: %s", i, l.Kind)
	switch {
	case l.In < 1 || l.Out < 1 || l.In > MaxDim || l.Out > MaxDim:
		return fmt.Errorf("%s: %d→%d channels: channels must be in 1..%d", name, l.In, l.Out, MaxDim)
	case l.Height < 1 || l.Width < 1 || l.Height > MaxDim || l.Width > MaxDim:
		return fmt.Errorf("%s: input %d×%d: height and width must be in 1..%d", name, l.Height, l.Width, MaxDim)
	case l.Kernel < 1 || l.Kernel > MaxKernel:
		return fmt.Errorf("%s: kernel %d must be in 1..%d", name, l.Kernel, MaxKernel)
	case l.Stride < 1 || l.Stride > l.Kernel:
		return fmt.Errorf("%s: stride %d must be in 1..kernel (%d): a larger stride would skip values", name, l.Stride, l.Kernel)
	case l.Padding < 0 || 2*l.Padding > l.Kernel:
		return fmt.Errorf("%s: padding %d must be in 0..kernel/2 (kernel %d)", name, l.Padding, l.Kernel)
	case convIn(l) > MaxDim:
		return fmt.Errorf("%s: input %d×%d×%d is %d values, more than %d", name, l.In, l.Height, l.Width, convIn(l), MaxDim)
	case i > 0 && convIn(l) != in:
		return fmt.Errorf("%s: takes %d×%d×%d = %d values but the layer before gives %d", name, l.In, l.Height, l.Width, convIn(l), in)
	case l.Kind == KindConv2D && (l.Height+2*l.Padding < l.Kernel || l.Width+2*l.Padding < l.Kernel):
		return fmt.Errorf("%s: kernel %d is larger than the padded input %d×%d", name, l.Kernel, l.Height+2*l.Padding, l.Width+2*l.Padding)
	case l.Kind == KindConvTranspose2D && convTransposeGeom(l).h*convTransposeGeom(l).w < 1:
		return fmt.Errorf("%s: input %d×%d with kernel %d, stride %d, padding %d gives no output", name, l.Height, l.Width, l.Kernel, l.Stride, l.Padding)
	}
	return nil
}

// convGeom is the geometry shared by both convolutions: an image of c
// channels of h×w values, and the oh×ow positions of a k×k kernel moved
// over it with stride s after zero padding p. im2col and col2im (an
// unfolder's, unfold.go) move values between the image and its column
// matrix, whose row (c, i, j) holds, for every position (a, b), the image
// value under kernel tap (i, j), x[c, a·s + i − p, b·s + j − p] (0 in the
// padding).
type convGeom struct {
	c, h, w int
	k, s, p int
	oh, ow  int
}

func newConvGeom(c, h, w, k, s, p int) convGeom {
	g := convGeom{c: c, h: h, w: w, k: k, s: s, p: p}
	if s > 0 {
		g.oh, g.ow = (h+2*p-k)/s+1, (w+2*p-k)/s+1
	}
	return g
}

// conv2dGeom: the image is the input.
func conv2dGeom(l LayerSpec) convGeom {
	return newConvGeom(l.In, l.Height, l.Width, l.Kernel, l.Stride, l.Padding)
}

// convTransposeGeom: the image is the output, the kernel's positions the
// input's pixels ((oh, ow) = (Height, Width) for a valid spec).
func convTransposeGeom(l LayerSpec) convGeom {
	oh := (l.Height-1)*l.Stride - 2*l.Padding + l.Kernel
	ow := (l.Width-1)*l.Stride - 2*l.Padding + l.Kernel
	return newConvGeom(l.Out, max(oh, 0), max(ow, 0), l.Kernel, l.Stride, l.Padding)
}

// ConvGeometry is the geometry of a convolution's products, for backends
// that lower them as this package does (im2col, a matrix product, col2im):
// an image of C channels of H×W values and the OH×OW positions of a K×K
// kernel moved over it with stride S after zero padding P. For conv2d the
// image is the input and the positions are the output's pixels; for
// conv_transpose2d the image is the output and the positions are the
// input's pixels. The column matrix has C·K·K rows and OH·OW columns.
type ConvGeometry struct{ C, H, W, K, S, P, OH, OW int }

// ConvGeometry returns the geometry of a conv2d or conv_transpose2d layer
// (the zero value for other kinds).
func (l LayerSpec) ConvGeometry() ConvGeometry {
	var g convGeom
	switch l.Kind {
	case KindConv2D:
		g = conv2dGeom(l)
	case KindConvTranspose2D:
		g = convTransposeGeom(l)
	default:
		return ConvGeometry{}
	}
	return ConvGeometry{g.c, g.h, g.w, g.k, g.s, g.p, g.oh, g.ow}
}

// Im2col writes the column matrix of img ((C·K·K) × (OH·OW)) into col, as
// the conv layers do for each sample of a batch (they write it as one
// column block of a wider matrix; the values are the same): the reference
// of a backend's im2col kernel.
func (g ConvGeometry) Im2col(img, col []float32) {
	newUnfolder(g.geom()).im2col(img, col, g.OH*g.OW)
}

// Col2im adds every entry of col into the image value it was read from (the
// adjoint of Im2col), as the conv layers do: the reference of a backend's
// col2im kernel.
func (g ConvGeometry) Col2im(col, img []float32) {
	newUnfolder(g.geom()).col2im(col, g.OH*g.OW, img)
}

func (g ConvGeometry) geom() convGeom {
	return convGeom{c: g.C, h: g.H, w: g.W, k: g.K, s: g.S, p: g.P, oh: g.OH, ow: g.OW}
}

func (g convGeom) rows() int { return g.c * g.k * g.k }
func (g convGeom) cols() int { return g.oh * g.ow }
func (g convGeom) size() int { return g.c * g.h * g.w }

// convColumnBudget bounds a convolution's column buffer, in float32
// values (1 MiB): each pass lowers the batch in chunks of as many samples
// as fit (at least one), so that every product is one Gemm per chunk
// rather than one small one per sample, while the column matrix stays
// small enough to be in the core's cache when the product reads it (and a
// batch of thousands of sampler chains does not make it large). For the
// dcgan model at MNIST size and 32 channels the largest column matrix per
// sample is 512×49 values (98 KiB), so a chunk holds 10 samples, a product
// 490 columns; at batch 64 or 128 and any width the buffer stays at most
// 1 MiB per convolution. (Chunks of 8 MiB, the whole batch of 64, made a
// training iteration 6-10% slower; of 0.5 MiB, no faster: CPU time on the
// loaded 2-core machine, 2026-12-04.) A variable only so that tests can
// make chunks of a few samples.
var convColumnBudget = 1 << 18

// convChunk returns the samples per chunk for a batch of n whose column
// matrices have per values each: the fewest chunks within the budget,
// balanced (128 samples of room for 83 make two chunks of 64, not 83 and 45).
func convChunk(n, per int) int {
	most := max(1, convColumnBudget/per)
	chunks := (n + most - 1) / most
	return (n + chunks - 1) / chunks
}

// convBuffers are a convolution's work space for one chunk of nb samples:
// col, the chunk's column matrix (rows × nb·cols, sample s in columns
// s·cols to (s+1)·cols − 1), and mat, the channels × nb·cols matrix of the
// layer's non-image side (conv2d's output, conv_transpose2d's input) with
// the channel outermost, the layout a single product reads and writes.
// They grow to the largest chunk a pass has needed, so that passes after
// the first allocate nothing.
type convBuffers struct{ col, mat []float32 }

// reserve makes col and mat hold nb samples' rows·cols and ch·cols values.
func (b *convBuffers) reserve(nb, rows, ch, cols int) {
	if need := nb * rows * cols; cap(b.col) < need {
		b.col = make([]float32, need)
	}
	if need := nb * ch * cols; cap(b.mat) < need {
		b.mat = make([]float32, need)
	}
}

// eachChunk splits a batch of n samples into chunks of a column matrix of
// at most convChunk's size (rows × cols values a sample; mat holds ch ×
// cols a sample), makes the buffers hold one, and calls f for each chunk
// (first sample s, size nb).
func (b *convBuffers) eachChunk(n, rows, ch, cols int, f func(s, nb int)) {
	nb := convChunk(n, rows*cols)
	b.reserve(nb, rows, ch, cols)
	for s := 0; s < n; s += nb {
		f(s, min(nb, n-s))
	}
}

// lower writes the column matrix (u's im2col) of the nb images of per
// values each in v into col, side by side.
func (b *convBuffers) lower(u *unfolder, v []float32, per, nb int) {
	cols := u.g.cols()
	for s := range nb {
		u.im2col(v[s*per:][:per], b.col[s*cols:], nb*cols)
	}
}

// swapAxes writes src, a×b blocks of p values, as b×a blocks of p into
// dst: dst[j][i] = src[i][j]. It moves a chunk between the batch's layout
// (sample, channel, pixel) and mat's (channel, sample, pixel).
func swapAxes(dst, src []float32, a, b, p int) {
	for i := range a {
		for j := range b {
			copy(dst[(j*a+i)*p:][:p], src[(i*b+j)*p:][:p])
		}
	}
}

// addRowSums adds the row sums of the rows×cols matrix m into dst.
func addRowSums(dst, m []float32, rows, cols int) {
	for r := range rows {
		var s float32
		for _, v := range m[r*cols : (r+1)*cols] {
			s += v
		}
		dst[r] += s
	}
}

// addBias adds b[r] to every value of row r of the rows×cols matrix m.
func addBias(m, b []float32, cols int) {
	for r, v := range b {
		row := m[r*cols : (r+1)*cols]
		for j := range row {
			row[j] += v
		}
	}
}

// conv2d lowers a chunk of nb samples at once: X, the column matrix of
// their inputs side by side ((In·k·k) × nb·cols, cols the output's pixels
// per sample), and Y = W·X, one Gemm with W the Out × (In·k·k) weight,
// whose Out × nb·cols result is swapped into the samples' NCHW outputs.
// The backward passes swap the output gradient into that layout and use
// one Gemm each for the weight gradient (dY·Xᵀ, summed over the chunk's
// samples by the product) and for the input gradient (col2im of Wᵀ·dY).
type conv2d struct {
	g       convGeom // the input image
	u       *unfolder
	out     int // output channels
	in, dst int // values per sample of input and output
	weightMatrix
	b *Param
	convBuffers
}

func newConv2D(idx int, l LayerSpec) *conv2d {
	g := conv2dGeom(l)
	return &conv2d{g: g, u: newUnfolder(g), out: l.Out, in: g.size(), dst: l.Out * g.cols(),
		weightMatrix: newWeightMatrix(idx, l.SpectralNorm, []int{l.Out, l.In, l.Kernel, l.Kernel}, l.Out, g.rows()),
		b:            newParam(paramName(idx, "bias"), l.Out)}
}

// init draws W and b from U(±1/sqrt(In·k·k)), PyTorch's default.
func (l *conv2d) init(rng *rand.Rand) { l.initUniform(rng, l.g.rows(), l.b) }

func (l *conv2d) params() []*Param { return []*Param{l.w, l.b} }

// chunks calls f for each chunk of a batch of n (first sample s, size nb)
// after making the buffers hold it.
func (l *conv2d) chunks(n int, f func(s, nb int)) {
	l.eachChunk(n, l.g.rows(), l.out, l.g.cols(), f)
}

// lower writes the column matrix of the nb samples x into l.col.
func (l *conv2d) lower(x []float32, nb int) { l.convBuffers.lower(l.u, x, l.in, nb) }

// swapIn writes the nb samples' output-side values v (NCHW) into l.mat,
// channel outermost.
func (l *conv2d) swapIn(v []float32, nb int) { swapAxes(l.mat, v[:nb*l.dst], nb, l.out, l.g.cols()) }

// apply writes W·im2col(x) (+ b when bias) for a chunk of nb samples.
func (l *conv2d) apply(g Gemm, x, y []float32, nb int, bias bool) {
	rows, ld := l.g.rows(), nb*l.g.cols()
	l.lower(x, nb)
	g.Sgemm(false, false, l.out, ld, rows, 1, l.weight(), rows, l.col, ld, 0, l.mat, ld)
	swapAxes(y[:nb*l.dst], l.mat[:l.out*ld], l.out, nb, l.g.cols())
	if bias {
		for s := range nb {
			addBias(y[s*l.dst:][:l.dst], l.b.Value, l.g.cols())
		}
	}
}

// inputGrad writes dx = col2im(Wᵀ·dY) for a chunk of nb samples, dY in
// l.mat.
func (l *conv2d) inputGrad(g Gemm, dx []float32, nb int) {
	rows, cols := l.g.rows(), l.g.cols()
	ld := nb * cols
	g.Sgemm(true, false, rows, ld, l.out, 1, l.weight(), rows, l.mat, ld, 0, l.col, ld)
	clear(dx[:nb*l.in])
	for s := range nb {
		l.u.col2im(l.col[s*cols:], ld, dx[s*l.in:][:l.in])
	}
}

// weightGradOf adds dY·Xᵀ into the weight's gradient for a chunk of nb
// samples, dY in l.mat and X, the column matrix, in l.col.
func (l *conv2d) weightGradOf(g Gemm, nb int) {
	rows, ld := l.g.rows(), nb*l.g.cols()
	g.Sgemm(false, true, l.out, rows, ld, 1, l.mat, ld, l.col, ld, 1, l.weightGrad(), rows)
}

func (l *conv2d) forward(g Gemm, x, y []float32, n int) {
	l.chunks(n, func(s, nb int) { l.apply(g, x[s*l.in:], y[s*l.dst:], nb, true) })
}

func (l *conv2d) backward(g Gemm, x, _, dy, dx []float32, n int, params bool) {
	if dx == nil && !params {
		return
	}
	l.chunks(n, func(s, nb int) {
		l.swapIn(dy[s*l.dst:], nb)
		if params {
			l.lower(x[s*l.in:], nb)
			l.weightGradOf(g, nb)
			addRowSums(l.b.Grad, l.mat, l.out, nb*l.g.cols())
		}
		if dx != nil {
			l.inputGrad(g, dx[s*l.in:], nb)
		}
	})
}

func (l *conv2d) tangent(g Gemm, _, _, rx, ry []float32, n int) {
	l.chunks(n, func(s, nb int) { l.apply(g, rx[s*l.in:], ry[s*l.dst:], nb, false) })
}

// backwardTangent: dx = col2im(Wᵀ dy) is linear in dy and does not depend
// on x, so rdx = col2im(Wᵀ rdy); the weight gradient dy·im2col(x)ᵀ has
// tangent rdy·im2col(x)ᵀ + dy·im2col(rx)ᵀ, the bias gradient Σ rdy.
func (l *conv2d) backwardTangent(g Gemm, x, _, rx, dy, rdy, rdx []float32, n int) {
	l.chunks(n, func(s, nb int) {
		l.swapIn(rdy[s*l.dst:], nb)
		addRowSums(l.b.Grad, l.mat, l.out, nb*l.g.cols())
		l.lower(x[s*l.in:], nb)
		l.weightGradOf(g, nb)
		if rdx != nil {
			l.inputGrad(g, rdx[s*l.in:], nb)
		}
		l.swapIn(dy[s*l.dst:], nb)
		l.lower(rx[s*l.in:], nb)
		l.weightGradOf(g, nb)
	})
}

// backwardTangentZero: with rdy = 0, rdx = 0 and the tangents of the
// weight and bias gradients are dy·im2col(rx)ᵀ alone (zeroTangentLayer).
func (l *conv2d) backwardTangentZero(g Gemm, _, _, rx, dy, _ []float32, n int) bool {
	l.chunks(n, func(s, nb int) {
		l.swapIn(dy[s*l.dst:], nb)
		l.lower(rx[s*l.in:], nb)
		l.weightGradOf(g, nb)
	})
	return true
}

// convTranspose2d lowers a chunk of nb samples at once, as the adjoint of
// conv2d's passes with the same geometry read the other way: the chunk's
// inputs are swapped into X, In × nb·cols (cols the input's pixels per
// sample), one Gemm gives the column matrix Wᵀ·X of the outputs ((Out·k·k)
// × nb·cols, W the In × (Out·k·k) weight), and col2im adds each sample's
// block into its output image, then the bias. The backward passes lower
// the output gradient with im2col and use one Gemm each for the input
// gradient (W·im2col(dy), swapped back) and the weight gradient
// (X·im2col(dy)ᵀ).
type convTranspose2d struct {
	g   convGeom // the output image; its kernel positions are the input's pixels
	u   *unfolder
	in  int // input channels
	src int // values per sample of the input
	dst int // values per sample of the output
	weightMatrix
	b *Param
	convBuffers
}

func newConvTranspose2D(idx int, l LayerSpec) *convTranspose2d {
	g := convTransposeGeom(l)
	return &convTranspose2d{g: g, u: newUnfolder(g), in: l.In, src: l.In * g.cols(), dst: g.size(),
		weightMatrix: newWeightMatrix(idx, l.SpectralNorm, []int{l.In, l.Out, l.Kernel, l.Kernel}, l.In, g.rows()),
		b:            newParam(paramName(idx, "bias"), l.Out)}
}

// init draws W and b from U(±1/sqrt(Out·k·k)): PyTorch's default, whose
// fan-in for a transposed convolution is the weight's second dimension
// times k².
func (l *convTranspose2d) init(rng *rand.Rand) { l.initUniform(rng, l.g.rows(), l.b) }

func (l *convTranspose2d) params() []*Param { return []*Param{l.w, l.b} }

// chunks calls f for each chunk of a batch of n (first sample s, size nb)
// after making the buffers hold it.
func (l *convTranspose2d) chunks(n int, f func(s, nb int)) {
	l.eachChunk(n, l.g.rows(), l.in, l.g.cols(), f)
}

// lower writes the column matrix of the nb output-side images v (the
// output's gradient or its tangent) into l.col.
func (l *convTranspose2d) lower(v []float32, nb int) { l.convBuffers.lower(l.u, v, l.dst, nb) }

// swapIn writes the nb samples' inputs x (NCHW) into l.mat, channel
// outermost.
func (l *convTranspose2d) swapIn(x []float32, nb int) {
	swapAxes(l.mat, x[:nb*l.src], nb, l.in, l.g.cols())
}

// apply writes col2im(Wᵀ·X) (+ b when bias) for a chunk of nb samples.
func (l *convTranspose2d) apply(g Gemm, x, y []float32, nb int, bias bool) {
	rows, cols := l.g.rows(), l.g.cols()
	ld := nb * cols
	l.swapIn(x, nb)
	g.Sgemm(true, false, rows, ld, l.in, 1, l.weight(), rows, l.mat, ld, 0, l.col, ld)
	clear(y[:nb*l.dst])
	for s := range nb {
		ys := y[s*l.dst:][:l.dst]
		l.u.col2im(l.col[s*cols:], ld, ys)
		if bias {
			addBias(ys, l.b.Value, l.g.h*l.g.w)
		}
	}
}

// inputGrad writes dx = W·im2col(dy) for a chunk of nb samples, im2col(dy)
// in l.col (it uses l.mat).
func (l *convTranspose2d) inputGrad(g Gemm, dx []float32, nb int) {
	rows, ld := l.g.rows(), nb*l.g.cols()
	g.Sgemm(false, false, l.in, ld, rows, 1, l.weight(), rows, l.col, ld, 0, l.mat, ld)
	swapAxes(dx[:nb*l.src], l.mat[:l.in*ld], l.in, nb, l.g.cols())
}

// weightGradOf adds X·im2col(dy)ᵀ into the weight's gradient for a chunk
// of nb samples, after swapping their inputs x into X (l.mat); im2col(dy)
// is in l.col.
func (l *convTranspose2d) weightGradOf(g Gemm, x []float32, nb int) {
	rows, ld := l.g.rows(), nb*l.g.cols()
	l.swapIn(x, nb)
	g.Sgemm(false, true, l.in, rows, ld, 1, l.mat, ld, l.col, ld, 1, l.weightGrad(), rows)
}

// addBiasGrad adds the nb output-side images' channel sums into the bias's
// gradient.
func (l *convTranspose2d) addBiasGrad(v []float32, nb int) {
	for s := range nb {
		addRowSums(l.b.Grad, v[s*l.dst:][:l.dst], l.g.c, l.g.h*l.g.w)
	}
}

func (l *convTranspose2d) forward(g Gemm, x, y []float32, n int) {
	l.chunks(n, func(s, nb int) { l.apply(g, x[s*l.src:], y[s*l.dst:], nb, true) })
}

func (l *convTranspose2d) backward(g Gemm, x, _, dy, dx []float32, n int, params bool) {
	if dx == nil && !params {
		return
	}
	l.chunks(n, func(s, nb int) {
		l.lower(dy[s*l.dst:], nb)
		if dx != nil {
			l.inputGrad(g, dx[s*l.src:], nb)
		}
		if params {
			l.weightGradOf(g, x[s*l.src:], nb)
			l.addBiasGrad(dy[s*l.dst:], nb)
		}
	})
}

func (l *convTranspose2d) tangent(g Gemm, _, _, rx, ry []float32, n int) {
	l.chunks(n, func(s, nb int) { l.apply(g, rx[s*l.src:], ry[s*l.dst:], nb, false) })
}

// backwardTangent: dx = W·im2col(dy) does not depend on x, so rdx =
// W·im2col(rdy); the weight gradient x·im2col(dy)ᵀ has tangent
// x·im2col(rdy)ᵀ + rx·im2col(dy)ᵀ, the bias gradient Σ rdy.
func (l *convTranspose2d) backwardTangent(g Gemm, x, _, rx, dy, rdy, rdx []float32, n int) {
	l.chunks(n, func(s, nb int) {
		l.lower(rdy[s*l.dst:], nb)
		if rdx != nil {
			l.inputGrad(g, rdx[s*l.src:], nb)
		}
		l.weightGradOf(g, x[s*l.src:], nb)
		l.addBiasGrad(rdy[s*l.dst:], nb)
		l.lower(dy[s*l.dst:], nb)
		l.weightGradOf(g, rx[s*l.src:], nb)
	})
}

// backwardTangentZero: with rdy = 0, rdx = 0 and the weight gradient's
// tangent is rx·im2col(dy)ᵀ alone (zeroTangentLayer).
func (l *convTranspose2d) backwardTangentZero(g Gemm, _, _, rx, dy, _ []float32, n int) bool {
	l.chunks(n, func(s, nb int) {
		l.lower(dy[s*l.dst:], nb)
		l.weightGradOf(g, rx[s*l.src:], nb)
	})
	return true
}
