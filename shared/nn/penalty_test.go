package nn

import (
	"math"
	"math/rand/v2"
	"testing"
)

// productCounter counts the matrix products a network asks for.
type productCounter struct {
	Gemm
	n     int // products
	flops int // their multiply-adds
}

func (c *productCounter) Sgemm(tA, tB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, cc []float32, ldc int) {
	c.n++
	c.flops += m * n * k
	c.Gemm.Sgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, cc, ldc)
}

// TestGradPenaltySkipsZeroTangentProducts: for an energy of linear layers and
// piecewise-linear activations the output gradient's tangent stays zero
// down to the input, so GradPenalty asks for four products per linear layer
// (forward, input gradient, tangent, one weight-gradient tangent), not six;
// with tanh hidden activations (σ” ≠ 0) the tangent is not zero below the
// last hidden layer and the other products come back. The values are
// checked against finite differences by TestGradPenaltyGradient; this test
// guards the cost, which a lost shortcut would silently double.
func TestGradPenaltySkipsZeroTangentProducts(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, c := range []struct {
		act  LayerSpec
		want int
	}{
		{Activation(KindLeakyReLU, 0.2), 4 * 3},
		{Activation(KindReLU, 0), 4 * 3},
		// tanh: the last linear layer as above; the two below it add rdx
		// (the one above the input layer only) and rdy^T x.
		{Activation(KindTanh, 0), 4*3 + 1 + 2},
	} {
		net, err := New(MLP(7, []int{9, 5}, 1, c.act, "", true), rng)
		if err != nil {
			t.Fatal(err)
		}
		counter := &productCounter{Gemm: TiledGemm{}}
		net.SetGemm(counter)
		net.GradPenalty(randomBatch(rng, 6, 7), 6, 1)
		if counter.n != c.want {
			t.Errorf("%s energy: GradPenalty made %d products, want %d", c.act.Kind, counter.n, c.want)
		}
	}
	// A convolutional energy of LeakyReLUs: each layer's four products
	// (forward, input gradient, tangent, weight-gradient tangent) cost
	// what its forward product does, so the penalty's multiply-adds are
	// four times the forward pass's.
	conv := Spec{Layers: []LayerSpec{
		{Kind: KindConv2D, In: 2, Out: 4, Height: 8, Width: 8, Kernel: 4, Stride: 2, Padding: 1, SpectralNorm: true},
		{Kind: KindLeakyReLU, Slope: 0.2},
		{Kind: KindConvTranspose2D, In: 4, Out: 3, Height: 4, Width: 4, Kernel: 3, Stride: 1, Padding: 1, SpectralNorm: true},
		{Kind: KindLeakyReLU, Slope: 0.2},
		{Kind: KindConv2D, In: 3, Out: 5, Height: 4, Width: 4, Kernel: 4, Stride: 2, Padding: 1, SpectralNorm: true},
		{Kind: KindLeakyReLU, Slope: 0.2},
		{Kind: KindLinear, In: 5 * 2 * 2, Out: 1},
	}}
	net, err := New(conv, rng)
	if err != nil {
		t.Fatal(err)
	}
	counter := &productCounter{Gemm: TiledGemm{}}
	net.SetGemm(counter)
	x := randomBatch(rng, 6, conv.In())
	net.Forward(x, 6)
	forward := counter.flops
	counter.flops = 0
	net.GradPenalty(x, 6, 1)
	if counter.flops != 4*forward {
		t.Errorf("conv energy: GradPenalty made %d multiply-adds, want 4 × the forward pass's %d", counter.flops, forward)
	}
}

// TestGradPenaltyBetween: the penalty at the mix of the last Forward's two
// halves, with the first layer's outputs mixed instead of recomputed, gives
// the value and parameter gradient of GradPenalty at the mixed rows (which
// TestGradPenaltyGradient checks against the float64 reference) up to
// float32 rounding, on random dense and convolutional energies; it writes
// the mixed rows, and makes one product fewer than forming them and calling
// GradPenalty.
func TestGradPenaltyBetween(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for trial := range 24 {
		spec := randomSpec(rng, 1, trial%2 == 0)
		if trial%3 == 2 {
			spec = randomConvSpec(rng, trial, 1, false)
		}
		net, err := New(spec, rng)
		if err != nil {
			t.Fatal(err)
		}
		n, D := 1+rng.IntN(5), spec.In()
		xy := randomBatch(rng, 2*n, D)
		alpha := make([]float32, n)
		want := make([]float32, n*D)
		for i := range alpha {
			alpha[i] = float32(rng.Float64())
			for j := i * D; j < (i+1)*D; j++ {
				want[j] = alpha[i]*xy[j] + (1-alpha[i])*xy[n*D+j]
			}
		}
		const weight = 1.3
		counter := &productCounter{Gemm: TiledGemm{}}
		net.SetGemm(counter)
		net.ZeroGrad()
		pWant := net.GradPenalty(want, n, weight)
		gradsWant := gradsOf(net)
		productsWant := counter.n

		net.ZeroGrad()
		net.Forward(xy, 2*n)
		counter.n = 0
		xhat := make([]float32, n*D)
		p := net.GradPenaltyBetween(alpha, xhat, weight)
		for j := range want {
			if xhat[j] != want[j] {
				t.Fatalf("trial %d: xhat[%d] = %v, want %v", trial, j, xhat[j], want[j])
			}
		}
		if productsWant-counter.n != 1 {
			t.Errorf("trial %d: %d products, GradPenalty made %d", trial, counter.n, productsWant)
		}
		if math.Abs(p-pWant) > 1e-4*max(1, math.Abs(pWant)) {
			t.Fatalf("trial %d: penalty %v, at the mixed rows %v", trial, p, pWant)
		}
		for k, g := range gradsOf(net) {
			scale := 1e-3 * max(1, maxAbs64(gradsWant[k]))
			for j := range g {
				if math.Abs(g[j]-gradsWant[k][j]) > scale {
					t.Fatalf("trial %d: %s grad[%d] = %v, at the mixed rows %v", trial, net.Params()[k].Name, j, g[j], gradsWant[k][j])
				}
			}
		}
	}
}

// TestGradPenaltyBetweenNeedsTheStackedForward: called after a Forward of
// another number of rows, it refuses instead of mixing unrelated rows.
func TestGradPenaltyBetweenNeedsTheStackedForward(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	net, err := New(MLP(3, []int{4}, 1, Activation(KindLeakyReLU, 0.2), "", true), rng)
	if err != nil {
		t.Fatal(err)
	}
	net.Forward(randomBatch(rng, 5, 3), 5)
	defer func() {
		if recover() == nil {
			t.Fatal("no panic for 2 weights after a Forward of 5 rows")
		}
	}()
	net.GradPenaltyBetween(make([]float32, 2), make([]float32, 6), 1)
}

// gradsOf copies the parameters' gradients (finished: spectral
// normalisation mapped back) into float64.
func gradsOf(net *Network) [][]float64 {
	net.FinishGrads()
	var out [][]float64
	for _, p := range net.Params() {
		g := make([]float64, len(p.Grad))
		for i, v := range p.Grad {
			g[i] = float64(v)
		}
		out = append(out, g)
	}
	return out
}

func maxAbs64(x []float64) float64 {
	m := 0.0
	for _, v := range x {
		m = max(m, math.Abs(v))
	}
	return m
}
