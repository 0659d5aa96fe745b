package model

import (
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/gebm/gebm/shared/nn"
)

// EvalBlock is the most latents one network pass of a BlockedPotential
// takes: large enough that the matrix products run near their best speed,
// small enough that a pass's activations stay near the caches (about 11 MB
// for the MNIST model) and that a batch of chains splits into several
// blocks for the workers.
const EvalBlock = 256

// BlockedPotential is the latent potential of a GEBM at inverse
// temperature β,
//
//	U(z) = ||z||²/2 + β E(B(z)),  ∇U(z) = z + β J_B(z)^T ∇_x E(B(z)),
//
// evaluated EvalBlock latents at a time: the rows of a call are cut into
// consecutive blocks of EvalBlock (the last one shorter), and each block
// is evaluated by one of Workers copies of the networks, the copies
// running concurrently. A row's U and ∇U depend only on its block, never
// on which copy evaluated it or how many copies there are, so results do
// not depend on the number of workers (the copies hold the same weights
// and use the same matrix product). It implements sample.Potential; it is
// the potential of every latent chain gebm runs, in gebm sample and eval
// and in the browser's sampler (see NewChains).
type BlockedPotential struct {
	g       *GEBM
	beta    float64
	workers int
	parts   []*LatentPotential // parts[0] uses the model's own networks; the others are made as needed
}

// BlockedPotential returns the latent potential of g at inverse temperature
// beta, evaluated by workers (at least 1) copies of its networks. The first
// copy is g's own networks; the others are made by the first Eval that has
// blocks for them, each holding the weights again (nn.NewUninitialized, the
// parameters and state copied, spectral normalisation recomputed from them
// as Load does, products by nn.DefaultGemm). So a potential that never
// evaluates more than one block at once allocates no copy. g's networks must
// be current (as after Load or Refresh) and must not run passes of their
// own during an Eval.
func (g *GEBM) BlockedPotential(beta float64, workers int) *BlockedPotential {
	return &BlockedPotential{g: g, beta: beta, workers: max(workers, 1), parts: []*LatentPotential{g.Potential(beta)}}
}

// grow makes sure p has k copies of the networks (k ≤ p.workers).
func (p *BlockedPotential) grow(k int) {
	for len(p.parts) < k {
		p.parts = append(p.parts, &LatentPotential{Base: copyNetwork(p.g.Base), Energy: copyNetwork(p.g.Energy), Beta: p.beta})
	}
}

// copyNetwork returns a network with net's architecture, parameters and
// state, and buffers of its own.
func copyNetwork(net *nn.Network) *nn.Network {
	c, err := nn.NewUninitialized(net.Spec())
	if err != nil { // net was built from this spec
		panic(fmt.Sprintf("model: copying a network: %v", err))
	}
	for _, pair := range [][2][]*nn.Param{{c.Params(), net.Params()}, {c.State(), net.State()}} {
		for i, p := range pair[0] {
			copy(p.Value, pair[1][i].Value)
		}
	}
	c.Refresh(0)
	return c
}

// Dim is the latent size.
func (p *BlockedPotential) Dim() int { return p.parts[0].Dim() }

// Beta returns the inverse temperature β.
func (p *BlockedPotential) Beta() float64 { return p.beta }

// SetBeta changes the inverse temperature of every copy.
func (p *BlockedPotential) SetBeta(beta float64) {
	p.beta = beta
	for _, part := range p.parts {
		part.Beta = beta
	}
}

// Workers returns the number of copies of the networks that evaluate
// blocks concurrently.
func (p *BlockedPotential) Workers() int { return p.workers }

// Eval computes u[i] = U(z_i) and grad[i*d:(i+1)*d] = ∇U(z_i) for the
// n = len(u) latents in z, block by block as the type describes. With one
// worker, or one block, it runs in the caller's goroutine and allocates
// nothing. A panic in a worker is raised again in the caller's goroutine,
// once every worker has stopped.
func (p *BlockedPotential) Eval(z []float32, u []float64, grad []float32) {
	n, d := len(u), p.Dim()
	if len(z) < n*d || len(grad) < n*d {
		panic(fmt.Sprintf("model: BlockedPotential.Eval: %d latents of size %d need %d values", n, d, n*d))
	}
	blocks := (n + EvalBlock - 1) / EvalBlock
	if p.workers == 1 || blocks <= 1 {
		for lo := 0; lo < n; lo += EvalBlock {
			hi := min(n, lo+EvalBlock)
			p.parts[0].Eval(z[lo*d:hi*d], u[lo:hi], grad[lo*d:hi*d])
		}
		return
	}
	var (
		next     atomic.Int64 // the next block to evaluate
		wg       sync.WaitGroup
		mu       sync.Mutex
		panicked any
	)
	run := func(part *LatentPotential) {
		defer func() {
			if r := recover(); r != nil {
				mu.Lock()
				panicked = r
				mu.Unlock()
				next.Store(int64(blocks)) // the others stop after their block
			}
		}()
		for {
			b := int(next.Add(1)) - 1
			if b >= blocks {
				return
			}
			lo, hi := b*EvalBlock, min(n, (b+1)*EvalBlock)
			part.Eval(z[lo*d:hi*d], u[lo:hi], grad[lo*d:hi*d])
		}
	}
	k := min(p.workers, blocks)
	p.grow(k)
	for _, part := range p.parts[1:k] {
		wg.Go(func() { run(part) })
	}
	run(p.parts[0])
	wg.Wait()
	if panicked != nil {
		panic(panicked)
	}
}
