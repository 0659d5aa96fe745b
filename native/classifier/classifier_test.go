package classifier

import (
	"context"
	"math"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"

	"github.com/gebm/gebm/shared/data"
	"github.com/gebm/gebm/shared/nn"
)

// TestSoftmaxCrossEntropyGradient checks ∂L/∂logits against central
// differences of L (float64 loss of float32 logits; step 1e-2, where the
// truncation error is O(h²) ≈ 1e-5 of the gradient's scale).
func TestSoftmaxCrossEntropyGradient(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	const n, k = 5, 4
	logits := make([]float32, n*k)
	for i := range logits {
		logits[i] = float32(3 * rng.NormFloat64())
	}
	labels := []int{0, 3, 1, 2, 3}
	grad := make([]float32, n*k)
	SoftmaxCrossEntropy(logits, labels, k, grad)
	const h = 1e-2
	for i := range logits {
		orig := logits[i]
		logits[i] = orig + h
		up := SoftmaxCrossEntropy(logits, labels, k, nil)
		logits[i] = orig - h
		dn := SoftmaxCrossEntropy(logits, labels, k, nil)
		logits[i] = orig
		num := (up - dn) / (2 * h)
		if math.Abs(num-float64(grad[i])) > 1e-4 {
			t.Errorf("∂L/∂l[%d] = %.6f, finite difference %.6f", i, grad[i], num)
		}
	}
	// Rows of the gradient sum to 0 (softmax sums to 1).
	for i := 0; i < n; i++ {
		var s float64
		for _, g := range grad[i*k : (i+1)*k] {
			s += float64(g)
		}
		if math.Abs(s) > 1e-7 {
			t.Errorf("row %d of the gradient sums to %g", i, s)
		}
	}
}

func TestSoftmaxCrossEntropyValues(t *testing.T) {
	// Equal logits: log K. Huge logits: no overflow, loss ≈ the margin.
	if got := SoftmaxCrossEntropy([]float32{2, 2, 2, 2}, []int{1}, 4, nil); math.Abs(got-math.Log(4)) > 1e-12 {
		t.Errorf("uniform: %v, want log 4", got)
	}
	if got := SoftmaxCrossEntropy([]float32{1000, 0, 990}, []int{2}, 3, nil); math.Abs(got-10) > 1e-3 {
		t.Errorf("large logits: %v, want ≈ 10", got)
	}
}

// blobs is a labelled 2-D set of three separated Gaussian clusters.
func blobs(rng *rand.Rand, n int) *data.Dataset {
	centres := [][2]float64{{-2, 0}, {2, 0}, {0, 2.5}}
	d := &data.Dataset{Name: "blobs", Dim: 2, X: make([]float32, 2*n), Labels: make([]int, n), Classes: 3, Norm: data.Identity()}
	for i := 0; i < n; i++ {
		c := rng.IntN(3)
		d.Labels[i] = c
		d.X[2*i] = float32(centres[c][0] + 0.5*rng.NormFloat64())
		d.X[2*i+1] = float32(centres[c][1] + 0.5*rng.NormFloat64())
	}
	return d
}

// TestNetworkGradient checks the whole training gradient (head backward, then
// the features' parameter gradient) against central differences of the loss,
// for a few parameters of every tensor. The step is 1e-3: at 1e-2 one
// perturbation crossed a ReLU kink and the difference quotient was 10% off.
func TestNetworkGradient(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	c, err := New(2, []int{6, 5}, 3, rng)
	if err != nil {
		t.Fatal(err)
	}
	d := blobs(rng, 8)
	loss := func(grad []float32) float64 {
		return SoftmaxCrossEntropy(c.Head.Forward(c.Features.Forward(d.X, 8), 8), d.Labels, 3, grad)
	}
	for _, p := range c.Params() {
		p.ZeroGrad()
	}
	g := make([]float32, 8*3)
	loss(g)
	c.Features.BackwardParams(c.Head.Backward(g, true))
	for _, p := range c.Params() {
		for _, j := range []int{0, len(p.Value) / 2, len(p.Value) - 1} {
			const h = 1e-3
			orig := p.Value[j]
			p.Value[j] = orig + h
			up := loss(nil)
			p.Value[j] = orig - h
			dn := loss(nil)
			p.Value[j] = orig
			num := (up - dn) / (2 * h)
			if math.Abs(num-float64(p.Grad[j])) > 2e-3*math.Max(1, math.Abs(num)) {
				t.Errorf("%s[%d]: gradient %.6f, finite difference %.6f", p.Name, j, p.Grad[j], num)
			}
		}
	}
}

func TestTrainSeparatesBlobs(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	train, test := blobs(rng, 2000), blobs(rng, 500)
	o := Options{Hidden: []int{32, 16}, Epochs: 5, Batch: 64, LR: 3e-3, Seed: 1}
	steps := 0
	o.Progress = func(step, total int, loss float64) { steps = total }
	c, err := Train(context.Background(), train, test, o)
	if err != nil {
		t.Fatal(err)
	}
	if steps != 5*32 {
		t.Errorf("%d steps, want %d", steps, 5*32)
	}
	if c.Info.TestAccuracy < 0.97 {
		t.Errorf("test accuracy %.3f on well-separated blobs", c.Info.TestAccuracy)
	}
	if c.FeatureDim() != 16 || len(c.Embed(test.X, 10, nil)) != 160 {
		t.Errorf("feature width %d", c.FeatureDim())
	}
	// Features are ReLU outputs.
	for _, v := range c.Embed(test.X, 500, nil) {
		if v < 0 {
			t.Fatal("negative feature")
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Train(ctx, train, test, o); err == nil {
		t.Error("a cancelled run reported success")
	}
	if _, err := Train(context.Background(), &data.Dataset{Name: "x", Dim: 2, X: train.X, Norm: data.Identity()}, nil, o); err == nil {
		t.Error("training without labels accepted")
	}
}

func TestFileRoundTripAndCorruption(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	c, err := New(4, []int{5, 3}, 2, rng)
	if err != nil {
		t.Fatal(err)
	}
	c.Info = Info{Data: "x", Dim: 4, Classes: 2, TestAccuracy: 0.5}
	b, err := c.Encode()
	if err != nil {
		t.Fatal(err)
	}
	d, err := Load(b)
	if err != nil {
		t.Fatal(err)
	}
	x := make([]float32, 4*6)
	for i := range x {
		x[i] = float32(rng.NormFloat64())
	}
	e1, e2 := c.Embed(x, 6, nil), d.Embed(x, 6, nil)
	for i := range e1 {
		if e1[i] != e2[i] {
			t.Fatalf("feature %d differs after reload", i)
		}
	}
	if d.Info.TestAccuracy != 0.5 || d.Info.Time == "" {
		t.Errorf("info %+v", d.Info)
	}
	cases := map[string][]byte{
		"empty":     nil,
		"truncated": b[:len(b)-9],
		"flipped":   flip(b, len(b)/2),
		"magic":     append([]byte("NOTACLF!"), b[8:]...),
		"model":     append([]byte("GEBM\x89\r\n\x1a"), b[8:]...),
	}
	for name, bb := range cases {
		if _, err := Load(bb); err == nil || !strings.Contains(err.Error(), "not a valid classifier file") {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := Load(cases["model"]); !strings.Contains(err.Error(), "gebm model file") {
		t.Errorf("a model file's error does not say so: %v", err)
	}
}

func flip(b []byte, i int) []byte {
	c := append([]byte(nil), b...)
	c[i] ^= 0x40
	return c
}

func TestShifter(t *testing.T) {
	s := newShifter(3, 3, 1, -1)
	img := []float32{1, 2, 3, 4, 5, 6, 7, 8, 9}
	// Find a seed whose draw is (dy, dx) = (1, 1): content moves down-right.
	for seed := uint64(0); seed < 100; seed++ {
		r := rand.New(rand.NewPCG(seed, 0))
		if r.IntN(3)-1 == 1 && r.IntN(3)-1 == 1 {
			x := append([]float32(nil), img...)
			s.apply(x, rand.New(rand.NewPCG(seed, 0)))
			want := []float32{-1, -1, -1, -1, 1, 2, -1, 4, 5}
			for i := range want {
				if x[i] != want[i] {
					t.Fatalf("shifted %v, want %v", x, want)
				}
			}
			return
		}
	}
	t.Fatal("no seed drew (1, 1)")
}

// TestLoadHugeArchitectureRefused: a small file declaring a network of tens
// of millions of parameters is refused from its sizes, before any network is
// allocated (reading it used to allocate the networks first).
func TestLoadHugeArchitectureRefused(t *testing.T) {
	h := fileHeader{
		Features: nn.MLP(784, []int{30000}, 1000, nn.Activation(nn.KindReLU, 0), "", false),
		Head:     nn.MLP(1000, nil, 10, nn.Activation(nn.KindReLU, 0), "", false),
		Info:     Info{Dim: 784, Classes: 10},
	}
	for g, spec := range []nn.Spec{h.Features, h.Head} {
		for _, ti := range spec.Tensors() {
			h.Tensors = append(h.Tensors, tensorRef{Name: groups[g] + ti.Name, Shape: ti.Shape})
		}
	}
	b, err := classifierFile.Write(h, nil)
	if err != nil {
		t.Fatal(err)
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err = Load(b)
	runtime.ReadMemStats(&after)
	if err == nil || !strings.Contains(err.Error(), "truncated") {
		t.Fatalf("error %v, want a truncation", err)
	}
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 16<<20 {
		t.Fatalf("refusing a %d-byte file allocated %d MiB", len(b), grew>>20)
	}
}
