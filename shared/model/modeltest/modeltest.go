// Package modeltest builds untrained model files of the sizes gebm uses, for
// tests and benchmarks (the WebAssembly sampler's, the page's, gebm serve's):
// the same seed gives the same file bytes (apart from the time stamp),
// natively and in WebAssembly. It is for tests only; it is public, not
// internal, because wasm/, www/ and cmd/ all use it (docs/RATIONALE.md,
// section "Packages").
package modeltest

import (
	"fmt"
	"math/rand/v2"

	"github.com/gebm/gebm/shared/ckpt"
	"github.com/gebm/gebm/shared/model"
	"github.com/gebm/gebm/shared/nn"
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

// Conv is a small DCGAN-like convolutional model of channels×side×side
// images (side a multiple of 4; channels 1 for grey, 3 for colour), built
// from nn specs as no trainer builds them yet: latent 16; base
// linear 16→32·(side/4)² → batchnorm → ReLU → conv_transpose2d 32→16
// (side/4 → side/2) → batchnorm → ReLU → conv_transpose2d 16→channels
// (side/2 → side) → tanh; energy conv2d channels→16 (side → side/2,
// spectrally normalised) → LeakyReLU 0.2 → conv2d 16→32 (→ side/4,
// spectrally normalised) → LeakyReLU 0.2 → linear 32·(side/4)²→1
// (spectrally normalised). Every kernel is 4×4, stride 2, padding 1.
// The batchnorm layers' γ, β and running statistics are drawn from the
// seed (γ in [0.7, 1.3], β in [−0.2, 0.2], running mean in [−0.5, 0.5],
// running variance in [0.5, 2]) rather than left at their identity
// initial values, so that sampling exercises the normalisation. The data
// shape is [side side] for one channel and [channels side side] for more,
// with pixels scaled to [−1, 1] as shared/data stores them.
func Conv(seed uint64, channels, side int) *model.GEBM {
	if side < 4 || side%4 != 0 || channels < 1 {
		panic(fmt.Sprintf("modeltest: conv model of %d×%d×%d images: side must be a positive multiple of 4", channels, side, side))
	}
	q := side / 4
	up := func(in, out, hw int) nn.LayerSpec {
		return nn.LayerSpec{Kind: nn.KindConvTranspose2D, In: in, Out: out, Height: hw, Width: hw, Kernel: 4, Stride: 2, Padding: 1}
	}
	down := func(in, out, hw int) nn.LayerSpec {
		return nn.LayerSpec{Kind: nn.KindConv2D, In: in, Out: out, Height: hw, Width: hw, Kernel: 4, Stride: 2, Padding: 1, SpectralNorm: true}
	}
	relu, leaky := nn.Activation(nn.KindReLU, 0), nn.Activation(nn.KindLeakyReLU, 0.2)
	bs := nn.Spec{Layers: []nn.LayerSpec{
		{Kind: nn.KindLinear, In: 16, Out: 32 * q * q}, {Kind: nn.KindBatchNorm, Channels: 32}, relu,
		up(32, 16, q), {Kind: nn.KindBatchNorm, Channels: 16}, relu,
		up(16, channels, 2*q), {Kind: nn.KindTanh},
	}}
	es := nn.Spec{Layers: []nn.LayerSpec{
		down(channels, 16, side), leaky, down(16, 32, 2*q), leaky,
		{Kind: nn.KindLinear, In: 32 * q * q, Out: 1, SpectralNorm: true},
	}}
	rng := rand.New(rand.NewPCG(seed, 0))
	base, err := nn.New(bs, rng)
	if err != nil {
		panic("modeltest: conv base: " + err.Error())
	}
	energy, err := nn.New(es, rng)
	if err != nil {
		panic("modeltest: conv energy: " + err.Error())
	}
	uniform := func(lo, hi float64) float32 { return float32(lo + (hi-lo)*rng.Float64()) }
	byName := map[string]*nn.Param{}
	for _, p := range append(base.Params(), base.State()...) {
		byName[p.Name] = p
	}
	for i, l := range bs.Layers {
		if l.Kind != nn.KindBatchNorm {
			continue
		}
		for _, t := range []struct {
			what   string
			lo, hi float64
		}{{"weight", 0.7, 1.3}, {"bias", -0.2, 0.2}, {"running_mean", -0.5, 0.5}, {"running_var", 0.5, 2}} {
			p := byName[fmt.Sprintf("%d.%s", i, t.what)]
			if p == nil {
				panic(fmt.Sprintf("modeltest: conv base: no tensor %d.%s", i, t.what))
			}
			for j := range p.Value {
				p.Value[j] = uniform(t.lo, t.hi)
			}
		}
	}
	shape := []int{side, side}
	name := "conv-grey"
	if channels > 1 {
		shape, name = []int{channels, side, side}, "conv-colour"
	}
	dim := channels * side * side
	return &model.GEBM{Base: base, Energy: energy, A: 0.5,
		Data:     ckpt.DataInfo{Name: name, Dim: dim, Shape: shape, Scale: 2.0 / 255, Offset: -1},
		Training: ckpt.Training{Dataset: name, Steps: 10, Seed: seed}}
}

// SpecFile encodes a model file of the architectures base and energy with
// every tensor zero, from the specs alone: no network is built, so a test
// can write the file of a model whose networks would be too large to
// build. The latent size is base's input width.
func SpecFile(base, energy nn.Spec, data ckpt.DataInfo) []byte {
	var tensors []ckpt.Tensor
	for _, part := range []struct {
		prefix string
		spec   nn.Spec
	}{{ckpt.PrefixBase, base}, {ckpt.PrefixEnergy, energy}} {
		for _, ti := range part.spec.Tensors() {
			tensors = append(tensors, ckpt.Tensor{Name: part.prefix + ti.Name, Shape: ti.Shape, Data: make([]float32, ti.Size())})
		}
	}
	b, err := ckpt.Encode(ckpt.Header{Base: base, Energy: energy, Latent: base.In(), Data: data}, tensors)
	if err != nil {
		panic("modeltest: " + err.Error())
	}
	return b
}

// HugeColumns is the file of a model whose one convolution (1×255×255
// input, kernel 64, stride 1, padding 32) needs a column matrix of 4096 ×
// 65536 float32s (1 GiB) while the file holds 0.3 MB: the case a
// sampler's limits must refuse before building the networks.
func HugeColumns() []byte {
	base := nn.Spec{Layers: []nn.LayerSpec{{Kind: nn.KindConv2D, In: 1, Out: 1, Height: 255, Width: 255, Kernel: 64, Stride: 1, Padding: 32}}}
	energy := nn.Spec{Layers: []nn.LayerSpec{{Kind: nn.KindLinear, In: 256 * 256, Out: 1}}}
	return SpecFile(base, energy, ckpt.DataInfo{Name: "huge-columns", Dim: 256 * 256, Scale: 1})
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
