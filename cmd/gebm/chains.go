package main

import (
	"math/rand/v2"
	"runtime"

	"github.com/gebm/gebm/native/blas"
	"github.com/gebm/gebm/shared/model"
	"github.com/gebm/gebm/shared/nn"
	"github.com/gebm/gebm/shared/sample"
)

// Chains are sampled in batches so that memory does not grow with their
// number: only the samples a batch produces are kept, by the caller. Within
// a batch the potential is evaluated model.EvalBlock chains at a time, by
// one worker per core (model.BlockedPotential), so a batch holds its
// chains' state and the networks' buffers for a few blocks, not for all its
// chains.
const (
	// maxChainBatch is the most chains in a batch. Results for a seed do
	// not depend on the batch size for --n up to it: with one batch, the
	// random stream is used as it was before chains were batched.
	maxChainBatch = 2000
	// batchBytes is the memory a batch's activations may take, by
	// bytesPerChain's estimate, which counts them for every chain of the
	// batch at once, as gebm did before the potential ran in blocks. That
	// estimate no longer measures the memory, but it sets the batch size,
	// and with it the random stream of --n above one batch: it is kept so
	// that a seed gives the samples it gave.
	batchBytes = 256 << 20
)

// chainBatch is the number of chains sampled together for model m: as many
// as fit in batchBytes by bytesPerChain's estimate, between 1 and
// maxChainBatch. It depends only on the model's architecture, so a seed gives
// the same samples on every machine.
func chainBatch(m *model.GEBM) int {
	return max(1, min(maxChainBatch, batchBytes/bytesPerChain(m)))
}

// bytesPerChain estimates the memory one chain needs during a latent MCMC
// step: every layer output of the base and the energy (float32) kept for the
// backward pass, its gradient, and as much again for the networks' other
// buffers; plus the chain's own state (about ten latent vectors).
func bytesPerChain(m *model.GEBM) int {
	width := 0
	for _, s := range []nn.Spec{m.Base.Spec(), m.Energy.Spec()} {
		w := 0
		for _, l := range s.Layers {
			if l.Kind == nn.KindLinear {
				w = l.Out
			}
			width += w
		}
	}
	return 4 * (3*width + 10*m.Latent())
}

// latentSampler draws samples of a model: the generator at z ~ N(0, I), then
// (unless the sampler is none) latent MCMC from those latents.
type latentSampler struct {
	m    *model.GEBM
	cfg  sample.Config
	none bool
	beta float64
	// workers is the number of goroutines that evaluate the potential
	// (model.BlockedPotential); 0 means one per core, runtime.GOMAXPROCS.
	// The samples do not depend on it.
	workers int
}

// batches returns the number of batches run uses for n chains.
func (ls latentSampler) batches(n int) int {
	b := chainBatch(ls.m)
	return (n + b - 1) / b
}

// run draws n samples in batches of chainBatch chains. For each batch, in
// order, it draws the latents z0 from rng, then runs the MCMC (unless none)
// with rng, and calls visit with the batch's first row lo, its number of
// rows, the generator's samples B(z0) and the GEBM's samples B(z_K) (nil for
// none); the slices are valid only during the call. progress (not nil) sees
// the sampling steps done over all batches (steps × batches in all). The
// result summarises acceptance over all chains (zero for none).
//
// The chains are those of the browser's sampler (model.NewChains on a
// model.BlockedPotential, stepped by sample.Chains), with ls.workers
// workers. OpenBLAS is kept to one thread for the rest of the process: the
// workers use the cores, and a product's result then does not depend on the
// machine's number of cores (docs/RATIONALE.md, "Chains in batches").
func (ls latentSampler) run(n int, rng *rand.Rand, progress func(step int), visit func(lo, rows int, gen, gebm []float32) error) (acceptance, error) {
	var acc acceptance
	d, B := ls.m.Latent(), chainBatch(ls.m)
	blas.SetThreads(1)
	var (
		pot *model.BlockedPotential // the MCMC's
		z0  []float32               // the generator's latents, for none
	)
	if ls.none {
		z0 = make([]float32, min(n, B)*d)
	} else {
		workers := ls.workers
		if workers < 1 {
			workers = runtime.GOMAXPROCS(0)
		}
		pot = ls.m.BlockedPotential(ls.beta, workers)
	}
	for b, lo := 0, 0; lo < n; b, lo = b+1, lo+B {
		rows := min(B, n-lo)
		if ls.none {
			z := z0[:rows*d]
			model.SampleLatents(rng, z)
			if err := visit(lo, rows, generate(ls.m, z, rows), nil); err != nil {
				return acc, err
			}
			continue
		}
		ch, err := pot.NewChains(rng, rows)
		if err != nil {
			return acc, err
		}
		gen := generate(ls.m, ch.Z(), rows)
		res, err := ch.Run(ls.cfg, rng, func(rec int, _ []float32, _ []float64) {
			if progress != nil {
				progress(b*ls.cfg.Steps + rec + 1)
			}
		})
		if err != nil {
			return acc, err
		}
		acc.add(res)
		if err := visit(lo, rows, gen, generate(ls.m, ch.Z(), rows)); err != nil {
			return acc, err
		}
	}
	return acc, nil
}

// generate maps latents through the base in batches of at most 1000 rows.
func generate(m *model.GEBM, z []float32, n int) []float32 {
	d, D := m.Latent(), m.Dim()
	x := make([]float32, n*D)
	const batch = 1000
	for lo := 0; lo < n; lo += batch {
		hi := min(lo+batch, n)
		copy(x[lo*D:hi*D], m.Generate(z[lo*d:hi*d], hi-lo, nil))
	}
	return x
}
