//go:build cuda

package cuda

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gebm/gebm/shared/nn"
)

// convGeometries are the shapes the conv kernels are checked on: square
// and not, strides 1 to 3, no padding and the most allowed, kernels larger
// than the stride (overlapping taps, which col2im adds up) and equal to
// it, the DCGAN-MNIST layers, and both kinds' readings of a spec.
func convGeometries() []nn.ConvGeometry {
	specs := []nn.LayerSpec{
		{Kind: nn.KindConv2D, In: 3, Out: 2, Height: 7, Width: 9, Kernel: 3, Stride: 1, Padding: 1},
		{Kind: nn.KindConv2D, In: 2, Out: 2, Height: 8, Width: 5, Kernel: 5, Stride: 3, Padding: 2},
		{Kind: nn.KindConv2D, In: 1, Out: 2, Height: 6, Width: 6, Kernel: 2, Stride: 2, Padding: 0},
		{Kind: nn.KindConv2D, In: 1, Out: 64, Height: 28, Width: 28, Kernel: 4, Stride: 2, Padding: 1},
		{Kind: nn.KindConv2D, In: 4, Out: 3, Height: 1, Width: 5, Kernel: 3, Stride: 2, Padding: 1},
		{Kind: nn.KindConvTranspose2D, In: 3, Out: 2, Height: 4, Width: 3, Kernel: 4, Stride: 2, Padding: 1},
		{Kind: nn.KindConvTranspose2D, In: 2, Out: 3, Height: 3, Width: 5, Kernel: 3, Stride: 1, Padding: 0},
		{Kind: nn.KindConvTranspose2D, In: 64, Out: 1, Height: 14, Width: 14, Kernel: 4, Stride: 2, Padding: 1},
	}
	var gs []nn.ConvGeometry
	for _, s := range specs {
		gs = append(gs, s.ConvGeometry())
	}
	return gs
}

// TestConvKernels: im2col, col2im (into an image that already holds
// values: it adds), the bias and the bias gradient over NCHW samples, bit
// for bit against shared/nn's loops; and im2col and col2im adjoint to
// each other, <im2col(x), c> = <x, col2im(c)> in float64.
func TestConvKernels(t *testing.T) {
	d := testDevice(t)
	rng := rand.New(rand.NewPCG(21, 22))
	for _, geo := range convGeometries() {
		g := convGeom{d, geo}
		what := name(geo, ": ")
		rows, cols, size := g.rows(), g.cols(), g.size()
		img, col := randn(rng, size, 1), randn(rng, rows*cols, 1)

		want := make([]float32, rows*cols)
		geo.Im2col(img, want)
		dimg, dcol := upload(t, d, img), upload(t, d, randn(rng, rows*cols, 1))
		g.im2col(dimg, dcol)
		sameBits(t, what+"im2col", download(t, d, dcol), want)

		base := randn(rng, size, 1)
		wantImg := append([]float32(nil), base...)
		geo.Col2im(col, wantImg)
		dcol, dimg = upload(t, d, col), upload(t, d, base)
		g.col2im(dcol, dimg)
		sameBits(t, what+"col2im", download(t, d, dimg), wantImg)

		var lhs, rhs float64
		for k, v := range want {
			lhs += float64(v) * float64(col[k])
		}
		zero := upload(t, d, make([]float32, size))
		g.col2im(dcol, zero)
		for k, v := range download(t, d, zero) {
			rhs += float64(img[k]) * float64(v)
		}
		if math.Abs(lhs-rhs) > 1e-4*math.Max(1, math.Abs(lhs)) {
			t.Fatalf("%s<im2col(x), c> = %v but <x, col2im(c)> = %v", what, lhs, rhs)
		}
	}

	for _, s := range [][3]int{{5, 3, 49}, {1, 64, 196}, {3, 1, 1}} {
		n, ch, plane := s[0], s[1], s[2]
		m, b, acc := randn(rng, n*ch*plane, 1), randn(rng, ch, 1), randn(rng, ch, 1)
		dm, db, dacc := upload(t, d, m), upload(t, d, b), upload(t, d, acc)
		addBias(d, dm, db, n, ch, plane)
		addRowSums(d, dacc, dm, n, ch, plane)
		for smp := range n {
			sm := m[smp*ch*plane:][:ch*plane]
			for r, v := range b { // shared/nn's addBias
				row := sm[r*plane : (r+1)*plane]
				for j := range row {
					row[j] += v
				}
			}
			for r := range ch { // shared/nn's addRowSums
				var sum float32
				for _, v := range sm[r*plane : (r+1)*plane] {
					sum += v
				}
				acc[r] += sum
			}
		}
		sameBits(t, name("add_bias_nchw ", s), download(t, d, dm), m)
		sameBits(t, name("add_row_sums_nchw ", s), download(t, d, dacc), acc)
	}
}
