package model

import "fmt"

// EnergyValues is what the latent tilt needs of an energy: its values for a
// batch, without gradients (*nn.Network with one output).
type EnergyValues interface {
	Forward(x []float32, n int) []float32
}

// LatentTilt is the GEBM's latent posterior at inverse temperature Beta
// without its Gaussian part,
//
//	V(z) = β E(B(z)),  so that  ν(z) ∝ N(z; 0, I) exp(−V(z)),
//
// the same law as LatentPotential's exp(−U) with U(z) = ||z||²/2 + V(z). It
// needs only forward passes. It implements sample.Tilt, for
// sampling–importance–resampling (sample.SIR), whose weights exp(−V(z)) turn
// generator samples into GEBM samples.
type LatentTilt struct {
	Base   Generator
	Energy EnergyValues
	Beta   float64
}

// Tilt returns the latent tilt of g at inverse temperature beta.
func (g *GEBM) Tilt(beta float64) *LatentTilt {
	return &LatentTilt{Base: g.Base, Energy: g.Energy, Beta: beta}
}

// Dim is the latent size.
func (t *LatentTilt) Dim() int { return t.Base.In() }

// Eval computes V(z_i) = β E(B(z_i)) for the n = len(v) latents in z (a
// non-finite energy gives a non-finite V).
func (t *LatentTilt) Eval(z []float32, v []float64) {
	n, d := len(v), t.Base.In()
	if len(z) < n*d {
		panic(fmt.Sprintf("model: LatentTilt.Eval: %d latents of size %d need %d values", n, d, n*d))
	}
	x := t.Base.Forward(z[:n*d], n)
	e := t.Energy.Forward(x, n)
	for i := range v {
		v[i] = t.Beta * float64(e[i])
	}
}
