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
// over it with stride s after zero padding p. im2col and col2im move
// values between the image and its column matrix, whose row (c, i, j)
// holds, for every position (a, b), the image value under kernel tap (i,
// j), x[c, a·s + i − p, b·s + j − p] (0 in the padding).
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
// the conv layers do: the reference of a backend's im2col kernel.
func (g ConvGeometry) Im2col(img, col []float32) { g.geom().im2col(img, col) }

// Col2im adds every entry of col into the image value it was read from (the
// adjoint of Im2col), as the conv layers do: the reference of a backend's
// col2im kernel.
func (g ConvGeometry) Col2im(col, img []float32) { g.geom().col2im(col, img) }

func (g ConvGeometry) geom() convGeom {
	return convGeom{c: g.C, h: g.H, w: g.W, k: g.K, s: g.S, p: g.P, oh: g.OH, ow: g.OW}
}

func (g convGeom) rows() int { return g.c * g.k * g.k }
func (g convGeom) cols() int { return g.oh * g.ow }
func (g convGeom) size() int { return g.c * g.h * g.w }

// im2col writes the column matrix of img (rows × cols) into col.
func (g convGeom) im2col(img, col []float32) {
	cols := g.cols()
	for c := range g.c {
		for i := range g.k {
			for j := range g.k {
				dst := col[((c*g.k+i)*g.k+j)*cols:][:cols]
				for a := range g.oh {
					row := dst[a*g.ow : (a+1)*g.ow]
					hi := a*g.s + i - g.p
					if hi < 0 || hi >= g.h {
						clear(row)
						continue
					}
					src := img[(c*g.h+hi)*g.w:][:g.w]
					for b := range row {
						if wi := b*g.s + j - g.p; wi >= 0 && wi < g.w {
							row[b] = src[wi]
						} else {
							row[b] = 0
						}
					}
				}
			}
		}
	}
}

// col2im adds every entry of the column matrix col into the image value it
// was read from (the adjoint of im2col; padding entries are dropped).
func (g convGeom) col2im(col, img []float32) {
	cols := g.cols()
	for c := range g.c {
		for i := range g.k {
			for j := range g.k {
				src := col[((c*g.k+i)*g.k+j)*cols:][:cols]
				for a := range g.oh {
					hi := a*g.s + i - g.p
					if hi < 0 || hi >= g.h {
						continue
					}
					row := src[a*g.ow : (a+1)*g.ow]
					dst := img[(c*g.h+hi)*g.w:][:g.w]
					for b, v := range row {
						if wi := b*g.s + j - g.p; wi >= 0 && wi < g.w {
							dst[wi] += v
						}
					}
				}
			}
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

// conv2d computes, for each sample, its column matrix X (im2col of the
// input) and Y = W·X + b, W the Out × (In·k·k) weight: one Gemm per sample,
// whose result is the sample's output in NCHW order. The column buffer is
// one sample's, allocated with the layer, so no pass allocates.
type conv2d struct {
	g       convGeom // the input image
	out     int      // output channels
	in, dst int      // values per sample of input and output
	weightMatrix
	b   *Param
	col []float32 // one sample's column matrix, g.rows() × g.cols()
}

func newConv2D(idx int, l LayerSpec) *conv2d {
	g := conv2dGeom(l)
	return &conv2d{g: g, out: l.Out, in: g.size(), dst: l.Out * g.cols(),
		weightMatrix: newWeightMatrix(idx, l.SpectralNorm, []int{l.Out, l.In, l.Kernel, l.Kernel}, l.Out, g.rows()),
		b:            newParam(paramName(idx, "bias"), l.Out),
		col:          make([]float32, g.rows()*g.cols())}
}

// init draws W and b from U(±1/sqrt(In·k·k)), PyTorch's default.
func (l *conv2d) init(rng *rand.Rand) { l.initUniform(rng, l.g.rows(), l.b) }

func (l *conv2d) params() []*Param { return []*Param{l.w, l.b} }

// apply writes W·im2col(x) (+ b when bias) for one sample.
func (l *conv2d) apply(g Gemm, x, y []float32, bias bool) {
	rows, cols := l.g.rows(), l.g.cols()
	l.g.im2col(x, l.col)
	g.Sgemm(false, false, l.out, cols, rows, 1, l.weight(), rows, l.col, cols, 0, y, cols)
	if bias {
		addBias(y, l.b.Value, cols)
	}
}

// inputGrad writes dx = col2im(Wᵀ·dy) for one sample.
func (l *conv2d) inputGrad(g Gemm, dy, dx []float32) {
	rows, cols := l.g.rows(), l.g.cols()
	g.Sgemm(true, false, rows, cols, l.out, 1, l.weight(), rows, dy, cols, 0, l.col, cols)
	clear(dx)
	l.g.col2im(l.col, dx)
}

// weightGradOf adds dy·im2col(x)ᵀ into the weight's gradient for one sample.
func (l *conv2d) weightGradOf(g Gemm, x, dy []float32) {
	rows, cols := l.g.rows(), l.g.cols()
	l.g.im2col(x, l.col)
	g.Sgemm(false, true, l.out, rows, cols, 1, dy, cols, l.col, cols, 1, l.weightGrad(), rows)
}

func (l *conv2d) forward(g Gemm, x, y []float32, n int) {
	for s := range n {
		l.apply(g, x[s*l.in:][:l.in], y[s*l.dst:][:l.dst], true)
	}
}

func (l *conv2d) backward(g Gemm, x, _, dy, dx []float32, n int, params bool) {
	for s := range n {
		xs, dys := x[s*l.in:][:l.in], dy[s*l.dst:][:l.dst]
		if params {
			l.weightGradOf(g, xs, dys)
			addRowSums(l.b.Grad, dys, l.out, l.g.cols())
		}
		if dx != nil {
			l.inputGrad(g, dys, dx[s*l.in:][:l.in])
		}
	}
}

func (l *conv2d) tangent(g Gemm, _, _, rx, ry []float32, n int) {
	for s := range n {
		l.apply(g, rx[s*l.in:][:l.in], ry[s*l.dst:][:l.dst], false)
	}
}

// backwardTangent: dx = col2im(Wᵀ dy) is linear in dy and does not depend
// on x, so rdx = col2im(Wᵀ rdy); the weight gradient dy·im2col(x)ᵀ has
// tangent rdy·im2col(x)ᵀ + dy·im2col(rx)ᵀ, the bias gradient Σ rdy.
func (l *conv2d) backwardTangent(g Gemm, x, _, rx, dy, rdy, rdx []float32, n int) {
	for s := range n {
		rdys := rdy[s*l.dst:][:l.dst]
		if rdx != nil {
			l.inputGrad(g, rdys, rdx[s*l.in:][:l.in])
		}
		l.weightGradOf(g, x[s*l.in:][:l.in], rdys)
		l.weightGradOf(g, rx[s*l.in:][:l.in], dy[s*l.dst:][:l.dst])
		addRowSums(l.b.Grad, rdys, l.out, l.g.cols())
	}
}

// convTranspose2d computes, for each sample x (In × H·W, a matrix), the
// column matrix Wᵀ·x of the output image (W the In × (Out·k·k) weight)
// and adds it into the output with col2im, then the bias: the adjoint of
// conv2d's passes, with the same geometry read the other way.
type convTranspose2d struct {
	g   convGeom // the output image; its kernel positions are the input's pixels
	in  int      // input channels
	src int      // values per sample of the input
	dst int      // values per sample of the output
	weightMatrix
	b   *Param
	col []float32
}

func newConvTranspose2D(idx int, l LayerSpec) *convTranspose2d {
	g := convTransposeGeom(l)
	return &convTranspose2d{g: g, in: l.In, src: l.In * g.cols(), dst: g.size(),
		weightMatrix: newWeightMatrix(idx, l.SpectralNorm, []int{l.In, l.Out, l.Kernel, l.Kernel}, l.In, g.rows()),
		b:            newParam(paramName(idx, "bias"), l.Out),
		col:          make([]float32, g.rows()*g.cols())}
}

// init draws W and b from U(±1/sqrt(Out·k·k)): PyTorch's default, whose
// fan-in for a transposed convolution is the weight's second dimension
// times k².
func (l *convTranspose2d) init(rng *rand.Rand) { l.initUniform(rng, l.g.rows(), l.b) }

func (l *convTranspose2d) params() []*Param { return []*Param{l.w, l.b} }

// apply writes col2im(Wᵀ·x) (+ b when bias) for one sample.
func (l *convTranspose2d) apply(g Gemm, x, y []float32, bias bool) {
	rows, cols := l.g.rows(), l.g.cols()
	g.Sgemm(true, false, rows, cols, l.in, 1, l.weight(), rows, x, cols, 0, l.col, cols)
	clear(y)
	l.g.col2im(l.col, y)
	if bias {
		addBias(y, l.b.Value, l.g.h*l.g.w)
	}
}

// inputGrad writes dx = W·im2col(dy) for one sample, leaving im2col(dy) in
// l.col.
func (l *convTranspose2d) inputGrad(g Gemm, dy, dx []float32) {
	rows, cols := l.g.rows(), l.g.cols()
	l.g.im2col(dy, l.col)
	g.Sgemm(false, false, l.in, cols, rows, 1, l.weight(), rows, l.col, cols, 0, dx, cols)
}

// weightGradOf adds x·colᵀ into the weight's gradient for one sample, col
// being im2col of the output gradient (in l.col).
func (l *convTranspose2d) weightGradOf(g Gemm, x []float32) {
	rows, cols := l.g.rows(), l.g.cols()
	g.Sgemm(false, true, l.in, rows, cols, 1, x, cols, l.col, cols, 1, l.weightGrad(), rows)
}

func (l *convTranspose2d) forward(g Gemm, x, y []float32, n int) {
	for s := range n {
		l.apply(g, x[s*l.src:][:l.src], y[s*l.dst:][:l.dst], true)
	}
}

func (l *convTranspose2d) backward(g Gemm, x, _, dy, dx []float32, n int, params bool) {
	if dx == nil && !params {
		return
	}
	for s := range n {
		xs, dys := x[s*l.src:][:l.src], dy[s*l.dst:][:l.dst]
		if dx != nil {
			l.inputGrad(g, dys, dx[s*l.src:][:l.src])
		} else {
			l.g.im2col(dys, l.col)
		}
		if params {
			l.weightGradOf(g, xs)
			addRowSums(l.b.Grad, dys, l.g.c, l.g.h*l.g.w)
		}
	}
}

func (l *convTranspose2d) tangent(g Gemm, _, _, rx, ry []float32, n int) {
	for s := range n {
		l.apply(g, rx[s*l.src:][:l.src], ry[s*l.dst:][:l.dst], false)
	}
}

// backwardTangent: dx = W·im2col(dy) does not depend on x, so rdx =
// W·im2col(rdy); the weight gradient x·im2col(dy)ᵀ has tangent
// x·im2col(rdy)ᵀ + rx·im2col(dy)ᵀ, the bias gradient Σ rdy.
func (l *convTranspose2d) backwardTangent(g Gemm, x, _, rx, dy, rdy, rdx []float32, n int) {
	for s := range n {
		rdys := rdy[s*l.dst:][:l.dst]
		if rdx != nil {
			l.inputGrad(g, rdys, rdx[s*l.src:][:l.src])
		} else {
			l.g.im2col(rdys, l.col)
		}
		l.weightGradOf(g, x[s*l.src:][:l.src])
		l.g.im2col(dy[s*l.dst:][:l.dst], l.col)
		l.weightGradOf(g, rx[s*l.src:][:l.src])
		addRowSums(l.b.Grad, rdys, l.g.c, l.g.h*l.g.w)
	}
}
