package model

import "math/rand/v2"

// SampleLatents fills z (n×d, row-major) with independent N(0, 1) draws.
func SampleLatents(rng *rand.Rand, z []float32) {
	for i := range z {
		z[i] = float32(rng.NormFloat64())
	}
}

// Generate maps the n latents in z through the base and copies the samples
// x = B(z) into dst (n×D), which it returns (allocated when too small).
func (g *GEBM) Generate(z []float32, n int, dst []float32) []float32 {
	x := g.Base.Forward(z, n)
	if cap(dst) < len(x) {
		dst = make([]float32, len(x))
	}
	dst = dst[:len(x)]
	copy(dst, x)
	return dst
}

// Energies evaluates E at the n rows of x into dst (allocated when too
// small) and returns it.
func (g *GEBM) Energies(x []float32, n int, dst []float32) []float32 {
	e := g.Energy.Forward(x, n)
	if cap(dst) < n {
		dst = make([]float32, n)
	}
	dst = dst[:n]
	copy(dst, e)
	return dst
}
