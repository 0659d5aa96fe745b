//go:build cuda

package cuda

import (
	"math"
	"math/rand/v2"
	"testing"
	"unsafe"

	"github.com/gebm/gebm/shared/kale"
	"github.com/gebm/gebm/shared/nn"
)

// Each kernel against the CPU's arithmetic. Where the CPU's code is
// unexported (shared/nn's layers), the reference here repeats its
// formulas line for line; network_test.go then checks whole networks
// against shared/nn itself.

// TestGemm: both matrix products against float64 sums, within the
// standard bound for float32 dot products in any order,
// |c - exact| <= 2(k+2)·2⁻²⁴·(|α| Σ_l |a_il b_lj| + |β c_ij|) (+1e-30),
// on random shapes, all transposes, strides larger than the width, and
// the MNIST training shapes. TF32 (which cuBLAS leaves off unless asked)
// would fail the bound.
// TestSplitK: the number of k slices for a product is 1 when C's tiles
// fill the GPU or k is short, else enough for about two blocks per
// multiprocessor, no slice shorter than splitKSlice.
func TestSplitK(t *testing.T) {
	for _, c := range []struct{ tiles, k, sms, want int }{
		{132, 100000, 132, 1}, {10, 2047, 132, 1}, {128, 25088, 132, 3}, {2, 100352, 132, 132},
		{2, 4096, 132, 8}, {1, 3000, 2, 4}, {1, 2048, 2, 4},
	} {
		if got := splitK(c.tiles, c.k, c.sms); got != c.want {
			t.Errorf("splitK(%d tiles, k %d, %d SMs) = %d, want %d", c.tiles, c.k, c.sms, got, c.want)
		}
	}
}

// TestGemmTile: the tile is the largest whose tiles fill the GPU; under
// split-K, the largest C's shorter side fills; else 32.
func TestGemmTile(t *testing.T) {
	for _, c := range []struct{ m, n, k, sms, want int }{
		{128, 25088, 1024, 132, 128}, {1024, 25088, 128, 132, 128}, {512, 784, 512, 132, 32},
		{512, 2048, 256, 132, 64}, {128, 1024, 25088, 132, 128}, {64, 16, 100352, 132, 32},
		{64, 64, 100352, 132, 64}, {3, 5, 3000, 2, 32}, {128, 784, 512, 2, 128},
	} {
		if got := gemmTile(c.m, c.n, c.k, c.sms); got != c.want {
			t.Errorf("gemmTile(%d, %d, %d, %d SMs) = %d, want %d", c.m, c.n, c.k, c.sms, got, c.want)
		}
	}
}

func TestGemm(t *testing.T) {
	d := testDevice(t)
	rng := rand.New(rand.NewPCG(1, 2))
	type shape struct{ m, n, k int }
	// Long k under few tiles takes split-K (splitK): k a multiple of BK
	// and not, slices ending mid-tile; one tile each in the emulation (two
	// multiprocessors), up to two tiles on a GPU, where the last shape
	// takes 128×128 tiles cut into 5 slices.
	shapes := []shape{{128, 512, 784}, {128, 784, 512}, {512, 784, 128}, {256, 1, 256}, {1, 1, 1}, {65, 33, 17},
		{3, 5, 3000}, {20, 16, 4096}, {40, 7, 5001}, {130, 140, 3000}}
	for range 40 {
		shapes = append(shapes, shape{1 + rng.IntN(150), 1 + rng.IntN(150), 1 + rng.IntN(200)})
	}
	for _, g := range testGemms(t, d) {
		for trial, s := range shapes {
			tA, tB := trial%2 == 1, trial/2%2 == 1
			pad := trial % 3 // extra stride
			ar, ac := s.m, s.k
			if tA {
				ar, ac = s.k, s.m
			}
			br, bc := s.k, s.n
			if tB {
				br, bc = s.n, s.k
			}
			lda, ldb, ldc := ac+pad, bc+pad, s.n+pad
			a, b, c := randn(rng, ar*lda, 1), randn(rng, br*ldb, 1), randn(rng, s.m*ldc, 1)
			alpha, beta := float32(0.7), float32(0.3)
			if trial%5 == 0 {
				beta = 0
				for i := range c {
					c[i] = float32(math.NaN()) // beta 0 must ignore C
				}
			}
			da, db, dc := upload(t, d, a), upload(t, d, b), upload(t, d, c)
			g.Sgemm(tA, tB, s.m, s.n, s.k, alpha, da, lda, db, ldb, beta, dc, ldc)
			if err := g.Err(); err != nil {
				t.Fatal(err)
			}
			got := download(t, d, dc)
			exacts, abss := nn.ReferenceGemm(tA, tB, s.m, s.n, s.k, alpha, a, lda, b, ldb, beta, c, ldc)
			for i := 0; i < s.m; i++ {
				for j := 0; j < s.n; j++ {
					exact, abs := exacts[i*s.n+j], abss[i*s.n+j]
					bound := 2*float64(s.k+2)*0x1p-24*abs + 1e-30
					if e := math.Abs(float64(got[i*ldc+j]) - exact); !(e <= bound) {
						t.Fatalf("%s %c%c %dx%dx%d: C[%d,%d] = %v, exact %v, error %.3g > bound %.3g",
							g.Name(), op(tA), op(tB), s.m, s.n, s.k, i, j, got[i*ldc+j], exact, e, bound)
					}
				}
				for j := s.n; j < ldc; j++ { // padding untouched
					if math.Float32bits(got[i*ldc+j]) != math.Float32bits(c[i*ldc+j]) {
						t.Fatalf("%s: C[%d,%d] in the stride padding was written", g.Name(), i, j)
					}
				}
			}
		}
	}
}

// TestLinearKernels: bias and column sums, bit for bit against the loops
// of shared/nn/linear.go.
func TestLinearKernels(t *testing.T) {
	d := testDevice(t)
	rng := rand.New(rand.NewPCG(3, 4))
	for _, s := range [][2]int{{128, 784}, {256, 1}, {3, 5}, {1000, 37}} {
		n, cols := s[0], s[1]
		y, b, acc := randn(rng, n*cols, 1), randn(rng, cols, 1), randn(rng, cols, 1)
		dy, db, dacc := upload(t, d, y), upload(t, d, b), upload(t, d, acc)
		d.elementwise("bias_add", n*cols, ptr(dy), ptr(db), i64(n), i64(cols))
		d.elementwise("add_column_sums", cols, ptr(dacc), ptr(dy), i64(n), i64(cols))
		for i := 0; i < n; i++ {
			for j := 0; j < cols; j++ {
				y[i*cols+j] += b[j]
			}
		}
		for i := 0; i < n; i++ {
			for j, v := range y[i*cols : (i+1)*cols] {
				acc[j] += v
			}
		}
		sameBits(t, name("bias_add ", n, "x", cols), download(t, d, dy), y)
		sameBits(t, name("add_column_sums ", n, "x", cols), download(t, d, dacc), acc)
	}
}

// refActivation repeats shared/nn/activation.go, except tanh's forward:
// the kernel computes CUDA's tanh in double, so its reference is
// math.Tanh, not the CPU's nn.Tanh32 (which is within one ulp of it, and
// which the network tests compare the kernel against, within tolerances).
type refActivation struct {
	kind  int
	slope float32
}

func (a refActivation) forward(x float32) float32 {
	switch a.kind {
	case kindTanh:
		return float32(math.Tanh(float64(x)))
	case kindSigmoid:
		return float32(1 / (1 + math.Exp(-float64(x))))
	case kindFloor:
		return max(x, a.slope)
	}
	if x > 0 {
		return x
	}
	return a.slope * x
}

func (a refActivation) deriv(x, y float32) float32 {
	switch a.kind {
	case kindTanh:
		return 1 - y*y
	case kindSigmoid:
		return y * (1 - y)
	case kindFloor:
		if x > a.slope {
			return 1
		}
		return 0
	}
	if x > 0 {
		return 1
	}
	return a.slope
}

func (a refActivation) second(y float32) float32 {
	switch a.kind {
	case kindTanh:
		return -2 * y * (1 - y*y)
	case kindSigmoid:
		return y * (1 - y) * (1 - 2*y)
	}
	return 0
}

// TestActivationKernels: the four passes of every kind. Given the same
// inputs the passes after forward are bit-identical to the CPU's; forward
// of tanh and the logistic goes through CUDA's double tanh and exp
// instead of Go's, and may differ by one unit in the last place.
func TestActivationKernels(t *testing.T) {
	d := testDevice(t)
	rng := rand.New(rand.NewPCG(5, 6))
	const n = 10000
	x := randn(rng, n, 3)
	x[0], x[1], x[2] = 0, float32(math.Copysign(0, -1)), 40
	rx, dy, rdy := randn(rng, n, 1), randn(rng, n, 1), randn(rng, n, 1)
	for _, a := range []refActivation{{kindLeaky, 0.2}, {kindLeaky, 0}, {kindTanh, 0}, {kindSigmoid, 0}, {kindFloor, -0.5}} {
		y, dx, ry, rdx := make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n)
		for i, v := range x {
			y[i] = a.forward(v)
		}
		for i := range x {
			der := a.deriv(x[i], y[i])
			dx[i] = der * dy[i]
			ry[i] = der * rx[i]
			rdx[i] = der * rdy[i]
			if a.kind == kindTanh || a.kind == kindSigmoid {
				rdx[i] += a.second(y[i]) * rx[i] * dy[i]
			}
		}
		gx, gy, grx, gdy, grdy := upload(t, d, x), upload(t, d, y), upload(t, d, rx), upload(t, d, dy), upload(t, d, rdy)
		out := upload(t, d, make([]float32, n))
		act := &activation{d: d, kind: a.kind, slope: float64(a.slope)}
		what := name("kind ", a.kind, " slope ", a.slope, ": ")
		act.forward(nil, gx, out, n)
		withinULPs(t, what+"forward", download(t, d, out), y, 1)
		act.backward(nil, gx, gy, gdy, out, n, false)
		sameBits(t, what+"backward", download(t, d, out), dx)
		act.tangent(nil, gx, gy, grx, out, n)
		sameBits(t, what+"tangent", download(t, d, out), ry)
		act.backwardTangent(nil, gx, gy, grx, gdy, grdy, out, n)
		sameBits(t, what+"backward tangent", download(t, d, out), rdx)
	}

	// A kind number the kernels do not know gives NaN in every pass, not
	// another kind's values.
	gx, gy := upload(t, d, x), upload(t, d, x)
	out := upload(t, d, make([]float32, n))
	act := &activation{d: d, kind: kindFloor + 1}
	for pass, run := range map[string]func(){
		"forward":          func() { act.forward(nil, gx, out, n) },
		"backward":         func() { act.backward(nil, gx, gy, gx, out, n, false) },
		"tangent":          func() { act.tangent(nil, gx, gy, gx, out, n) },
		"backward tangent": func() { act.backwardTangent(nil, gx, gy, gx, gx, gx, out, n) },
	} {
		run()
		for i, v := range download(t, d, out) {
			if !math.IsNaN(float64(v)) {
				t.Fatalf("unknown kind, %s: element %d is %v, want NaN", pass, i, v)
			}
		}
	}
}

// TestPenaltyKernels: x̂ = α x + (1-α) y (native/train/cpu.go), the tangent
// seed s·g, the base step's row weights and the soft clip, bit for bit.
func TestPenaltyKernels(t *testing.T) {
	d := testDevice(t)
	rng := rand.New(rand.NewPCG(7, 8))
	const n, dim = 128, 784
	x, y, alpha, w := randn(rng, n*dim, 1), randn(rng, n*dim, 1), make([]float32, n), make([]float32, n)
	for i := range alpha {
		alpha[i], w[i] = float32(rng.Float64()), float32(rng.Float64())
	}
	xhat, scaled, rows := make([]float32, n*dim), make([]float32, n*dim), make([]float32, n*dim)
	s := float32(2 * 0.7 / float64(n))
	for i := 0; i < n; i++ {
		for j := i * dim; j < (i+1)*dim; j++ {
			xhat[j] = alpha[i]*x[j] + (1-alpha[i])*y[j]
			scaled[j] = s * x[j]
			rows[j] = w[i] * x[j]
		}
	}
	gx, gy, ga, gw, out := upload(t, d, x), upload(t, d, y), upload(t, d, alpha), upload(t, d, w), upload(t, d, make([]float32, n*dim))
	d.elementwise("interpolate", n*dim, ptr(gx), ptr(gy), ptr(ga), ptr(out), i64(n), i64(dim))
	sameBits(t, "interpolate", download(t, d, out), xhat)
	d.elementwise("scale", n*dim, ptr(gx), f64(float64(s)), ptr(out), i64(n*dim))
	sameBits(t, "scale", download(t, d, out), scaled)
	d.elementwise("scale_rows", n*dim, ptr(gx), ptr(gw), ptr(out), i64(n), i64(dim))
	sameBits(t, "scale_rows", download(t, d, out), rows)

	g := randn(rng, 5000, 10)
	clipped := make([]float32, len(g))
	for i, v := range g {
		clipped[i] = 2 * v / (1 + v*v)
	}
	gg := upload(t, d, g)
	d.elementwise("soft_clip", len(g), ptr(gg), i64(len(g)))
	sameBits(t, "soft_clip", download(t, d, gg), clipped)
}

// TestSpectralProducts: spectral normalisation's matrix-vector products,
// v = Wᵀu and t = W v, bit for bit against shared/nn's loops (Wᵀu summed
// over the rows in order; W v in dot4's four partial sums, remainder in
// the first), for a row of 6272 (the MNIST conv energy's last layer),
// 128×1024 (its second convolution), and lengths that leave remainders
// and partial warps' chunks.
func TestSpectralProducts(t *testing.T) {
	d := testDevice(t)
	rng := rand.New(rand.NewPCG(31, 32))
	for _, s := range [][2]int{{1, 6272}, {128, 1024}, {3, 37}, {5, 66}, {64, 16}, {2, 3}, {40, 1}} {
		out, in := s[0], s[1]
		w, u, v := randn(rng, out*in, 1), randn(rng, out, 1), randn(rng, in, 1)
		wantV := make([]float32, in)
		for i := range out {
			for j := range in {
				wantV[j] += u[i] * w[i*in+j]
			}
		}
		wantT := make([]float32, out)
		for i := range out {
			var s0, s1, s2, s3 float32
			row, j := w[i*in:(i+1)*in], 0
			for ; j+4 <= in; j += 4 {
				s0 += row[j] * v[j]
				s1 += row[j+1] * v[j+1]
				s2 += row[j+2] * v[j+2]
				s3 += row[j+3] * v[j+3]
			}
			for ; j < in; j++ {
				s0 += row[j] * v[j]
			}
			wantT[i] = (s0 + s1) + (s2 + s3)
		}
		dw, du, dv := upload(t, d, w), upload(t, d, u), upload(t, d, v)
		gotV, gotT := upload(t, d, make([]float32, in)), upload(t, d, make([]float32, out))
		d.elementwise("sn_wt_u", in, ptr(dw), ptr(du), ptr(gotV), i64(out), i64(in))
		d.elementwise("sn_w_v", 32*out, ptr(dw), ptr(dv), ptr(gotT), i64(out), i64(in))
		sameBits(t, name("sn_wt_u ", s), download(t, d, gotV), wantV)
		sameBits(t, name("sn_w_v ", s), download(t, d, gotT), wantT)
	}
}

// TestReductions: sums of squares and dot products in double against Go's
// float64 sums (relative 1e-12: only the order of the additions differs).
func TestReductions(t *testing.T) {
	d := testDevice(t)
	rng := rand.New(rand.NewPCG(9, 10))
	out := d.allocDoubles(2)
	defer d.freeDoubles(out)
	for _, n := range []int{1, 255, 4097, 100000, 3000000} {
		x, y := randn(rng, n, 1), randn(rng, n, 1)
		var ss, dt float64
		for i := range x {
			ss += float64(x[i]) * float64(x[i])
			dt += float64(x[i]) * float64(y[i])
		}
		gx, gy := upload(t, d, x), upload(t, d, y)
		d.sumSquares(gx, 0.5, out.At(0))
		d.dot(gx, gy, out.At(1))
		got := downloadD(t, d, out)
		nearF(t, name("sumsq ", n), got[0], 0.5*ss, 1e-12)
		nearF(t, name("dot ", n), got[1], dt, 1e-12)
	}
}

// TestEnergyLossKernel against kale.EnergyLoss, including overflowing
// exponentials (saturated gradients), infinite and NaN energies, and
// unequal batch sizes. L and dA are float64 sums in another order
// (relative 1e-12); gradients are the same float64 rounded to float32
// through CUDA's exp rather than Go's (1 ulp).
func TestEnergyLossKernel(t *testing.T) {
	d := testDevice(t)
	rng := rand.New(rand.NewPCG(11, 12))
	inf, nan := float32(math.Inf(1)), float32(math.NaN())
	cases := []struct {
		name   string
		ep, eq []float32
		a      float32
	}{
		{"normal", randn(rng, 128, 1), randn(rng, 128, 1), 0.3},
		{"unequal", randn(rng, 100, 2), randn(rng, 3000, 2), -1.5},
		{"overflow", randn(rng, 64, 1), append(randn(rng, 63, 1), -200), 0},
		{"all overflow", randn(rng, 8, 1), []float32{-300, -400, -500}, 0},
		{"+inf energy", randn(rng, 8, 1), []float32{1, inf, 2}, 0},
		{"-inf energy", randn(rng, 8, 1), []float32{1, -inf, 2}, 0},
		{"all +inf", randn(rng, 8, 1), []float32{inf, inf}, 0},
		{"nan energy", randn(rng, 8, 1), []float32{1, nan, 2}, 0},
		{"nan data", []float32{1, nan}, randn(rng, 8, 1), 0},
	}
	out := d.allocDoubles(4)
	defer d.freeDoubles(out)
	for _, c := range cases {
		gp, gq := make([]float32, len(c.ep)), make([]float32, len(c.eq))
		loss, dA := kale.EnergyLoss(c.ep, c.eq, float64(c.a), gp, gq)
		var sp, sq float64
		for _, v := range c.ep {
			sp += float64(v)
		}
		for _, v := range c.eq {
			sq += float64(v)
		}
		dep, deq, da := upload(t, d, c.ep), upload(t, d, c.eq), upload(t, d, []float32{c.a})
		dgp, dgq, dga := upload(t, d, make([]float32, len(gp))), upload(t, d, make([]float32, len(gq))), upload(t, d, []float32{0})
		d.energyLoss(dep, deq, da, dgp, dgq, dga, out.Range(0, 2), out.Range(2, 4))
		got := downloadD(t, d, out)
		nearF(t, c.name+": L", got[0], loss, 1e-12)
		nearF(t, c.name+": dA", got[1], dA, 1e-12)
		nearF(t, c.name+": mean ep", got[2], sp/float64(len(c.ep)), 1e-12)
		nearF(t, c.name+": mean eq", got[3], sq/float64(len(c.eq)), 1e-12)
		sameBits(t, c.name+": gp", download(t, d, dgp), gp)
		withinULPs(t, c.name+": gq", download(t, d, dgq), gq, 1)
		withinULPs(t, c.name+": grad A", download(t, d, dga), []float32{float32(dA)}, 1)
	}
}

// TestImportanceWeights against the CPU backend's BaseStep: Â, the
// effective sample size and the shifted sum Σ exp(-e_i - max(-e)) =
// B exp(Â - max(-e)) that the device checks for finiteness come from the
// model's weights (kale.ImportanceWeights) whatever the tilt γ; the
// weights written are kale.ImportanceWeights's for γ = 1 and
// kale.TiltedWeights's softmax(-γe) for the others.
func TestImportanceWeights(t *testing.T) {
	d := testDevice(t)
	rng := rand.New(rand.NewPCG(13, 14))
	out := d.allocDoubles(3)
	defer d.freeDoubles(out)
	for _, e := range [][]float32{randn(rng, 128, 1), randn(rng, 1000, 30), {5}, append(randn(rng, 50, 1), -500)} {
		B := len(e)
		w64 := make([]float64, B)
		aHat, ess := kale.ImportanceWeights(e, w64)
		maxv := math.Inf(-1)
		for _, v := range e {
			maxv = math.Max(maxv, -float64(v))
		}
		de := upload(t, d, e)
		for _, gamma := range []float64{1, 0.5, 0, 0.3, 2} {
			if gamma != 1 {
				kale.TiltedWeights(e, gamma, make([]float32, B), w64)
			}
			w := make([]float32, B)
			for i := range w {
				w[i] = float32(w64[i])
			}
			dw := upload(t, d, make([]float32, B))
			d.importanceWeights(de, gamma, dw, out.Range(0, 2), out.At(2))
			got := downloadD(t, d, out)
			what := name("B ", B, ", γ ", gamma, ": ")
			nearF(t, what+"sum", got[0], float64(B)*math.Exp(aHat-maxv), 1e-12)
			nearF(t, what+"Â", got[1], aHat, 1e-12)
			nearF(t, what+"ESS", got[2], ess, 1e-12)
			withinULPs(t, what+"w", download(t, d, dw), w, 1)
		}
	}
}

// TestAdamKernel: three steps of the device Adam against nn.Adam, bit for
// bit, with a learning-rate change between steps; then a step whose guard
// holds a NaN changes nothing.
func TestAdamKernel(t *testing.T) {
	d := testDevice(t)
	rng := rand.New(rand.NewPCG(15, 16))
	mk := func() []*nn.Param {
		r := rand.New(rand.NewPCG(1, 1))
		return []*nn.Param{
			{Name: "w", Shape: []int{300, 7}, Value: randn(r, 2100, 1), Grad: make([]float32, 2100)},
			{Name: "b", Shape: []int{1}, Value: randn(r, 1, 1), Grad: make([]float32, 1)},
		}
	}
	hostP, devP := mk(), mk()
	host := nn.NewAdam(hostP, 1e-3, 0.5, 0.999, 1e-8)
	mirror := nn.NewAdam(devP, 1e-3, 0.5, 0.999, 1e-8)
	p, g := upload(t, d, gather(devP)), upload(t, d, make([]float32, 2101))
	a := NewAdam(d, mirror, p, g)
	defer a.Free()
	guard := d.allocDoubles(2)
	defer d.freeDoubles(guard)
	for step := range 3 {
		grads := randn(rng, 2101, 1e-2)
		grads[5] = 0
		copy(hostP[0].Grad, grads)
		copy(hostP[1].Grad, grads[2100:])
		d.Upload(g, grads)
		host.LR = 1e-3 * math.Pow(0.8, float64(step))
		host.Update()
		a.Update(host.LR, guard)
		mirror.Step++
		sameBits(t, name("step ", step, " params"), download(t, d, p), gather(hostP))
	}
	if err := a.Download(); err != nil {
		t.Fatal(err)
	}
	hs, ms := host.StateTensors(), mirror.StateTensors()
	for i := range hs {
		sameBits(t, hs[i].Name, ms[i].Value, hs[i].Value)
	}
	before := download(t, d, p)
	d.Upload(g, randn(rng, 2101, 1))
	bad := d.allocDoubles(2)
	defer d.freeDoubles(bad)
	guardValues := []float64{0, math.NaN()}
	d.fail(drvHtoD(bad.ptr, unsafe.Pointer(&guardValues[0]), 16))
	a.Update(1e-3, bad)
	sameBits(t, "params after a guarded step", download(t, d, p), before)
}
