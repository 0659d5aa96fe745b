package main

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/gebm/gebm/shared/model"
	"github.com/gebm/gebm/shared/sample"
)

func testSampler(t *testing.T) latentSampler {
	t.Helper()
	m, err := loadModel(writeModel(t, t.TempDir(), "m.gebm", 2, nil))
	if err != nil {
		t.Fatal(err)
	}
	cfg := sample.Config{Method: sample.MALA, StepSize: 0.05, Steps: 3}
	return latentSampler{m: m, cfg: cfg, beta: 2}
}

// TestLatentSamplerBatches: n chains come in consecutive batches of
// chainBatch rows that cover 0..n once, the same seed gives the same
// samples, and acceptance counts every chain.
func TestLatentSamplerBatches(t *testing.T) {
	ls := testSampler(t)
	B := chainBatch(ls.m)
	if B != maxChainBatch {
		t.Fatalf("a small 2-D model gets batches of %d chains, want %d", B, maxChainBatch)
	}
	n := 2*B + 37
	draw := func() ([]float32, []int, acceptance) {
		x := make([]float32, 2*n)
		var starts []int
		acc, err := ls.run(n, rand.New(rand.NewPCG(3, 3)), nil, func(lo, rows int, _, gebm []float32) error {
			starts = append(starts, lo, rows)
			copy(x[2*lo:], gebm[:2*rows])
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return x, starts, acc
	}
	x, starts, acc := draw()
	if want := []int{0, B, B, B, 2 * B, 37}; !slices.Equal(starts, want) {
		t.Fatalf("batches (first row, rows) %v, want %v", starts, want)
	}
	if acc.n != n || !(acc.mean() > 0) {
		t.Fatalf("acceptance over %d chains, mean %v", acc.n, acc.mean())
	}
	if y, _, _ := draw(); !slices.Equal(x, y) {
		t.Fatal("same seed, different samples")
	}
}

// TestLatentSamplerOneBatchAsBefore: up to chainBatch chains, the samples
// are those of one set of chains drawn from the seed's stream (latents, then
// the MCMC), as gebm sample and eval drew them before chains ran in batches;
// the potential is evaluated model.EvalBlock chains at a time, as in the
// browser's sampler.
func TestLatentSamplerOneBatchAsBefore(t *testing.T) {
	ls := testSampler(t)
	const n = 500
	var got []float32
	if _, err := ls.run(n, rand.New(rand.NewPCG(4, 4)), nil, func(_, rows int, _, gebm []float32) error {
		got = append(got, gebm[:2*rows]...)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(4, 4))
	z0 := make([]float32, n*ls.m.Latent())
	model.SampleLatents(rng, z0)
	ch, err := sample.NewChains(ls.m.BlockedPotential(ls.beta, 1), z0, n)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ch.Run(ls.cfg, rng, nil); err != nil {
		t.Fatal(err)
	}
	if want := ls.m.Generate(ch.Z(), n, nil); !slices.Equal(got, want) {
		t.Fatal("one batch differs from one set of chains on the same stream")
	}
}

// TestLatentSamplerWorkers: the samples and acceptance rates of a seed are
// the same, bit for bit, whether one, two or three workers evaluate the
// potential (three batches of several blocks each).
func TestLatentSamplerWorkers(t *testing.T) {
	ls := testSampler(t)
	n := 2*chainBatch(ls.m) + 37
	draw := func(workers int) ([]float32, acceptance) {
		ls.workers = workers
		x := make([]float32, 0, 2*n)
		acc, err := ls.run(n, rand.New(rand.NewPCG(8, 8)), nil, func(_, rows int, _, gebm []float32) error {
			x = append(x, gebm[:2*rows]...)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return x, acc
	}
	x1, acc1 := draw(1)
	for _, w := range []int{2, 3} {
		if x, acc := draw(w); !slices.Equal(x, x1) || acc != acc1 {
			t.Fatalf("%d workers: samples or acceptance differ from one worker's", w)
		}
	}
}

// TestChainBatchFitsMemory: a wide model gets fewer chains per batch, so
// that a batch stays within batchBytes.
func TestChainBatchFitsMemory(t *testing.T) {
	wide, err := loadModel(writeModel(t, t.TempDir(), "wide.gebm", 16384, nil))
	if err != nil {
		t.Fatal(err)
	}
	b := chainBatch(wide)
	if b >= maxChainBatch || b*bytesPerChain(wide) > batchBytes {
		t.Fatalf("a 16384-dimensional model gets %d chains per batch of %d bytes each", b, bytesPerChain(wide))
	}
}

// TestAcceptanceSummary: mean, range and median over batches are those of
// all chains together; differing step sizes are shown as a range.
func TestAcceptanceSummary(t *testing.T) {
	var a acceptance
	a.add(&sample.Result{StepSize: 0.1, AcceptRate: []float64{0.9, 0.1, 0.5}})
	a.add(&sample.Result{StepSize: 0.2, AcceptRate: []float64{0.3, 0.7}})
	if a.n != 5 || a.mean() != (0.9+0.1+0.5+0.3+0.7)/5 || a.lo != 0.1 || a.hi != 0.9 || a.median() != 0.5 {
		t.Fatalf("summary %+v: mean %v, median %v", a, a.mean(), a.median())
	}
	if s := a.String(); !strings.Contains(s, "median 0.500") || !strings.Contains(s, "step size 0.1 to 0.2") {
		t.Fatalf("summary %q", s)
	}
	if got, want := a.stepSize(), (3*0.1+2*0.2)/5; got != want {
		t.Fatalf("mean step size %v, want %v", got, want)
	}
}
