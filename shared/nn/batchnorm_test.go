package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// randomizeBatchNorm draws γ, β and the running statistics of every
// batchnorm layer of net (New sets them to 1, 0, 0, 1, where a wrong term
// could hide).
func randomizeBatchNorm(rng *rand.Rand, net *Network) {
	for _, l := range net.layers {
		if b, ok := l.(*batchnorm); ok {
			for c := range b.c {
				b.gamma.Value[c] = float32(0.5 + rng.Float64())
				b.beta.Value[c] = float32(rng.NormFloat64())
				b.runMean.Value[c] = float32(rng.NormFloat64())
				b.runVar.Value[c] = float32(0.2 + 2*rng.Float64())
			}
		}
	}
}

// TestBatchNormRunningStatistics checks the default mode (running
// statistics, as when sampling): input and parameter gradients against the
// float64 reference, after a dense layer and after a transposed convolution
// (NCHW channels of an image).
func TestBatchNormRunningStatistics(t *testing.T) {
	rng := rand.New(rand.NewPCG(31, 32))
	for trial := range 12 {
		c, p := 1+rng.IntN(3), 1+rng.IntN(3)
		var spec Spec
		if trial%2 == 0 {
			spec = Spec{Layers: []LayerSpec{{Kind: KindLinear, In: 3, Out: c * p}, {Kind: KindBatchNorm, Channels: c},
				{Kind: KindTanh}, {Kind: KindLinear, In: c * p, Out: 2}}}
		} else {
			tr := LayerSpec{Kind: KindConvTranspose2D, In: 2, Out: c, Height: 2, Width: 3, Kernel: 4, Stride: 2, Padding: 1}
			spec = Spec{Layers: []LayerSpec{{Kind: KindLinear, In: 3, Out: 12}, tr, {Kind: KindBatchNorm, Channels: c}, {Kind: KindReLU}}}
			spec.Layers = append(spec.Layers, LayerSpec{Kind: KindLinear, In: spec.Out(), Out: 1})
		}
		net, err := New(spec, rng)
		if err != nil {
			t.Fatal(err)
		}
		randomizeBatchNorm(rng, net)
		what := fmt.Sprint("trial ", trial)
		checkInputGradientOf(t, what, rng, net)
		checkParamGradientOf(t, what, rng, net)
	}
}

// bnTrain64 is batch normalisation with batch statistics in float64,
// written from KindBatchNorm's definition: x holds n samples of c channels
// of p values.
func bnTrain64(x []float64, n, c, p int, gamma, beta []float64) (y, mean, unbiased []float64) {
	y = make([]float64, len(x))
	m := float64(n * p)
	for ch := range c {
		var vals []float64
		for s := range n {
			vals = append(vals, x[(s*c+ch)*p:(s*c+ch+1)*p]...)
		}
		var mu, v float64
		for _, a := range vals {
			mu += a / m
		}
		for _, a := range vals {
			v += (a - mu) * (a - mu) / m
		}
		mean, unbiased = append(mean, mu), append(unbiased, v*m/math.Max(m-1, 1))
		for s := range n {
			for j := range p {
				k := (s*c+ch)*p + j
				y[k] = gamma[ch]*(x[k]-mu)/math.Sqrt(v+1e-5) + beta[ch]
			}
		}
	}
	return y, mean, unbiased
}

// TestBatchNormBatchStatistics checks the training mode of the layer: its
// output and running statistics against bnTrain64, and its input and
// parameter gradients, which run through the batch's mean and variance,
// against central differences of bnTrain64.
func TestBatchNormBatchStatistics(t *testing.T) {
	rng := rand.New(rand.NewPCG(33, 34))
	for trial := range 20 {
		c, p, n := 1+rng.IntN(3), 1+rng.IntN(4), 1+rng.IntN(4)
		if trial == 0 {
			p, n = 1, 1 // one value per channel: no variance estimate
		}
		spec := Spec{Layers: []LayerSpec{{Kind: KindLinear, In: 1, Out: c * p}, {Kind: KindBatchNorm, Channels: c}}}
		net, err := New(spec, rng)
		if err != nil {
			t.Fatal(err)
		}
		randomizeBatchNorm(rng, net)
		net.SetTraining(true)
		l := net.layers[1].(*batchnorm)
		gamma, beta := to64(l.gamma.Value), to64(l.beta.Value)
		rm0, rv0 := to64(l.runMean.Value), to64(l.runVar.Value)
		x := randomBatch(rng, n, c*p)
		y := make([]float32, len(x))
		l.forward(nil, x, y, n)
		x64 := to64(x)
		want, mean, unbiased := bnTrain64(x64, n, c, p, gamma, beta)
		what := fmt.Sprintf("trial %d (%d channels × %d, %d rows)", trial, c, p, n)
		for k := range want {
			closeTo(t, what+fmt.Sprintf(" y[%d]", k), y[k], want[k], maxAbs(want))
		}
		for ch := range c {
			closeTo(t, what+" running mean", l.runMean.Value[ch], 0.9*rm0[ch]+0.1*mean[ch], 1)
			wantVar := 0.9*rv0[ch] + 0.1*unbiased[ch]
			if n*p == 1 {
				wantVar = rv0[ch]
			}
			closeTo(t, what+" running variance", l.runVar.Value[ch], wantVar, 1)
		}

		dy := randomBatch(rng, n, c*p)
		dx := make([]float32, len(x))
		l.backward(nil, x, y, dy, dx, n, true)
		loss := func() float64 {
			out, _, _ := bnTrain64(x64, n, c, p, gamma, beta)
			var s float64
			for k, v := range out {
				s += float64(dy[k]) * v
			}
			return s
		}
		for k, grad := range map[string]struct {
			got  []float32
			vals []float64
		}{"dx": {dx, x64}, "dγ": {l.gamma.Grad, gamma}, "dβ": {l.beta.Grad, beta}} {
			fd := make([]float64, len(grad.vals))
			for j := range grad.vals {
				orig := grad.vals[j]
				grad.vals[j] = orig + fdStep
				lp := loss()
				grad.vals[j] = orig - fdStep
				lm := loss()
				grad.vals[j] = orig
				fd[j] = (lp - lm) / (2 * fdStep)
			}
			for j := range fd {
				closeTo(t, fmt.Sprintf("%s %s[%d]", what, k, j), grad.got[j], fd[j], maxAbs(fd))
			}
		}
	}
}

// TestBatchNormModes: Network.SetTraining(true) normalises each channel of
// a batch to mean β and variance γ²·σ²/(σ²+ε) and moves the running
// statistics; back in the default mode each row's output is a function of
// that row alone (the same alone as in a batch) and the statistics stay.
func TestBatchNormModes(t *testing.T) {
	rng := rand.New(rand.NewPCG(35, 36))
	spec := Spec{Layers: []LayerSpec{{Kind: KindLinear, In: 3, Out: 6}, {Kind: KindBatchNorm, Channels: 3}}}
	net, err := New(spec, rng)
	if err != nil {
		t.Fatal(err)
	}
	const n = 8
	x := randomBatch(rng, n, 3)
	net.SetTraining(true)
	y := net.Forward(x, n)
	for c := range 3 {
		var mu, v float64
		for s := range n {
			for j := range 2 {
				mu += float64(y[s*6+c*2+j]) / (2 * n)
			}
		}
		for s := range n {
			for j := range 2 {
				d := float64(y[s*6+c*2+j]) - mu
				v += d * d / (2 * n)
			}
		}
		if math.Abs(mu) > 1e-5 || math.Abs(v-1) > 1e-3 {
			t.Fatalf("training mode, channel %d: mean %v, variance %v; want 0 and about 1", c, mu, v)
		}
	}
	state := append([]float32(nil), net.State()[0].Value...)
	if state[0] == 0 {
		t.Fatal("training mode left the running mean at 0")
	}
	net.SetTraining(false)
	batch := append([]float32(nil), net.Forward(x, n)...)
	for s := range n {
		row := net.Forward(x[s*3:(s+1)*3], 1)
		for j, v := range row {
			if v != batch[s*6+j] {
				t.Fatalf("row %d alone gives %v, in the batch %v", s, row, batch[s*6:(s+1)*6])
			}
		}
	}
	if net.State()[0].Value[0] != state[0] {
		t.Fatal("the default mode moved the running mean")
	}
}
