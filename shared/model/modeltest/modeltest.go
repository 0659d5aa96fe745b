// Package modeltest builds untrained model files of the sizes gebm uses, for
// tests and benchmarks (the WebAssembly sampler's, the page's, gebm serve's):
// the same seed gives the same file bytes (apart from the time stamp),
// natively and in WebAssembly. It is for tests only; it is public, not
// internal, because wasm/, www/ and cmd/ all use it (docs/RATIONALE.md,
// section "Packages").
package modeltest

import (
	"math/rand/v2"

	"github.com/gebm/gebm/shared/ckpt"
	"github.com/gebm/gebm/shared/model"
)

// Toy2D is a model of 2-D data the size of gebm's toy models: latent 4,
// base 4→32→32→2 (ReLU, linear output), energy 2→32→32→1 (LeakyReLU 0.2).
func Toy2D(seed uint64) *model.GEBM {
	return build(seed, model.Config{Latent: 4, Data: ckpt.DataInfo{Name: "8gaussians", Dim: 2, Scale: 1},
		BaseHidden: []int{32, 32}, EnergyHidden: []int{32, 32}, EnergySlope: 0.2}, 0.25, 300)
}

// Flow2D is a model of 2-D data whose base is a RealNVP flow (the EBM
// reduction): 4 affine couplings of hidden width 16, latent 2, energy
// 2→32→32→1 (LeakyReLU 0.2).
func Flow2D(seed uint64) *model.GEBM {
	return build(seed, model.Config{Base: model.BaseRealNVP, FlowLayers: 4, FlowHidden: 16, Latent: 2,
		Data: ckpt.DataInfo{Name: "8gaussians", Dim: 2, Scale: 1}, EnergyHidden: []int{32, 32}, EnergySlope: 0.2}, 0.1, 300)
}

// Image is a small image model that exercises every layer kind the MNIST
// model has (tanh output, spectrally normalised energy) at a fraction of
// its cost: latent 8, base 8→32→64→64 (8×8 image), energy 64→64→32→1.
func Image(seed uint64) *model.GEBM {
	return build(seed, model.Config{Latent: 8, Data: ckpt.DataInfo{Name: "tiny-images", Dim: 64, Shape: []int{8, 8}, Scale: 2, Offset: -1},
		BaseHidden: []int{32, 64}, EnergyHidden: []int{64, 32}, BaseOutput: "tanh", EnergySlope: 0.2, SpectralNorm: true}, -0.5, 40)
}

// MNIST is a model with the sizes of gebm's MNIST default (native/train
// Defaults): latent 64, base 64→256→512→784 (ReLU, tanh output), energy
// 784→512→256→1 (LeakyReLU 0.2, spectral normalisation).
func MNIST(seed uint64) *model.GEBM {
	return build(seed, model.Config{Latent: 64, Data: ckpt.DataInfo{Name: "mnist", Dim: 784, Shape: []int{28, 28}, Scale: 2.0 / 255, Offset: -1},
		BaseHidden: []int{256, 512}, EnergyHidden: []int{512, 256}, BaseOutput: "tanh", EnergySlope: 0.2, SpectralNorm: true}, 1.5, 5000)
}

// File encodes g as a model file.
func File(g *model.GEBM) []byte {
	b, err := g.Encode()
	if err != nil {
		panic("modeltest: " + err.Error())
	}
	return b
}

func build(seed uint64, c model.Config, a float64, steps int) *model.GEBM {
	g, err := model.New(c, rand.New(rand.NewPCG(seed, 0)))
	if err != nil {
		panic("modeltest: " + err.Error())
	}
	g.A = a
	g.Training = ckpt.Training{Dataset: c.Data.Name, Steps: steps, Seed: seed}
	return g
}
