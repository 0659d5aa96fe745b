package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// randomConv draws a convolution of kind k on c channels of h×w values
// with stride 1 + trial%2 and padding (trial/2)%2, its kernel drawn so that
// the spec is valid (a conv2d on an image too small for any such kernel
// becomes a transposed one).
func randomConv(rng *rand.Rand, trial int, k Kind, c, h, w int) LayerSpec {
	s, p := 1+trial%2, (trial/2)%2
	lo := max(s, 2*p, 1)
	hi := 4
	if k == KindConv2D && min(h, w)+2*p < lo {
		k = KindConvTranspose2D
	}
	if k == KindConv2D {
		hi = min(hi, h+2*p, w+2*p)
	}
	return LayerSpec{Kind: k, In: c, Out: 1 + rng.IntN(3), Height: h, Width: w,
		Kernel: lo + rng.IntN(hi-lo+1), Stride: s, Padding: p, SpectralNorm: rng.IntN(2) == 0}
}

// convShape is the output shape of a valid convolution spec.
func convShape(l LayerSpec) (c, h, w int) {
	if l.Kind == KindConv2D {
		g := conv2dGeom(l)
		return l.Out, g.oh, g.ow
	}
	g := convTransposeGeom(l)
	return l.Out, g.h, g.w
}

// randomConvSpec draws a small network with two convolutions on odd and
// even image sizes: an energy-like one (conv, activation, conv of either
// kind, linear) or, with base, a generator-like one (linear to C×H×W,
// transposed conv, activation, conv, optional tanh).
func randomConvSpec(rng *rand.Rand, trial, out int, base bool) Spec {
	c, h, w := 1+rng.IntN(3), 2+rng.IntN(5), 2+rng.IntN(5)
	act := LayerSpec{Kind: activationKinds[rng.IntN(len(activationKinds))]}
	if act.Kind == KindLeakyReLU {
		act.Slope = 0.2
	}
	if act.Kind == KindFloor {
		act.Floor = -0.3
	}
	var s Spec
	first := KindConv2D
	if base {
		in := 1 + rng.IntN(4)
		s.Layers = append(s.Layers, LayerSpec{Kind: KindLinear, In: in, Out: c * h * w})
		first = KindConvTranspose2D
	}
	l1 := randomConv(rng, trial, first, c, h, w)
	c, h, w = convShape(l1)
	second := []Kind{KindConv2D, KindConvTranspose2D}[rng.IntN(2)]
	if base {
		second = KindConv2D
	}
	l2 := randomConv(rng, trial/4, second, c, h, w)
	s.Layers = append(s.Layers, l1, act, l2)
	if base {
		s.Layers = append(s.Layers, LayerSpec{Kind: KindTanh})
		return s
	}
	return Spec{Layers: append(s.Layers, LayerSpec{Kind: KindLinear, In: s.Out(), Out: out})}
}

// TestConvGradients checks the convolutions' input gradient, parameter
// gradients (spectral normalisation included) and the gradient penalty's
// double backward against central differences of the float64 reference
// (convTaps64, written from the kinds' definitions), on random shapes with
// strides 1 and 2, padding 0 and 1, odd and even sizes.
func TestConvGradients(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	for trial := range 24 {
		base := trial%3 == 2
		out := 1 + rng.IntN(2)
		spec := randomConvSpec(rng, trial, out, base)
		if err := spec.Validate(); err != nil {
			t.Fatalf("trial %d: %v", trial, err)
		}
		what := fmt.Sprint("trial ", trial)
		checkInputGradient(t, what, rng, spec)
		checkParamGradient(t, what, rng, spec)
		if spec.Out() == 1 {
			checkGradPenalty(t, what, rng, spec)
		}
	}
}

// TestConvChunks repeats TestConvGradients' checks with column budgets so
// small that the passes lower batches of 1 to 4 samples in several
// chunks: of one sample each (budget 1), and of two or three with a
// shorter last one (a budget of 2.5 samples' column matrices of the first
// convolution; the second's chunks differ), so that every pass's offsets
// into a batch are checked.
func TestConvChunks(t *testing.T) {
	defer func(b int) { convColumnBudget = b }(convColumnBudget)
	rng := rand.New(rand.NewPCG(25, 26))
	for trial := range 24 {
		base := trial%3 == 2
		spec := randomConvSpec(rng, trial, 1+rng.IntN(2), base)
		for spec.Validate() != nil { // a draw whose second layer gives no output
			spec = randomConvSpec(rng, trial, 1+rng.IntN(2), base)
		}
		convColumnBudget = 1
		if trial%2 == 1 {
			g := spec.Layers[0].ConvGeometry()
			if base {
				g = spec.Layers[1].ConvGeometry()
			}
			convColumnBudget = 5 * g.C * g.K * g.K * g.OH * g.OW / 2
		}
		what := fmt.Sprint("trial ", trial, ", column budget ", convColumnBudget)
		checkInputGradient(t, what, rng, spec)
		checkParamGradient(t, what, rng, spec)
		if spec.Out() == 1 {
			checkGradPenalty(t, what, rng, spec)
		}
	}
}

// TestConvChunkSizes: the chunks are the fewest within the budget, and
// balanced.
func TestConvChunkSizes(t *testing.T) {
	defer func(b int) { convColumnBudget = b }(convColumnBudget)
	convColumnBudget = 83
	for _, c := range []struct{ n, per, want int }{
		{64, 1, 64}, {128, 1, 64}, {83, 1, 83}, {84, 1, 42}, {3, 1, 3},
		{5, 100, 1}, {5, 40, 2}, {1, 1000, 1},
	} {
		if got := convChunk(c.n, c.per); got != c.want {
			t.Errorf("convChunk(%d, %d) with budget 83 = %d, want %d", c.n, c.per, got, c.want)
		}
	}
}

// TestConvForward compares the forward pass with the reference's values
// on a DCGAN-like pair of layers (stride 2, padding 1, kernel 4).
func TestConvForward(t *testing.T) {
	rng := rand.New(rand.NewPCG(23, 24))
	for _, spec := range []Spec{
		{Layers: []LayerSpec{{Kind: KindConv2D, In: 2, Out: 3, Height: 9, Width: 8, Kernel: 4, Stride: 2, Padding: 1, SpectralNorm: true}}},
		{Layers: []LayerSpec{{Kind: KindConvTranspose2D, In: 3, Out: 2, Height: 4, Width: 5, Kernel: 4, Stride: 2, Padding: 1}}},
	} {
		net, err := New(spec, rng)
		if err != nil {
			t.Fatal(err)
		}
		x := randomBatch(rng, 3, spec.In())
		y := net.Forward(x, 3)
		ref := newRef64(net)
		for i := range 3 {
			want, _ := ref.forward(row64(x, i, spec.In()))
			if len(want) != spec.Out() {
				t.Fatalf("%s: reference gives %d values, spec %d", spec.Layers[0].Kind, len(want), spec.Out())
			}
			for j, v := range want {
				closeTo(t, fmt.Sprintf("%s y[%d][%d]", spec.Layers[0].Kind, i, j), y[i*spec.Out()+j], v, maxAbs(want))
			}
		}
	}
}

// TestConvValidate: every field of a convolution and of batchnorm is
// checked with an error that names it, and so is an image read as another
// shape.
func TestConvValidate(t *testing.T) {
	ok := LayerSpec{Kind: KindConv2D, In: 1, Out: 4, Height: 28, Width: 28, Kernel: 4, Stride: 2, Padding: 1}
	if err := (Spec{Layers: []LayerSpec{ok}}).Validate(); err != nil {
		t.Fatal(err)
	}
	if got := (Spec{Layers: []LayerSpec{ok}}).Out(); got != 4*14*14 {
		t.Fatalf("28×28, kernel 4, stride 2, padding 1: width %d, want 4×14×14", got)
	}
	tr := LayerSpec{Kind: KindConvTranspose2D, In: 4, Out: 1, Height: 14, Width: 14, Kernel: 4, Stride: 2, Padding: 1}
	if got := (Spec{Layers: []LayerSpec{tr}}).Out(); got != 28*28 {
		t.Fatalf("transposed 14×14, kernel 4, stride 2, padding 1: width %d, want 28×28", got)
	}
	// After a linear layer any shape of the right size is read; after a
	// convolution, the shape it gives, through activations and batchnorm.
	for _, good := range []Spec{
		{Layers: []LayerSpec{{Kind: KindLinear, In: 2, Out: 784}, ok}},
		{Layers: []LayerSpec{{Kind: KindLinear, In: 2, Out: 784}, {Kind: KindBatchNorm, Channels: 16}, {Kind: KindConvTranspose2D, In: 16, Out: 1, Height: 7, Width: 7, Kernel: 4, Stride: 2, Padding: 1}}},
		{Layers: []LayerSpec{ok, {Kind: KindBatchNorm, Channels: 4}, {Kind: KindLeakyReLU, Slope: 0.2}, {Kind: KindConv2D, In: 4, Out: 2, Height: 14, Width: 14, Kernel: 4, Stride: 2, Padding: 1}, {Kind: KindLinear, In: 98, Out: 1}}},
	} {
		if err := good.Validate(); err != nil {
			t.Errorf("%+v: %v", good.Layers, err)
		}
	}
	with := func(l LayerSpec, f func(*LayerSpec)) LayerSpec { f(&l); return l }
	for _, c := range []struct {
		spec Spec
		want string
	}{
		{Spec{Layers: []LayerSpec{with(ok, func(l *LayerSpec) { l.Stride = 0 })}}, "stride 0"},
		{Spec{Layers: []LayerSpec{with(ok, func(l *LayerSpec) { l.Stride = 5 })}}, "stride 5"},
		{Spec{Layers: []LayerSpec{with(ok, func(l *LayerSpec) { l.Padding = -1 })}}, "padding -1"},
		{Spec{Layers: []LayerSpec{with(ok, func(l *LayerSpec) { l.Padding = 3 })}}, "padding 3"},
		{Spec{Layers: []LayerSpec{with(ok, func(l *LayerSpec) { l.Kernel = 0 })}}, "kernel 0"},
		{Spec{Layers: []LayerSpec{with(ok, func(l *LayerSpec) { l.Kernel = MaxKernel + 2; l.Stride = 1 })}}, "kernel 66"},
		{Spec{Layers: []LayerSpec{with(ok, func(l *LayerSpec) { l.Height = 2; l.Padding = 0 })}}, "larger than the padded input"},
		{Spec{Layers: []LayerSpec{with(ok, func(l *LayerSpec) { l.Height = 0 })}}, "height and width"},
		{Spec{Layers: []LayerSpec{with(ok, func(l *LayerSpec) { l.Width = MaxDim + 1 })}}, "height and width"},
		{Spec{Layers: []LayerSpec{with(ok, func(l *LayerSpec) { l.In = 0 })}}, "channels"},
		{Spec{Layers: []LayerSpec{with(ok, func(l *LayerSpec) { l.In = 256; l.Height, l.Width = 256, 256 })}}, "more than 65536"},
		{Spec{Layers: []LayerSpec{with(ok, func(l *LayerSpec) { l.Out = 512 })}}, "gives width 100352"},
		{Spec{Layers: []LayerSpec{with(ok, func(l *LayerSpec) { l.Channels = 3 })}}, "takes no channels"},
		{Spec{Layers: []LayerSpec{with(tr, func(l *LayerSpec) { l.Height, l.Width, l.Kernel, l.Stride, l.Padding = 1, 1, 2, 1, 1 })}}, "gives no output"},
		{Spec{Layers: []LayerSpec{{Kind: KindLinear, In: 2, Out: 783}, ok}}, "the layer before gives 783"},
		{Spec{Layers: []LayerSpec{{Kind: KindLinear, In: 2, Out: 3, Kernel: 3}}}, "takes no image size"},
		// 4×14×14 read as 16×7×7 (the same 784 values), through an activation.
		{Spec{Layers: []LayerSpec{ok, {Kind: KindReLU}, {Kind: KindConv2D, In: 16, Out: 2, Height: 7, Width: 7, Kernel: 3, Stride: 1, Padding: 1}}},
			"reads its input as 16×7×7 but the layers before give an image of 4×14×14"},
		{Spec{Layers: []LayerSpec{ok, {Kind: KindBatchNorm, Channels: 28}}}, "batchnorm of 28 channels after an image of 4×14×14"},
		{Spec{Layers: []LayerSpec{{Kind: KindLinear, In: 2, Out: 6}, {Kind: KindBatchNorm, Channels: 4}}}, "cannot split the 6 values"},
		{Spec{Layers: []LayerSpec{{Kind: KindLinear, In: 2, Out: 6}, {Kind: KindBatchNorm}}}, "batchnorm channels 0"},
	} {
		err := c.spec.Validate()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: error %v, want one containing %q", c.spec.Layers, err, c.want)
		}
	}
}

// TestIm2col compares Im2col with its definition, col[(c, i, j), (a, b)] =
// x[c, a·s + i − p, b·s + j − p] (0 in the padding), and Col2im with the
// sum of the entries read from each image value, on random geometries with
// strides 1 to 4 and every padding up to k/2, written into and read from a column block of a wider
// matrix as the layers do.
func TestIm2col(t *testing.T) {
	rng := rand.New(rand.NewPCG(27, 28))
	for trial := range 200 {
		k := 1 + rng.IntN(5)
		l := LayerSpec{Kind: KindConv2D, In: 1 + rng.IntN(3), Out: 1, Height: 1 + rng.IntN(9), Width: 1 + rng.IntN(9),
			Kernel: k, Stride: 1 + rng.IntN(min(k, 4)), Padding: rng.IntN(k/2 + 1)}
		if convCheck(0, l, 0) != nil {
			continue
		}
		g := conv2dGeom(l)
		img := randomBatch(rng, 1, g.size())
		ld, off := 3*g.cols(), g.cols() // the middle block of three
		col := randomBatch(rng, 1, g.rows()*ld)
		u := newUnfolder(g)
		u.im2col(img, col[off:], ld)
		back := randomBatch(rng, 1, g.size()) // col2im adds into what is there
		want := make([]float64, g.size())
		for i, v := range back {
			want[i] = float64(v)
		}
		for c := range g.c {
			for i := range g.k {
				for j := range g.k {
					for a := range g.oh {
						for b := range g.ow {
							r, q := (c*g.k+i)*g.k+j, a*g.ow+b
							y, x := a*g.s+i-g.p, b*g.s+j-g.p
							var v float32
							if y >= 0 && y < g.h && x >= 0 && x < g.w {
								v = img[(c*g.h+y)*g.w+x]
								want[(c*g.h+y)*g.w+x] += float64(col[r*ld+off+q])
							}
							if got := col[r*ld+off+q]; got != v {
								t.Fatalf("trial %d %+v: col[%d][%d] = %v, want %v", trial, g, r, q, got, v)
							}
						}
					}
				}
			}
		}
		u.col2im(col[off:], ld, back)
		for i, v := range want {
			if math.Abs(float64(back[i])-v) > 1e-5*(1+math.Abs(v)) {
				t.Fatalf("trial %d %+v: col2im gives %v at %d, want %v", trial, g, back[i], i, v)
			}
		}
	}
}
