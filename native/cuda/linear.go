//go:build cuda

package cuda

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

func (l *linear) outDim(int) int { return l.out }

// addColumnSums adds the column sums of the n×out matrix m into dst.
func (l *linear) addColumnSums(dst, m Buffer, n int) {
	l.d.elementwise("add_column_sums", l.out, ptr(dst), ptr(m), i64(n), i64(l.out))
}
