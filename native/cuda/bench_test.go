//go:build cuda

package cuda_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/gebm/gebm/native/cuda"
	"github.com/gebm/gebm/native/train"
)

// BenchmarkIteration times one training iteration — an energy step and a
// base step, as native/train's BenchmarkIteration — at the MNIST default
// size (latent 64, base 64→256→512→784, energy 784→512→256→1
// with spectral normalisation, gradient penalty 1) at batch 128 and 512
// (the sizes issue 16 compares), on the CPU backend and on the GPU with
// each matrix product. it/s is iterations per second;
// scripts/bench/torch_train.py times the same iteration in PyTorch.
func BenchmarkIteration(b *testing.B) {
	o := train.Defaults("mnist")
	benchIteration(b, &o, 784, func() *setup { return newSetup(b, &o, 784, 1) })
}

// BenchmarkIterationConv times the same iteration on the convolutional
// model of nn's Example_convolutional at MNIST size (latent 64, batch 128
// and 512):
// a DCGAN-like base 64→128×7×7 (linear, batchnorm, ReLU), transposed
// convolutions to 64×14×14 (batchnorm, ReLU) and 1×28×28 (tanh), and an
// SN-ConvNet energy, convolutions 1→64 (28×28) and 64→128 (14×14), kernel
// 4, stride 2, LeakyReLU 0.2, then a spectrally normalised linear layer.
// scripts/gpu-check.sh runs it beside BenchmarkIteration.
func BenchmarkIterationConv(b *testing.B) {
	o := train.Defaults("mnist")
	benchIteration(b, &o, 784, func() *setup { return dcganSetup(b, &o, 1) })
}

// benchBatches are the batch sizes each iteration benchmark runs at.
var benchBatches = []int{128, 512}

func benchIteration(b *testing.B, o *train.Options, dim int, mk func() *setup) {
	for _, batch := range benchBatches {
		b.Run(fmt.Sprintf("batch=%d", batch), func(b *testing.B) {
			o.Batch = batch
			benchBackends(b, o, dim, mk)
		})
	}
}

// benchBackends times the iteration of mk's model at o.Batch on each backend.
func benchBackends(b *testing.B, o *train.Options, dim int, mk func() *setup) {
	o.Out = b.TempDir()
	backends := []struct{ name, device, gemm string }{{"cpu", "cpu", ""}, {"cuda-kernel", "cuda", "kernel"}}
	if cuda.HaveCublas {
		backends = append(backends, struct{ name, device, gemm string }{"cuda-cublas", "cuda", "cublas"})
	}
	for _, be := range backends {
		b.Run(be.name, func(b *testing.B) {
			o.CUDAGemm = be.gemm
			s := mk()
			back, err := train.NewBackend(be.device, s.m, o.Config, s.a, s.optE, s.optB)
			if err != nil {
				b.Fatal(err)
			}
			rng := rand.New(rand.NewPCG(1, 2))
			x, z, alpha := uniform(rng, o.Batch*dim, -1, 1), normal(rng, o.Batch*o.Latent), uniform(rng, o.Batch, 0, 1)
			step := func() {
				if _, err := back.EnergyStep(x, z, alpha, 1); err != nil {
					b.Fatal(err)
				}
				if _, err := back.BaseStep(z, 1); err != nil {
					b.Fatal(err)
				}
			}
			step() // warm up: first upload, kernel JIT, cuBLAS heuristics
			b.ResetTimer()
			for range b.N {
				step()
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "it/s")
		})
	}
}

// BenchmarkGemmConv times the kernel SGEMM alone on the largest products
// of BenchmarkIterationConv's iteration at batch 512, those of the
// energy's second convolution (64→128 channels at 14×14, k = 64·4·4 = 1024,
// 512·7·7 = 25088 positions): the forward product W·im2col(x), the input
// gradient Wᵀ·dY and the weight gradient dY·im2col(x)ᵀ (split-K); the
// generator's first transposed convolution makes the same shapes. It
// reports TFLOP/s (2mnk a product), to be read against the GPU's FP32
// peak: about 67 on an H200.
func BenchmarkGemmConv(b *testing.B) {
	d, err := cuda.Open(0)
	if err != nil {
		b.Fatal(err)
	}
	g, err := cuda.NewGemm(d, "kernel")
	if err != nil {
		b.Fatal(err)
	}
	for _, s := range []struct {
		name    string
		tA, tB  bool
		m, n, k int
	}{
		{"forward-nn", false, false, 128, 25088, 1024},
		{"input-grad-tn", true, false, 1024, 25088, 128},
		{"weight-grad-nt", false, true, 128, 1024, 25088},
	} {
		b.Run(s.name, func(b *testing.B) {
			lda, ldb := s.k, s.n
			if s.tA {
				lda = s.m
			}
			if s.tB {
				ldb = s.k
			}
			x, y, c := d.Alloc(s.m*s.k), d.Alloc(s.k*s.n), d.Alloc(s.m*s.n)
			defer func() { d.Free(x); d.Free(y); d.Free(c) }()
			product := func() { g.Sgemm(s.tA, s.tB, s.m, s.n, s.k, 1, x, lda, y, ldb, 0, c, s.n) }
			product() // warm up: the JIT, split-K's buffer
			if err := d.Synchronize(); err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for range b.N {
				product()
			}
			if err := d.Synchronize(); err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(2*float64(s.m)*float64(s.n)*float64(s.k)*float64(b.N)/b.Elapsed().Seconds()/1e12, "TFLOP/s")
		})
	}
}
