package nn_test

import (
	"testing"

	"github.com/gebm/gebm/shared/nn"
	"github.com/gebm/gebm/shared/nn/nnbench"
)

// BenchmarkGemm compares the Go kernels at the MNIST model's shapes
// (batch 128: the base's 512→784 layer and the energy's 784→512 layer).
// Run with -bench Gemm; compare GFLOP/s within one run.
func BenchmarkGemm(b *testing.B) {
	nnbench.Gemms(b, map[string]nn.Gemm{"tiled": nn.TiledGemm{}, "gonum": nn.GonumGemm})
}

// BenchmarkForwardBackward: the MNIST-size networks' passes with the
// platform's default Gemm (pure Go; native/blas's benchmark adds OpenBLAS).
func BenchmarkForwardBackward(b *testing.B) { nnbench.ForwardBackward(b) }

// BenchmarkConv: a DCGAN-MNIST-size convolution and transposed convolution,
// forward and backward, beside their products alone (the layout's cost);
// native/blas's BenchmarkConv runs the same on OpenBLAS.
func BenchmarkConv(b *testing.B) { nnbench.Conv(b, nn.DefaultGemm()) }
