package model

import (
	"math/rand/v2"

	"github.com/gebm/gebm/shared/sample"
)

// NewChains draws n latents z_i ~ N(0, I) from rng (SampleLatents on n×d
// values, chain after chain) and returns n Markov chains of package sample
// started there, targeting exp(−U) for p. Later steps of the chains draw
// from whatever stream the caller passes them. gebm sample, gebm eval and
// the browser's sampler (wasm/sampler) all start their chains here, and all
// step them with sample.Chains on p: one code path for a latent step.
func (p *BlockedPotential) NewChains(rng *rand.Rand, n int) (*sample.Chains, error) {
	z := make([]float32, max(n, 0)*p.Dim())
	SampleLatents(rng, z)
	return sample.NewChains(p, z, n)
}
