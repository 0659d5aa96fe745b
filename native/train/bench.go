package train

import (
	"time"

	"github.com/gebm/gebm/shared/nn"
)

// BenchResult is the speed of training iterations on one device.
type BenchResult struct {
	Device      string
	Iterations  int
	Seconds     float64
	ItersPerSec float64 // one energy step and one base step per iteration
	// CPUSecondsPerIter is the process's CPU time (user and system, all
	// threads) per timed iteration: on a machine shared with other work it
	// measures the work itself, where ItersPerSec also measures the share
	// of the cores the process got. 0 where the platform does not say.
	CPUSecondsPerIter float64
	GFLOPs            float64 // matrix-product arithmetic per iteration, in GFLOP
	GFLOPsPerSec      float64
	Batch, Latent     int
	Base, Energy      []int // hidden widths
}

// gemmCall is the shape of one matrix product.
type gemmCall struct {
	tA, tB  bool
	m, n, k int
}

// recordingGemm passes products through and records their shapes.
type recordingGemm struct {
	nn.Gemm
	calls []gemmCall
}

func (r *recordingGemm) Sgemm(tA, tB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	r.calls = append(r.calls, gemmCall{tA, tB, m, n, k})
	r.Gemm.Sgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// iterationFLOPs counts the matrix-product FLOPs of one iteration by running
// one on a CPU copy of the model with a recording Gemm (the count depends on
// the architecture and batch only, not on the device).
func iterationFLOPs(o Options) (float64, []gemmCall, error) {
	o.Device = "cpu"
	o.Resume = false
	t, err := New(o)
	if err != nil {
		return 0, nil, err
	}
	rec := &recordingGemm{Gemm: nn.DefaultGemm()}
	t.Model.Base.SetGemm(rec)
	t.Model.Energy.SetGemm(rec)
	if err := t.iteration(1); err != nil {
		return 0, nil, err
	}
	var f float64
	for _, c := range rec.calls {
		f += 2 * float64(c.m) * float64(c.n) * float64(c.k)
	}
	return f, rec.calls, nil
}

// iteration runs one energy step and one base step on fresh random draws.
func (t *Trainer) iteration(lrScale float64) error {
	if err := t.core.EnergyStep(lrScale); err != nil {
		return err
	}
	return t.core.BaseStep(lrScale)
}

// Bench times iters training iterations (after 3 untimed ones) with the
// options' model size, batch and device.
func Bench(o Options, iters int) (BenchResult, error) {
	flops, _, err := iterationFLOPs(o)
	if err != nil {
		return BenchResult{}, err
	}
	t, err := New(o)
	if err != nil {
		return BenchResult{}, err
	}
	for range 3 {
		if err := t.iteration(1); err != nil {
			return BenchResult{}, err
		}
	}
	if err := t.core.Back.Sync(); err != nil {
		return BenchResult{}, err
	}
	start, cpu0 := time.Now(), processCPU()
	for range iters {
		if err := t.iteration(1); err != nil {
			return BenchResult{}, err
		}
	}
	if err := t.core.Back.Sync(); err != nil { // waits for a device to finish
		return BenchResult{}, err
	}
	secs, cpu := time.Since(start).Seconds(), processCPU()-cpu0
	return BenchResult{Device: t.core.Back.Name(), Iterations: iters, Seconds: secs, ItersPerSec: float64(iters) / secs,
		CPUSecondsPerIter: cpu / float64(iters),
		GFLOPs:            flops / 1e9, GFLOPsPerSec: flops * float64(iters) / secs / 1e9,
		Batch: o.Batch, Latent: o.Latent, Base: o.BaseHidden, Energy: o.EnergyHidden}, nil
}
