package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

var activationKinds = []Kind{KindLeakyReLU, KindReLU, KindTanh, KindSigmoid, KindFloor}

// randomSpec draws a small network with random widths and activations.
func randomSpec(rng *rand.Rand, out int, sn bool) Spec {
	in := 1 + rng.IntN(5)
	var hidden []int
	for range 1 + rng.IntN(3) {
		hidden = append(hidden, 1+rng.IntN(6))
	}
	s := Spec{}
	prev := in
	for _, h := range hidden {
		k := activationKinds[rng.IntN(len(activationKinds))]
		a := LayerSpec{Kind: k}
		if k == KindLeakyReLU {
			a.Slope = 0.2
		}
		if k == KindFloor {
			a.Floor = -0.3
		}
		s.Layers = append(s.Layers, LayerSpec{Kind: KindLinear, In: prev, Out: h, SpectralNorm: sn && rng.IntN(2) == 0}, a)
		prev = h
	}
	s.Layers = append(s.Layers, LayerSpec{Kind: KindLinear, In: prev, Out: out, SpectralNorm: sn && rng.IntN(2) == 0})
	switch rng.IntN(3) {
	case 0:
		s.Layers = append(s.Layers, LayerSpec{Kind: KindTanh})
	case 1: // the energy's lower clamp
		s.Layers = append(s.Layers, LayerSpec{Kind: KindFloor, Floor: -0.5})
	}
	return s
}

func randomBatch(rng *rand.Rand, n, d int) []float32 {
	x := make([]float32, n*d)
	for i := range x {
		x[i] = float32(rng.NormFloat64())
	}
	return x
}

func row64(x []float32, i, d int) []float64 { return to64(x[i*d : (i+1)*d]) }

// closeTo compares an analytic float32 gradient with a float64 reference:
// float32 passes carry relative errors near 1e-6, central differences with
// h = 1e-6 in float64 near 1e-8, so 1e-3 of the scale leaves a wide margin
// while any wrong term (a missing factor, a transpose) is far larger.
func closeTo(t *testing.T, what string, got float32, want float64, scale float64) {
	t.Helper()
	if d := math.Abs(float64(got) - want); d > 1e-3*math.Max(1, scale) {
		t.Fatalf("%s: analytic %.7g, finite difference %.7g (|diff| %.3g)", what, got, want, d)
	}
}

// maxAbs returns the largest |v| (the scale for a tolerance).
func maxAbs(x []float64) float64 {
	m := 0.0
	for _, v := range x {
		m = math.Max(m, math.Abs(v))
	}
	return m
}

const fdStep = 1e-6

// TestInputGradient checks Backward's input gradient (the vector-Jacobian
// product J^T dy) of every layer kind against central differences of the
// float64 reference, on random shapes.
func TestInputGradient(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := range 40 {
		out := 1 + rng.IntN(3)
		checkInputGradient(t, fmt.Sprint("trial ", trial), rng, randomSpec(rng, out, trial%2 == 1))
	}
}

// newCase builds a network from spec with weights drawn from rng, and a
// batch of 1 to 4 rows x with output gradients dy.
func newCase(t *testing.T, rng *rand.Rand, spec Spec) (net *Network, n int, x, dy []float32) {
	t.Helper()
	net, err := New(spec, rng)
	if err != nil {
		t.Fatal(err)
	}
	n, x, dy = newBatch(rng, net)
	return net, n, x, dy
}

// newBatch draws a batch of 1 to 4 rows x for net with output gradients dy.
func newBatch(rng *rand.Rand, net *Network) (n int, x, dy []float32) {
	n = 1 + rng.IntN(4)
	return n, randomBatch(rng, n, net.In()), randomBatch(rng, n, net.Out())
}

// checkInputGradient compares Backward's input gradient for a network built
// from spec with central differences of the float64 reference.
func checkInputGradient(t *testing.T, trial string, rng *rand.Rand, spec Spec) {
	t.Helper()
	net, _, _, _ := newCase(t, rng, spec)
	checkInputGradientOf(t, trial, rng, net)
}

// checkInputGradientOf is checkInputGradient for a network already built.
func checkInputGradientOf(t *testing.T, trial string, rng *rand.Rand, net *Network) {
	t.Helper()
	spec := net.spec
	n, x, dy := newBatch(rng, net)
	out := spec.Out()
	// Twice: a pass must not depend on what its buffers held before.
	net.Forward(x, n)
	net.Backward(randomBatch(rng, n, out), false)
	net.Forward(x, n)
	dx := net.Backward(dy, false)
	ref := newRef64(net)
	for i := 0; i < n; i++ {
		xi := row64(x, i, spec.In())
		want := make([]float64, len(xi))
		for c := range xi {
			orig := xi[c]
			xi[c] = orig + fdStep
			fp, _ := ref.forward(xi)
			xi[c] = orig - fdStep
			fm, _ := ref.forward(xi)
			xi[c] = orig
			for o := 0; o < out; o++ {
				want[c] += float64(dy[i*out+o]) * (fp[o] - fm[o]) / (2 * fdStep)
			}
		}
		for c := range want {
			closeTo(t, fmt.Sprintf("%s %v: dx[%d][%d]", trial, spec.Layers, i, c), dx[i*spec.In()+c], want[c], maxAbs(want))
		}
	}
}

// TestParamGradient checks the parameter gradients of L = Σ dy ⊙ f(x),
// spectral normalisation included (σ = u^T W v with u, v held fixed).
func TestParamGradient(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for trial := range 40 {
		out := 1 + rng.IntN(3)
		checkParamGradient(t, fmt.Sprint("trial ", trial), rng, randomSpec(rng, out, trial%2 == 1))
	}
}

// checkParamGradient compares BackwardParams's parameter gradients for a
// network built from spec with central differences of the float64
// reference.
func checkParamGradient(t *testing.T, trial string, rng *rand.Rand, spec Spec) {
	t.Helper()
	net, _, _, _ := newCase(t, rng, spec)
	checkParamGradientOf(t, trial, rng, net)
}

// checkParamGradientOf is checkParamGradient for a network already built.
func checkParamGradientOf(t *testing.T, trial string, rng *rand.Rand, net *Network) {
	t.Helper()
	spec := net.spec
	n, x, dy := newBatch(rng, net)
	out := spec.Out()
	net.ZeroGrad()
	net.Forward(x, n)
	net.BackwardParams(dy)
	net.FinishGrads()
	ref := newRef64(net)
	loss := func() float64 {
		var s float64
		for i := 0; i < n; i++ {
			f, _ := ref.forward(row64(x, i, spec.In()))
			for o := range f {
				s += float64(dy[i*out+o]) * f[o]
			}
		}
		return s
	}
	checkParams(t, trial, net, ref, loss)
}

// checkParams compares every parameter's Grad with central differences of
// loss over the reference's float64 parameters.
func checkParams(t *testing.T, what string, net *Network, ref *ref64, loss func() float64) {
	t.Helper()
	for k, p := range ref.params() {
		want := make([]float64, len(p))
		for j := range p {
			orig := p[j]
			p[j] = orig + fdStep
			lp := loss()
			p[j] = orig - fdStep
			lm := loss()
			p[j] = orig
			want[j] = (lp - lm) / (2 * fdStep)
		}
		for j := range want {
			closeTo(t, fmt.Sprintf("%s %v: %s[%d]", what, net.spec.Layers, net.params[k].Name, j), net.params[k].Grad[j], want[j], maxAbs(want))
		}
	}
}

// TestGradPenaltyGradient checks the double-backward parameter gradient of
// weight·mean_i ||∇_x f(x_i)||² against central differences of the same
// quantity computed by the float64 reference, and the penalty's value.
func TestGradPenaltyGradient(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for trial := range 40 {
		checkGradPenalty(t, fmt.Sprint("trial ", trial), rng, randomSpec(rng, 1, trial%2 == 1))
	}
}

// checkGradPenalty compares GradPenalty's value and parameter gradient for
// a one-output network built from spec with the float64 reference.
func checkGradPenalty(t *testing.T, trial string, rng *rand.Rand, spec Spec) {
	t.Helper()
	net, err := New(spec, rng)
	if err != nil {
		t.Fatal(err)
	}
	n := 1 + rng.IntN(4)
	x := randomBatch(rng, n, spec.In())
	const weight = 1.7
	net.GradPenalty(randomBatch(rng, n, spec.In()), n, weight) // fills the buffers, see checkInputGradient
	net.FinishGrads()
	net.ZeroGrad()
	p := net.GradPenalty(x, n, weight)
	net.FinishGrads()
	ref := newRef64(net)
	penalty := func() float64 {
		var s float64
		for i := 0; i < n; i++ {
			for _, g := range ref.inputGrad(row64(x, i, spec.In())) {
				s += g * g
			}
		}
		return weight * s / float64(n)
	}
	if want := penalty() / weight; math.Abs(p-want) > 1e-4*math.Max(1, want) {
		t.Fatalf("%s: penalty %v, reference %v", trial, p, want)
	}
	checkParams(t, trial+" GP", net, ref, penalty)
}

// TestInputGrad checks InputGrad's values and gradients against Forward and
// the reference.
func TestInputGrad(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	spec := MLP(3, []int{5, 4}, 1, Activation(KindLeakyReLU, 0.2), "", false)
	net, err := New(spec, rng)
	if err != nil {
		t.Fatal(err)
	}
	x := randomBatch(rng, 6, 3)
	f, g := net.InputGrad(x, 6)
	ref := newRef64(net)
	for i := 0; i < 6; i++ {
		fr, _ := ref.forward(row64(x, i, 3))
		closeTo(t, "f", f[i], fr[0], 1)
		gr := ref.inputGrad(row64(x, i, 3))
		for c := range gr {
			closeTo(t, "grad", g[i*3+c], gr[c], maxAbs(gr))
		}
	}
}

// TestSpectralNorm checks that power iteration finds the largest singular
// value: after Refresh, W/σ has spectral norm 1, measured independently by
// many power iterations in float64.
func TestSpectralNorm(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	spec := Spec{Layers: []LayerSpec{{Kind: KindLinear, In: 7, Out: 5, SpectralNorm: true}}}
	net, err := New(spec, rng)
	if err != nil {
		t.Fatal(err)
	}
	net.Refresh(50)
	weff := to64(net.layers[0].(*linear).sn.weff)
	// ||W||_2 by power iteration on W^T W in float64.
	v := make([]float64, 7)
	for i := range v {
		v[i] = 1
	}
	var norm float64
	for range 500 {
		u := make([]float64, 5)
		for a := 0; a < 5; a++ {
			for c := 0; c < 7; c++ {
				u[a] += weff[a*7+c] * v[c]
			}
		}
		nv := make([]float64, 7)
		for a := 0; a < 5; a++ {
			for c := 0; c < 7; c++ {
				nv[c] += weff[a*7+c] * u[a]
			}
		}
		var s float64
		for _, x := range nv {
			s += x * x
		}
		norm = math.Sqrt(math.Sqrt(s))
		for c := range nv {
			nv[c] /= math.Sqrt(s)
		}
		v = nv
	}
	if math.Abs(norm-1) > 1e-4 {
		t.Fatalf("spectral norm of W/σ = %v, want 1", norm)
	}
}

// TestInitDeterministic: the same seed gives the same bits; another seed
// gives other weights; the uniform bound is respected.
func TestInitDeterministic(t *testing.T) {
	spec := MLP(4, []int{8}, 2, Activation(KindTanh, 0), "", true)
	a, _ := New(spec, rand.New(rand.NewPCG(42, 0)))
	b, _ := New(spec, rand.New(rand.NewPCG(42, 0)))
	c, _ := New(spec, rand.New(rand.NewPCG(43, 0)))
	same := true
	for k, p := range a.Params() {
		for i, v := range p.Value {
			if math.Float32bits(v) != math.Float32bits(b.Params()[k].Value[i]) {
				t.Fatalf("%s[%d] differs between equal seeds", p.Name, i)
			}
			if v != c.Params()[k].Value[i] {
				same = false
			}
			// Layer 0 takes 4 inputs, layer 2 takes 8 (weights and biases alike).
			in := map[byte]float64{'0': 4, '2': 8}[p.Name[0]]
			if math.Abs(float64(v)) > 1/math.Sqrt(in) {
				t.Fatalf("%s[%d] = %v outside U(-1/sqrt(in), 1/sqrt(in)), in = %v", p.Name, i, v, in)
			}
		}
	}
	if same {
		t.Fatal("different seeds gave the same weights")
	}
}

// TestInitGolden pins the first weights of a seeded network, so that a
// change of the random stream (which would change every trained model and
// break cross-platform reproducibility) is noticed. The same test runs under
// GOOS=js and GOOS=wasip1 in make test.
func TestInitGolden(t *testing.T) {
	net, _ := New(MLP(2, []int{3}, 1, Activation(KindReLU, 0), "", false), rand.New(rand.NewPCG(1, 1)))
	got := net.Params()[0].Value[:3]
	want := goldenInit
	for i := range want {
		if math.Float32bits(got[i]) != want[i] {
			t.Fatalf("first weights %v (bits %#x %#x %#x), golden bits %#x", got, math.Float32bits(got[0]), math.Float32bits(got[1]), math.Float32bits(got[2]), want)
		}
	}
}

var goldenInit = []uint32{0xbe674a65, 0x3f146bae, 0x3eee10cf}

func TestSpecValidate(t *testing.T) {
	bad := []Spec{
		{},
		{Layers: []LayerSpec{{Kind: KindTanh}}},
		{Layers: []LayerSpec{{Kind: KindLinear, In: 2, Out: 3}, {Kind: KindLinear, In: 4, Out: 1}}},
		{Layers: []LayerSpec{{Kind: KindLinear, In: 0, Out: 3}}},
		{Layers: []LayerSpec{{Kind: KindLinear, In: 2, Out: MaxDim + 1}}},
		{Layers: []LayerSpec{{Kind: KindLinear, In: 2, Out: 3}, {Kind: "softmax"}}},
		{Layers: []LayerSpec{{Kind: KindLinear, In: 2, Out: 3}, {Kind: KindLeakyReLU, Slope: 2}}},
		{Layers: []LayerSpec{{Kind: KindLinear, In: 2, Out: 3}, {Kind: KindTanh, Slope: 0.1}}},
		{Layers: []LayerSpec{{Kind: KindLinear, In: 2, Out: 3}, {Kind: KindTanh, Floor: -1}}},
		{Layers: []LayerSpec{{Kind: KindLinear, In: 2, Out: 1}, {Kind: KindFloor, Floor: math.NaN()}}},
		{Layers: []LayerSpec{{Kind: KindLinear, In: 2, Out: 1}, {Kind: KindFloor, Floor: math.Inf(-1)}}},
		{Layers: []LayerSpec{{Kind: KindLinear, In: MaxDim, Out: MaxDim}, {Kind: KindLinear, In: MaxDim, Out: MaxDim}}},
	}
	for i, s := range bad {
		if err := s.Validate(); err == nil {
			t.Errorf("spec %d %+v: no error", i, s)
		}
	}
	good := MLP(784, []int{512, 256}, 1, Activation(KindLeakyReLU, 0.2), "", true)
	if err := good.Validate(); err != nil {
		t.Fatal(err)
	}
	if good.In() != 784 || good.Out() != 1 {
		t.Fatalf("In/Out = %d/%d", good.In(), good.Out())
	}
}

// TestSpecTensors: Spec.Tensors lists exactly what a built network holds.
func TestSpecTensors(t *testing.T) {
	spec := MLP(5, []int{7, 3}, 2, Activation(KindTanh, 0), "", true)
	net, _ := NewUninitialized(spec)
	held := append(append([]*Param{}, net.Params()...), net.State()...)
	infos := spec.Tensors()
	if len(infos) != len(held) {
		t.Fatalf("%d tensors listed, network holds %d", len(infos), len(held))
	}
	for i, p := range held {
		if infos[i].Name != p.Name || fmt.Sprint(infos[i].Shape) != fmt.Sprint(p.Shape) || infos[i].Trainable != (i < len(net.Params())) {
			t.Fatalf("tensor %d: listed %+v, held %s %v", i, infos[i], p.Name, p.Shape)
		}
	}
}
