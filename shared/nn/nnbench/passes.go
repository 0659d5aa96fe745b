package nnbench

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/gebm/gebm/shared/nn"
)

// MNIST-size networks of the default model (see native/train Defaults).
var (
	Base   = nn.MLP(64, []int{256, 512}, 784, nn.Activation(nn.KindReLU, 0), nn.KindTanh, false)
	Energy = nn.MLP(784, []int{512, 256}, 1, nn.Activation(nn.KindLeakyReLU, 0.2), "", true)
)

// ForwardBackward benchmarks, for the MNIST-size base and energy at batch 64
// and 128, a forward pass followed by a backward pass to the parameters and
// the input (3× the forward FLOPs), with the current default Gemm, and
// reports GFLOP/s and allocations.
func ForwardBackward(b *testing.B) {
	for _, c := range []struct {
		name string
		spec nn.Spec
	}{{"base", Base}, {"energy", Energy}} {
		for _, n := range []int{64, 128} {
			b.Run(fmt.Sprintf("%s/batch=%d", c.name, n), func(b *testing.B) { passes(b, c.spec, n) })
		}
	}
}

func passes(b *testing.B, spec nn.Spec, n int) { passesWith(b, spec, n, nn.DefaultGemm()) }

// passesWith times passes' forward and backward pass with the Gemm g.
func passesWith(b *testing.B, spec nn.Spec, n int, g nn.Gemm) {
	rng := rand.New(rand.NewPCG(1, 1))
	net, err := nn.New(spec, rng)
	if err != nil {
		b.Fatal(err)
	}
	net.SetGemm(g)
	x, dy := random(rng, n*spec.In()), random(rng, n*spec.Out())
	net.Forward(x, n)
	net.Backward(dy, true)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		net.Forward(x, n)
		net.Backward(dy, true)
	}
	flops := 3 * float64(spec.FLOPs()) * float64(n) * float64(b.N)
	b.ReportMetric(flops/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}
