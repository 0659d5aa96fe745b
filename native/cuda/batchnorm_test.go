//go:build cuda

package cuda

import (
	"math/rand/v2"
	"testing"

	"github.com/gebm/gebm/shared/nn"
)

// TestBatchNormKernels runs batchnorm.cu's kernels against shared/nn's
// batchnorm on the same inputs: a network of an identity linear layer
// (W = I, b = 0, exact on both sides: every product but one is by zero)
// and a batchnorm, with random γ, β and running statistics and inputs off
// zero. With the running statistics (the default mode) the output and the
// input gradient are bit-identical to the CPU's; γ's and β's gradients
// are double sums in another order (relative 1e-6). In training mode the
// batch's μ and σ² are such sums too, so the output, the input gradient
// and the running statistics are compared within 1e-6 relative, over two
// forward passes (the running statistics move twice), and a batch of one
// value per channel (M = 1) leaves the running variance alone. The
// evaluation after training uses the updated running statistics. Batches
// of more than bnChunk values a channel take several blocks a channel.
func TestBatchNormKernels(t *testing.T) {
	d := testDevice(t)
	g := testGemms(t, d)[0]
	const tol = 1e-6
	defer func() { maxGridY = 65535 }()
	// The last two have M above bnChunk: several parts a channel, the
	// last one short.
	for ci, s := range [][3]int{{3, 10, 9}, {4, 49, 5}, {64, 1, 7}, {5, 1, 1}, {2, 3, 1}, {2, 100, 90}, {1, 2900, 6}} {
		c, plane, n := s[0], s[1], s[2]
		w := c * plane
		if c == 64 { // blocks stride over channels: the grid has 2 rows for 64
			maxGridY = 2
		} else {
			maxGridY = 65535
		}
		what := name("channels ", c, ", plane ", plane, ", rows ", n, ": ")
		spec := nn.Spec{Layers: []nn.LayerSpec{{Kind: nn.KindLinear, In: w, Out: w}, {Kind: nn.KindBatchNorm, Channels: c}}}
		host, err := nn.New(spec, rand.New(rand.NewPCG(uint64(ci), 3)))
		if err != nil {
			t.Fatal(err)
		}
		rng := rand.New(rand.NewPCG(uint64(ci), 4))
		ps, st := host.Params(), host.State()
		clear(ps[0].Value)
		for i := range w {
			ps[0].Value[i*w+i] = 1
		}
		clear(ps[1].Value)
		copy(ps[2].Value, randn(rng, c, 1))
		copy(ps[3].Value, randn(rng, c, 1))
		copy(st[0].Value, randn(rng, c, 2))
		for i := range st[1].Value {
			st[1].Value[i] = float32(0.1 + 3*rng.Float64())
		}
		p, gr := d.Alloc(host.ParamCount()), d.Alloc(host.ParamCount())
		net, err := NewNetwork(d, g, host, p, gr)
		if err != nil {
			t.Fatal(err)
		}
		if err := net.Upload(); err != nil {
			t.Fatal(err)
		}
		x := randn(rng, n*w, 2)
		for i := range x {
			x[i] += 3
		}
		dy := randn(rng, n*w, 1)
		dx, ddy := upload(t, d, x), upload(t, d, dy)

		pass := func(mode string, exact bool) {
			host.ZeroGrad()
			want := append([]float32(nil), host.Forward(x, n)...)
			wantDx := append([]float32(nil), host.Backward(dy, true)...)
			net.ZeroGrad()
			got := download(t, d, net.Forward(dx, n))
			gotDx := download(t, d, net.Backward(ddy, true))
			if exact {
				sameBits(t, what+mode+"forward", got, want)
				sameBits(t, what+mode+"input gradient", gotDx, wantDx)
			} else {
				near(t, what+mode+"forward", got, want, tol)
				near(t, what+mode+"input gradient", gotDx, wantDx, tol)
			}
			grads := download(t, d, net.Grads())
			off := 0
			for _, hp := range host.Params() {
				near(t, what+mode+hp.Name+" gradient", grads[off:off+len(hp.Grad)], hp.Grad, tol)
				off += len(hp.Grad)
			}
			state := download(t, d, net.state)
			near(t, what+mode+"running mean", state[:c], st[0].Value, tol)
			near(t, what+mode+"running variance", state[c:], st[1].Value, tol)
		}
		pass("running statistics: ", true)
		host.SetTraining(true)
		net.SetTraining(true)
		before := append([]float32(nil), st[1].Value...)
		pass("training, step 1: ", false)
		if n*plane == 1 {
			sameBits(t, what+"device running variance after a batch of one value", download(t, d, net.state)[c:], before)
		}
		pass("training, step 2: ", false)
		host.SetTraining(false)
		net.SetTraining(false)
		pass("running statistics after training: ", false)
		net.Free()
		d.Free(p)
		d.Free(gr)
	}
}

// TestBatchNormNetwork: a DCGAN-like generator with batch normalisation
// after its linear and transposed-convolution layers, in both modes, two
// training steps then evaluation, against shared/nn (forward, input and
// parameter gradients, running statistics), for every matrix product.
func TestBatchNormNetwork(t *testing.T) {
	d := testDevice(t)
	relu := nn.Activation(nn.KindReLU, 0)
	spec := nn.Spec{Layers: []nn.LayerSpec{
		{Kind: nn.KindLinear, In: 3, Out: 4 * 2 * 3}, {Kind: nn.KindBatchNorm, Channels: 4}, relu,
		{Kind: nn.KindConvTranspose2D, In: 4, Out: 3, Height: 2, Width: 3, Kernel: 4, Stride: 2, Padding: 1},
		{Kind: nn.KindBatchNorm, Channels: 3}, relu,
		{Kind: nn.KindConvTranspose2D, In: 3, Out: 1, Height: 4, Width: 6, Kernel: 4, Stride: 2, Padding: 1},
		nn.Activation(nn.KindTanh, 0),
	}}
	for _, g := range testGemms(t, d) {
		host, net := deviceCopy(t, d, g, spec, 5)
		rng := rand.New(rand.NewPCG(5, 6))
		const n = 6
		x, dy := randn(rng, n*host.In(), 1), randn(rng, n*host.Out(), 1)
		dx, ddy := upload(t, d, x), upload(t, d, dy)
		for step, training := range []bool{true, true, false} {
			what := name(g.Name(), " step ", step, " training ", training, ": ")
			host.SetTraining(training)
			net.SetTraining(training)
			checkForwardBackward(t, d, host, net, x, dy, dx, ddy, n, what)
			state := download(t, d, net.state)
			off := 0
			for _, s := range host.State() {
				near(t, what+s.Name, state[off:off+len(s.Value)], s.Value, tolForward)
				off += len(s.Value)
			}
			if err := d.check(); err != nil {
				t.Fatal(err)
			}
			if err := g.Err(); err != nil {
				t.Fatal(err)
			}
		}
	}
}
