package model

import "fmt"

// Generator is what the latent potential needs of a base: a forward pass
// and the vector-Jacobian product J_B(z)^T v of that pass (*nn.Network).
type Generator interface {
	In() int
	Out() int
	Forward(z []float32, n int) []float32
	Backward(dy []float32, params bool) []float32
}

// ScalarField is what it needs of an energy: values and input gradients for
// a batch (*nn.Network with one output).
type ScalarField interface {
	InputGrad(x []float32, n int) (f, grad []float32)
}

// LatentPotential is the GEBM's posterior on latents at inverse temperature
// Beta,
//
//	U(z) = ||z||²/2 + β E(B(z)),  ∇U(z) = z + β J_B(z)^T ∇_x E(B(z)),
//
// so that ν(z) ∝ exp(-U(z)) = N(z; 0, I) exp(-β E(B(z))). β = 1 is the model
// itself; β > 1 sharpens it towards the energy's modes. It implements
// sample.Potential.
type LatentPotential struct {
	Base   Generator
	Energy ScalarField
	Beta   float64
	v      []float32 // β ∇_x E, the vector pulled back through the base
}

// Potential returns the latent potential of g at inverse temperature beta.
func (g *GEBM) Potential(beta float64) *LatentPotential {
	return &LatentPotential{Base: g.Base, Energy: g.Energy, Beta: beta}
}

// Dim is the latent size.
func (p *LatentPotential) Dim() int { return p.Base.In() }

// Eval computes U and ∇U for the n = len(u) latents in z.
func (p *LatentPotential) Eval(z []float32, u []float64, grad []float32) {
	n, d, D := len(u), p.Base.In(), p.Base.Out()
	if len(z) < n*d || len(grad) < n*d {
		panic(fmt.Sprintf("model: LatentPotential.Eval: %d latents of size %d need %d values", n, d, n*d))
	}
	x := p.Base.Forward(z, n)
	e, gx := p.Energy.InputGrad(x, n)
	if cap(p.v) < n*D {
		p.v = make([]float32, n*D)
	}
	v := p.v[:n*D]
	beta := float32(p.Beta)
	for i, g := range gx[:n*D] {
		v[i] = beta * g
	}
	gz := p.Base.Backward(v, false)
	for i := 0; i < n; i++ {
		zi := z[i*d : (i+1)*d]
		var sq float64
		for j, zv := range zi {
			sq += float64(zv) * float64(zv)
			grad[i*d+j] = zv + gz[i*d+j]
		}
		u[i] = sq/2 + p.Beta*float64(e[i])
	}
}
