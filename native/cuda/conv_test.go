//go:build cuda

package cuda

import (
	"math"
	"math/rand/v2"
	"strings"
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

// TestConvKernels: im2col and col2im (into images that already hold
// values: it adds) on one sample and on a chunk of three side by side, the
// bias over NCHW samples and swap_axes, bit for bit against shared/nn's
// loops; im2col and col2im adjoint to each other, <im2col(x), c> =
// <x, col2im(c)> in float64; and the bias gradient's row sums (in double,
// another order than the CPU's) within float32 rounding of a float64 sum.
func TestConvKernels(t *testing.T) {
	d := testDevice(t)
	rng := rand.New(rand.NewPCG(21, 22))
	for _, geo := range convGeometries() {
		g := convGeom{d, geo}
		for _, nb := range []int{1, 3} {
			what := name(geo, " nb ", nb, ": ")
			rows, cols, size := g.rows(), g.cols(), g.size()
			ld := nb * cols
			img, col := randn(rng, nb*size, 1), randn(rng, rows*ld, 1)

			// The chunk's column matrix: sample s's columns s·cols onwards.
			want := make([]float32, rows*ld)
			one := make([]float32, rows*cols)
			for s := range nb {
				geo.Im2col(img[s*size:][:size], one)
				for r := range rows {
					copy(want[r*ld+s*cols:][:cols], one[r*cols:][:cols])
				}
			}
			dimg, dcol := upload(t, d, img), upload(t, d, randn(rng, rows*ld, 1))
			g.im2col(dimg, dcol, nb)
			sameBits(t, what+"im2col", download(t, d, dcol), want)
			// A grid smaller than the matrix both ways: blocks stride over
			// rows and threads over columns.
			dcol = upload(t, d, randn(rng, rows*ld, 1))
			g.launch("im2col", 1, 2, dimg, dcol, nb)
			sameBits(t, what+"im2col on a 1×2 grid", download(t, d, dcol), want)

			base := randn(rng, nb*size, 1)
			wantImg := append([]float32(nil), base...)
			for s := range nb {
				for r := range rows {
					copy(one[r*cols:][:cols], col[r*ld+s*cols:][:cols])
				}
				geo.Col2im(one, wantImg[s*size:][:size])
			}
			dcol, dimg = upload(t, d, col), upload(t, d, base)
			g.col2im(dcol, dimg, nb)
			sameBits(t, what+"col2im", download(t, d, dimg), wantImg)

			var lhs, rhs float64
			for k, v := range want {
				lhs += float64(v) * float64(col[k])
			}
			zero := upload(t, d, make([]float32, nb*size))
			g.col2im(dcol, zero, nb)
			for k, v := range download(t, d, zero) {
				rhs += float64(img[k]) * float64(v)
			}
			if math.Abs(lhs-rhs) > 1e-4*math.Max(1, math.Abs(lhs)) {
				t.Fatalf("%s<im2col(x), c> = %v but <x, col2im(c)> = %v", what, lhs, rhs)
			}
		}
	}

	for _, s := range [][3]int{{5, 3, 49}, {1, 64, 196}, {3, 1, 1}, {512, 1, 784}} {
		n, ch, plane := s[0], s[1], s[2]
		m, b, acc := randn(rng, n*ch*plane, 1), randn(rng, ch, 1), randn(rng, ch, 1)
		dm, db, dacc := upload(t, d, m), upload(t, d, b), upload(t, d, acc)
		addBias(d, dm, db, n, ch, plane)
		addRowSums(d, dacc, dm, n, ch, plane)
		sums := make([]float64, ch)
		for smp := range n {
			sm := m[smp*ch*plane:][:ch*plane]
			for r, v := range b { // shared/nn's addBias
				row := sm[r*plane : (r+1)*plane]
				for j := range row {
					row[j] += v
					sums[r] += float64(row[j])
				}
			}
		}
		sameBits(t, name("add_bias_nchw ", s), download(t, d, dm), m)
		rowSums := download(t, d, dacc)
		for r, got := range rowSums {
			want := float64(acc[r]) + sums[r]
			if math.Abs(float64(got)-want) > 1e-6*math.Max(1, math.Abs(want)) {
				t.Errorf("addRowSums %v: row %d is %v, want %v", s, r, got, want)
			}
		}
		// With grid rows fewer than the channels, blocks stride over
		// channels and give the same bits.
		maxGridY = 2
		d.zeroDoubles(d.scratch(0)) // no sums left from the run above
		dacc2 := upload(t, d, acc)
		addRowSums(d, dacc2, dm, n, ch, plane)
		maxGridY = 65535
		sameBits(t, name("addRowSums on 2 grid rows ", s), download(t, d, dacc2), rowSums)

		// swap_axes: (sample, channel, pixel) to (channel, sample, pixel)
		// and back.
		mat := upload(t, d, make([]float32, len(m)))
		swapAxes(d, mat, dm, n, ch, plane)
		wantMat := make([]float32, len(m))
		for i := range n {
			for j := range ch {
				copy(wantMat[(j*n+i)*plane:][:plane], m[(i*ch+j)*plane:][:plane])
			}
		}
		sameBits(t, name("swap_axes ", s), download(t, d, mat), wantMat)
		swapAxes(d, dm, mat, ch, n, plane)
		sameBits(t, name("swap_axes back ", s), download(t, d, dm), m)
		// On a 1×2 grid: blocks stride over blocks of src, threads over values.
		swapAxesOn(d, 1, 2, mat, dm, n, ch, plane)
		sameBits(t, name("swap_axes on a 1×2 grid ", s), download(t, d, mat), wantMat)
	}
}

// TestFits32: a buffer of 2^31 values or more is refused by the kernels
// that index in 32 bits, with a device error naming the kernel, instead of
// indexing out of bounds; 2^31 − 1 passes.
func TestFits32(t *testing.T) {
	d := testDevice(t)
	if !d.fits32("x", 1<<31-1) || d.check() != nil {
		t.Fatal("2^31 − 1 values refused")
	}
	if d.fits32("swap_axes", 1<<31) {
		t.Fatal("2^31 values accepted")
	}
	if err := d.check(); err == nil || !strings.Contains(err.Error(), "swap_axes") || !strings.Contains(err.Error(), "smaller batch") {
		t.Fatalf("error %v", err)
	}
}
