package blas_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gebm/gebm/native/blas"
	"github.com/gebm/gebm/shared/nn"
	"github.com/gebm/gebm/shared/nn/nnbench"
	"github.com/gebm/gebm/shared/testenv"
)

// TestMatchesTiled checks that the selected native Gemm agrees with the
// pure-Go kernel on random shapes and all transposes (relative 1e-5·k).
func TestMatchesTiled(t *testing.T) {
	if !blas.Available() {
		testenv.Missing(t, "built without OpenBLAS (apt-get install libopenblas-dev; -tags noopenblas and CGO_ENABLED=0 leave it out)")
	}
	rng := rand.New(rand.NewPCG(1, 2))
	g := blas.Fastest()
	for trial := range 200 {
		m, n, k := 1+rng.IntN(40), 1+rng.IntN(40), 1+rng.IntN(70)
		tA, tB := trial%2 == 0, trial%3 == 0
		a, b := rnd(rng, m*k), rnd(rng, n*k)
		lda, ldb := k, n
		if tA {
			lda = m
		}
		if tB {
			ldb = k
		}
		c1, c2 := rnd(rng, m*n), make([]float32, m*n)
		copy(c2, c1)
		g.Sgemm(tA, tB, m, n, k, 0.7, a, lda, b, ldb, 0.3, c1, n)
		nn.TiledGemm{}.Sgemm(tA, tB, m, n, k, 0.7, a, lda, b, ldb, 0.3, c2, n)
		for i := range c1 {
			if math.Abs(float64(c1[i]-c2[i])) > 1e-5*float64(k)*math.Max(1, math.Abs(float64(c2[i]))) {
				t.Fatalf("trial %d: %v vs %v", trial, c1[i], c2[i])
			}
		}
	}
}

func rnd(rng *rand.Rand, n int) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(rng.NormFloat64())
	}
	return x
}

// BenchmarkGemm puts OpenBLAS beside the pure-Go kernels at the training
// shapes, so the ratio comes from one run.
func BenchmarkGemm(b *testing.B) {
	nnbench.Gemms(b, map[string]nn.Gemm{"tiled": nn.TiledGemm{}, "gonum": nn.GonumGemm, "openblas": blas.Fastest()})
}

// BenchmarkForwardBackward: the MNIST-size networks' passes with OpenBLAS.
func BenchmarkForwardBackward(b *testing.B) { nnbench.ForwardBackward(b) }

// BenchmarkConv: a DCGAN-MNIST-size convolution and transposed convolution
// with OpenBLAS, beside their products alone (nnbench.Conv).
func BenchmarkConv(b *testing.B) { nnbench.Conv(b, blas.Fastest()) }

// TestSetThreads: SetThreads sets the count Threads reports, n < 1 counting
// as 1, and back to the default where the machine has several cores.
func TestSetThreads(t *testing.T) {
	if !blas.Available() {
		testenv.Missing(t, "built without OpenBLAS (apt-get install libopenblas-dev; -tags noopenblas and CGO_ENABLED=0 leave it out)")
	}
	before := blas.Threads()
	defer blas.SetThreads(before)
	blas.SetThreads(1)
	if got := blas.Threads(); got != 1 {
		t.Fatalf("after SetThreads(1), Threads() = %d", got)
	}
	blas.SetThreads(0)
	if got := blas.Threads(); got != 1 {
		t.Fatalf("after SetThreads(0), Threads() = %d, want 1", got)
	}
	if before < 1 {
		t.Fatalf("Threads() was %d before the test", before)
	}
	blas.SetThreads(before)
	if got := blas.Threads(); got != before {
		t.Fatalf("after SetThreads(%d), Threads() = %d", before, got)
	}
}
