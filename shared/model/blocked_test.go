package model

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/gebm/gebm/shared/nn"
)

// evalByBlocks is the reference for BlockedPotential: LatentPotential.Eval
// on consecutive blocks of EvalBlock rows, one after the other, with p.
func evalByBlocks(p *LatentPotential, z []float32, n int) ([]float64, []float32) {
	d := p.Dim()
	u, grad := make([]float64, n), make([]float32, n*d)
	for lo := 0; lo < n; lo += EvalBlock {
		hi := min(n, lo+EvalBlock)
		p.Eval(z[lo*d:hi*d], u[lo:hi], grad[lo*d:hi*d])
	}
	return u, grad
}

// sameBits reports whether a and b hold the same values bit for bit.
func sameBits(u1, u2 []float64, g1, g2 []float32) bool {
	if len(u1) != len(u2) || len(g1) != len(g2) {
		return false
	}
	for i := range u1 {
		if math.Float64bits(u1[i]) != math.Float64bits(u2[i]) {
			return false
		}
	}
	for i := range g1 {
		if math.Float32bits(g1[i]) != math.Float32bits(g2[i]) {
			return false
		}
	}
	return true
}

// TestBlockedPotentialWorkers: with 1, 2 or 3 workers, U and ∇U are bit for
// bit those of the model's own potential run block by block, for a number of
// rows that ends in a partial block; and each copy of the networks alone
// computes a block exactly as the model's own networks do, so the results
// cannot depend on which worker takes which block.
func TestBlockedPotentialWorkers(t *testing.T) {
	g := smallModel(t, true)
	const beta = 2.5
	n := 2*EvalBlock + 37
	z := make([]float32, n*g.Latent())
	SampleLatents(rand.New(rand.NewPCG(5, 5)), z)
	wantU, wantG := evalByBlocks(g.Potential(beta), z, n)
	for _, w := range []int{0, 1, 2, 3} {
		p := g.BlockedPotential(beta, w)
		if p.Workers() != max(w, 1) || p.Beta() != beta || p.Dim() != g.Latent() {
			t.Fatalf("workers %d: Workers %d, Beta %v, Dim %d", w, p.Workers(), p.Beta(), p.Dim())
		}
		u, grad := make([]float64, n), make([]float32, n*g.Latent())
		for range 3 {
			p.Eval(z, u, grad)
			if !sameBits(u, wantU, grad, wantG) {
				t.Fatalf("workers %d: Eval differs from the model's potential block by block", w)
			}
		}
		if len(p.parts) != max(w, 1) {
			t.Fatalf("workers %d: %d copies of the networks after Eval on 3 blocks", w, len(p.parts))
		}
		for k, part := range p.parts {
			pu, pg := evalByBlocks(part, z[:EvalBlock*g.Latent()], EvalBlock)
			if !sameBits(pu, wantU[:EvalBlock], pg, wantG[:EvalBlock*g.Latent()]) {
				t.Fatalf("workers %d: copy %d computes a block differently", w, k)
			}
		}
	}
}

// TestBlockedPotentialSetBeta: SetBeta reaches every copy.
func TestBlockedPotentialSetBeta(t *testing.T) {
	g := smallModel(t, false)
	n := 3 * EvalBlock
	z := make([]float32, n*g.Latent())
	SampleLatents(rand.New(rand.NewPCG(6, 6)), z)
	p := g.BlockedPotential(1, 3)
	u, grad := make([]float64, n), make([]float32, n*g.Latent())
	p.Eval(z, u, grad) // makes the copies
	p.SetBeta(40)
	p.Eval(z, u, grad)
	wantU, wantG := evalByBlocks(g.Potential(40), z, n)
	if !sameBits(u, wantU, grad, wantG) || p.Beta() != 40 {
		t.Fatal("after SetBeta(40) the copies do not all evaluate U at β = 40")
	}
}

// panicBase is a base whose forward pass panics.
type panicBase struct{ Generator }

func (panicBase) Forward([]float32, int) []float32 { panic("base failed") }

// TestBlockedPotentialPanic: a panic in a worker comes back to the caller
// of Eval with its value, as does a call with too few values.
func TestBlockedPotentialPanic(t *testing.T) {
	g := smallModel(t, false)
	p := g.BlockedPotential(1, 3)
	p.grow(3)
	for _, part := range p.parts {
		part.Base = panicBase{part.Base}
	}
	n := 4 * EvalBlock
	z := make([]float32, n*g.Latent())
	catch := func(f func()) (r any) {
		defer func() { r = recover() }()
		f()
		return nil
	}
	if r := catch(func() { p.Eval(z, make([]float64, n), make([]float32, n*g.Latent())) }); r != "base failed" {
		t.Fatalf("panic %v, want the worker's", r)
	}
	q := g.BlockedPotential(1, 2)
	if r := catch(func() { q.Eval(z[:5], make([]float64, n), make([]float32, n*g.Latent())) }); r == nil {
		t.Fatal("Eval with too few latent values did not panic")
	}
}

// TestNewChains: the chains start at the latents SampleLatents draws from
// the same stream, with U cached from the potential there.
func TestNewChains(t *testing.T) {
	g := smallModel(t, true)
	p := g.BlockedPotential(3, 2)
	const n = 300
	ch, err := p.NewChains(rand.New(rand.NewPCG(9, 9)), n)
	if err != nil {
		t.Fatal(err)
	}
	z := make([]float32, n*g.Latent())
	SampleLatents(rand.New(rand.NewPCG(9, 9)), z)
	if !slices.Equal(ch.Z(), z) {
		t.Fatal("the chains do not start at SampleLatents' draws")
	}
	wantU, wantG := evalByBlocks(g.Potential(3), z, n)
	if !sameBits(ch.U(), wantU, ch.Grad(), wantG) {
		t.Fatal("the chains' cached U and ∇U are not the potential's")
	}
	if _, err := p.NewChains(rand.New(rand.NewPCG(9, 9)), 0); err == nil {
		t.Fatal("0 chains: no error")
	}
}

// TestBlockedPotentialCopiesOnDemand: a potential that only ever evaluates
// one block makes no copy of the networks, whatever its workers.
func TestBlockedPotentialCopiesOnDemand(t *testing.T) {
	g := smallModel(t, false)
	p := g.BlockedPotential(1, 4)
	z := make([]float32, EvalBlock*g.Latent())
	p.Eval(z, make([]float64, EvalBlock), make([]float32, EvalBlock*g.Latent()))
	if len(p.parts) != 1 {
		t.Fatalf("%d copies of the networks after one block", len(p.parts))
	}
}

// TestBlockedPotentialOneWorkerAllocs: with one worker, Eval over several
// blocks allocates nothing once the networks' buffers exist (the browser's
// sampler steps without garbage). The networks multiply with the tiled Go
// kernel, WebAssembly's, which allocates nothing either (gonum's, the
// native default in this package's tests, starts goroutines).
func TestBlockedPotentialOneWorkerAllocs(t *testing.T) {
	g := smallModel(t, true)
	g.Base.SetGemm(nn.TiledGemm{})
	g.Energy.SetGemm(nn.TiledGemm{})
	n := 2*EvalBlock + 5
	z := make([]float32, n*g.Latent())
	SampleLatents(rand.New(rand.NewPCG(7, 7)), z)
	u, grad := make([]float64, n), make([]float32, n*g.Latent())
	p := g.BlockedPotential(1, 1)
	p.Eval(z, u, grad)
	if a := testing.AllocsPerRun(20, func() { p.Eval(z, u, grad) }); a != 0 {
		t.Fatalf("%v allocations per Eval with one worker", a)
	}
}
