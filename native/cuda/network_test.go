//go:build cuda

package cuda

import (
	"errors"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/gebm/gebm/shared/nn"
)

// Tolerances of the network passes against shared/nn, relative to the
// largest element of each tensor (see relErr): the matrix products add in
// another order than the CPU's (and cuBLAS's order is its own), so float32
// results differ by a few units of 2⁻²⁴ times √k per product, compounded
// over the layers. Measured differences are far below these.
const (
	tolForward  = 1e-5 // outputs, input gradients
	tolGrad     = 1e-4 // parameter gradients (products over the batch)
	tolPenalty  = 2e-4 // gradients of the gradient penalty (second order)
	tolSpectral = 1e-5 // u, v after power iteration
)

type netCase struct {
	name string
	spec nn.Spec
	rows int
}

// floored ends spec with the energy's lower clamp max(·, c).
func floored(spec nn.Spec, c float64) nn.Spec {
	spec.Layers = append(spec.Layers, nn.LayerSpec{Kind: nn.KindFloor, Floor: c})
	return spec
}

// netCases are the networks the device passes are checked on: the
// trainer's shapes, and one network per registered layer kind
// (nn.SpecWithKind), so that a kind without kernels fails here unless
// hostOnly refuses it on purpose (TestHostOnlyKinds).
func netCases() []netCase {
	var cs []netCase
	for _, k := range nn.Kinds() {
		if _, ok := hostOnly[k]; ok {
			continue
		}
		cs = append(cs, netCase{"kind-" + string(k), nn.SpecWithKind(k, 6, 1), 23},
			netCase{"kind-" + string(k) + "-out4", nn.SpecWithKind(k, 6, 4), 19})
	}
	return append(cs, []netCase{
		{"energy-sn-leaky", nn.MLP(20, []int{32, 16}, 1, nn.Activation(nn.KindLeakyReLU, 0.2), "", true), 50},
		{"energy-tanh", nn.MLP(7, []int{33}, 1, nn.Activation(nn.KindTanh, 0), "", false), 64},
		{"energy-floor", floored(nn.MLP(6, []int{19, 11}, 1, nn.Activation(nn.KindLeakyReLU, 0.2), "", true), -0.1), 40},
		{"energy-sn-sigmoid", nn.MLP(5, []int{17, 9}, 1, nn.Activation(nn.KindSigmoid, 0), "", true), 31},
		{"base-relu-tanh", nn.MLP(4, []int{24, 40}, 30, nn.Activation(nn.KindReLU, 0), nn.KindTanh, false), 77},
		{"mnist-energy", nn.MLP(784, []int{512, 256}, 1, nn.Activation(nn.KindLeakyReLU, 0.2), "", true), 256},
		{"mnist-base", nn.MLP(64, []int{256, 512}, 784, nn.Activation(nn.KindReLU, 0), nn.KindTanh, false), 128},
		{"conv-energy", convEnergy(), 7},
		{"conv-base", convBase(), 6},
	}...)
}

// convEnergy is a small SN-ConvNet energy (the shape of nn's
// Example_convolutional): strided and unstrided convolutions on a
// non-square image, then a spectrally normalised linear layer.
func convEnergy() nn.Spec {
	leaky := nn.Activation(nn.KindLeakyReLU, 0.2)
	return nn.Spec{Layers: []nn.LayerSpec{
		{Kind: nn.KindConv2D, In: 2, Out: 4, Height: 8, Width: 6, Kernel: 4, Stride: 2, Padding: 1, SpectralNorm: true}, leaky,
		{Kind: nn.KindConv2D, In: 4, Out: 3, Height: 4, Width: 3, Kernel: 3, Stride: 1, Padding: 1, SpectralNorm: true}, leaky,
		{Kind: nn.KindConv2D, In: 3, Out: 5, Height: 4, Width: 3, Kernel: 2, Stride: 1, Padding: 0}, nn.Activation(nn.KindTanh, 0),
		{Kind: nn.KindLinear, In: 5 * 3 * 2, Out: 1, SpectralNorm: true},
	}}
}

// convBase is a small DCGAN-like generator: a linear layer read as an
// image, transposed convolutions up to 8×6, tanh.
func convBase() nn.Spec {
	relu := nn.Activation(nn.KindReLU, 0)
	return nn.Spec{Layers: []nn.LayerSpec{
		{Kind: nn.KindLinear, In: 3, Out: 4 * 2 * 3}, relu,
		{Kind: nn.KindConvTranspose2D, In: 4, Out: 3, Height: 2, Width: 3, Kernel: 4, Stride: 2, Padding: 1}, relu,
		{Kind: nn.KindConvTranspose2D, In: 3, Out: 2, Height: 4, Width: 6, Kernel: 3, Stride: 2, Padding: 1, SpectralNorm: true}, relu,
		{Kind: nn.KindConvTranspose2D, In: 2, Out: 1, Height: 7, Width: 11, Kernel: 2, Stride: 1, Padding: 0},
		nn.Activation(nn.KindTanh, 0),
	}}
}

// TestUnsupportedKind: a kind without kernels is refused by name, not run
// as some other kind.
func TestUnsupportedKind(t *testing.T) {
	d := testDevice(t)
	g := testGemms(t, d)[0]
	for _, k := range nn.Kinds() {
		host, err := nn.New(nn.SpecWithKind(k, 3, 1), rand.New(rand.NewPCG(1, 1)))
		if err != nil {
			t.Fatal(err)
		}
		b, had := builders[k]
		delete(builders, k)
		p, gr := d.Alloc(host.ParamCount()), d.Alloc(host.ParamCount())
		_, err = NewNetwork(d, g, host, p, gr)
		if had {
			builders[k] = b
		}
		d.Free(p)
		d.Free(gr)
		var u *nn.UnsupportedKindError
		if !errors.As(err, &u) || u.Kind != k || !strings.Contains(err.Error(), string(k)) {
			t.Fatalf("kind %s without kernels: error %v", k, err)
		}
	}
}

// TestHostOnlyKinds: the kinds refused on purpose have no builder (so
// NewNetwork refuses them, TestUnsupportedKind), and are registered kinds.
func TestHostOnlyKinds(t *testing.T) {
	for k, why := range hostOnly {
		if !k.Known() || builders[k] != nil || why == "" {
			t.Fatalf("hostOnly kind %s: known %v, has a builder %v, reason %q", k, k.Known(), builders[k] != nil, why)
		}
	}
}

// deviceCopy builds host from spec and its device copy with arenas.
func deviceCopy(t *testing.T, d *Device, g Gemm, spec nn.Spec, seed uint64) (*nn.Network, *Network) {
	t.Helper()
	host, err := nn.New(spec, rand.New(rand.NewPCG(seed, 1)))
	if err != nil {
		t.Fatal(err)
	}
	np := host.ParamCount()
	p, gr := d.Alloc(np), d.Alloc(np)
	t.Cleanup(func() { d.Free(p); d.Free(gr) })
	net, err := NewNetwork(d, g, host, p, gr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(net.Free)
	if err := net.Upload(); err != nil {
		t.Fatal(err)
	}
	return host, net
}

func hostGrads(host *nn.Network) []float32 {
	var g []float32
	for _, p := range host.Params() {
		g = append(g, p.Grad...)
	}
	return g
}

// TestNetworkPasses: forward, backward (input and parameter gradients,
// through spectral normalisation's chain rule), InputGrad, the gradient
// penalty and its parameter gradient, and the power iteration, against
// shared/nn's Network on the same weights, for every activation and both
// matrix products.
func TestNetworkPasses(t *testing.T) {
	d := testDevice(t)
	for _, g := range testGemms(t, d) {
		for ci, c := range netCases() {
			checkPasses(t, d, g, c, ci)
		}
	}
}

// TestConvChunks: the conv networks' passes as TestNetworkPasses checks
// them, with the batch lowered in chunks (one sample each, and some
// samples each with a smaller last chunk) instead of all at once.
func TestConvChunks(t *testing.T) {
	d := testDevice(t)
	defer func(b int) { convColumnBudget = b }(convColumnBudget)
	for _, budget := range []int{1, 1000} {
		convColumnBudget = budget
		for ci, c := range netCases() {
			if strings.HasPrefix(c.name, "conv-") {
				checkPasses(t, d, testGemms(t, d)[0], c, ci)
			}
		}
	}
}

// checkForwardBackward compares the device network's Forward, Backward
// (input gradient) and parameter gradient on n rows of x (dx on the
// device) and the output gradient dy (ddy) with shared/nn's.
func checkForwardBackward(t *testing.T, d *Device, host *nn.Network, net *Network, x, dy []float32, dx, ddy Buffer, n int, what string) {
	t.Helper()
	host.ZeroGrad()
	want := append([]float32(nil), host.Forward(x, n)...)
	wantDx := append([]float32(nil), host.Backward(dy, true)...)
	host.FinishGrads()
	net.ZeroGrad()
	near(t, what+"forward", download(t, d, net.Forward(dx, n)), want, tolForward)
	near(t, what+"input gradient", download(t, d, net.Backward(ddy, true)), wantDx, tolForward)
	net.FinishGrads()
	near(t, what+"parameter gradient", download(t, d, net.Grads()), hostGrads(host), tolGrad)
}

// checkPasses compares every pass of case c's network on the device with
// shared/nn's (TestNetworkPasses).
func checkPasses(t *testing.T, d *Device, g Gemm, c netCase, ci int) {
	t.Helper()
	what := g.Name() + " " + c.name + ": "
	host, net := deviceCopy(t, d, g, c.spec, uint64(ci))
	rng := rand.New(rand.NewPCG(uint64(ci), 2))
	n := c.rows
	x := randn(rng, n*host.In(), 1)
	dx := upload(t, d, x)

	// Forward and backward with parameter gradients.
	dy := randn(rng, n*host.Out(), 1)
	ddy := upload(t, d, dy)
	checkForwardBackward(t, d, host, net, x, dy, dx, ddy, n, what)

	// BackwardParams alone gives the same parameter gradient.
	net.ZeroGrad()
	net.Forward(dx, n)
	net.BackwardParams(ddy)
	net.FinishGrads()
	near(t, what+"BackwardParams", download(t, d, net.Grads()), hostGrads(host), tolGrad)

	if host.Out() == 1 {
		f, gx := host.InputGrad(x, n)
		wantF, wantG := append([]float32(nil), f...), append([]float32(nil), gx...)
		df, dg := net.InputGrad(dx, n)
		near(t, what+"InputGrad f", download(t, d, df), wantF, tolForward)
		near(t, what+"InputGrad ∇f", download(t, d, dg), wantG, tolForward)

	}
	// The gradient penalty, for the networks that have it (an
	// energy; batchnorm has no tangent pass).
	if host.Out() == 1 && c.spec.TangentError() == nil {
		const weight = 0.7
		host.ZeroGrad()
		p := host.GradPenalty(x, n, weight)
		host.FinishGrads()
		out := d.allocDoubles(1)
		net.ZeroGrad()
		net.GradPenalty(dx, n, weight, out)
		net.FinishGrads()
		nearF(t, what+"penalty", downloadD(t, d, out)[0], p, 1e-5)
		near(t, what+"penalty gradient", download(t, d, net.Grads()), hostGrads(host), tolPenalty)

		// The penalty between the halves of a Forward of 2n rows,
		// the first layer's outputs mixed (the energy step's).
		x2 := randn(rng, 2*n*host.In(), 1)
		alpha := make([]float32, n)
		for i := range alpha {
			alpha[i] = float32(rng.Float64())
		}
		xhat := make([]float32, n*host.In())
		host.ZeroGrad()
		host.Forward(x2, 2*n)
		p = host.GradPenaltyBetween(alpha, xhat, weight)
		host.FinishGrads()
		dxhat := d.Alloc(n * host.In())
		net.ZeroGrad()
		net.Forward(upload(t, d, x2), 2*n)
		net.GradPenaltyBetween(upload(t, d, alpha), dxhat, n, weight, out)
		net.FinishGrads()
		near(t, what+"GradPenaltyBetween's rows", download(t, d, dxhat), xhat, tolForward)
		nearF(t, what+"penalty between", downloadD(t, d, out)[0], p, 1e-5)
		near(t, what+"penalty between, gradient", download(t, d, net.Grads()), hostGrads(host), tolPenalty)
		d.Free(dxhat)
		d.freeDoubles(out)
	}

	// One step of power iteration, then the state and the forward
	// pass with the new W/σ.
	host.Refresh(1)
	net.Refresh(1)
	if st := host.State(); len(st) > 0 {
		got := download(t, d, net.state)
		off := 0
		for _, s := range st {
			near(t, what+s.Name, got[off:off+len(s.Value)], s.Value, tolSpectral)
			off += len(s.Value)
		}
	}
	want := append([]float32(nil), host.Forward(x, n)...)
	near(t, what+"forward after Refresh(1)", download(t, d, net.Forward(dx, n)), want, tolForward)
	if err := d.check(); err != nil {
		t.Fatal(err)
	}
	if err := g.Err(); err != nil {
		t.Fatal(err)
	}
}

// TestNetworkRoundTrip: Download brings back exactly what Upload sent, and
// a host network refreshed from downloaded state computes what the device
// computes.
func TestNetworkRoundTrip(t *testing.T) {
	d := testDevice(t)
	g := testGemms(t, d)[0]
	spec := nn.MLP(9, []int{13}, 1, nn.Activation(nn.KindLeakyReLU, 0.2), "", true)
	host, net := deviceCopy(t, d, g, spec, 7)
	want := append(gather(host.Params()), gather(host.State())...)
	for _, p := range append(host.Params(), host.State()...) {
		clear(p.Value)
	}
	if err := net.Download(); err != nil {
		t.Fatal(err)
	}
	sameBits(t, "round trip", append(gather(host.Params()), gather(host.State())...), want)
}
