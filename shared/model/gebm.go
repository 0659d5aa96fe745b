// Package model holds the generalized energy-based model: a generator
// ("base") B: R^d → R^D, z ~ N(0, I_d), an energy E: R^D → R, and the
// learned log-normaliser A. The model's law is the base's law reweighted by
// exp(-E(x))/Z.
package model

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/gebm/gebm/shared/ckpt"
	"github.com/gebm/gebm/shared/nn"
)

// GEBM is a base, an energy and the scalar A, with what the model file
// records about the data space and the training run.
type GEBM struct {
	Base     *nn.Network
	Energy   *nn.Network
	A        float64
	Data     ckpt.DataInfo
	Training ckpt.Training
}

// Base types: the generator an MLP (the paper's), or a RealNVP flow whose
// density is known (the paper's sanity case: the GEBM is then an ordinary
// energy-based model with density q(x) exp(−E(x)) / Z).
const (
	BaseMLP     = "mlp"
	BaseRealNVP = "realnvp"
)

// Config sizes a new model.
type Config struct {
	// Base is BaseMLP (also "") or BaseRealNVP. A RealNVP base has
	// FlowLayers affine couplings with hidden width FlowHidden, and its
	// latent size is the data's (Latent must equal Data.Dim); BaseHidden
	// and BaseOutput are for an MLP base only.
	Base                   string
	FlowLayers, FlowHidden int
	Latent                 int
	Data                   ckpt.DataInfo
	BaseHidden             []int
	EnergyHidden           []int
	// BaseOutput is an activation after the base's last layer: "tanh" for
	// images scaled to [-1, 1], "" (linear) for unbounded data.
	BaseOutput nn.Kind
	// EnergySlope is the LeakyReLU slope of the energy's hidden layers.
	EnergySlope float64
	// SpectralNorm normalises the energy's linear layers.
	SpectralNorm bool
	// EnergyFloor, when not 0, bounds the energy from below:
	// E(x) = max(f(x), EnergyFloor), a last layer of kind nn.KindFloor (the
	// reference's clamp at -10). The model file records it in the energy's
	// spec, so every sampler (native, WebAssembly) evaluates the same E.
	EnergyFloor float64
	// Arch is the networks' architecture: ArchMLP (also "") builds them
	// from BaseHidden and EnergyHidden, ArchDCGAN the convolutional pair of
	// dcganSpec for the image shape Data.Shape, with channel width Channels.
	// EnergyArch, when not "", overrides Arch for the energy alone: ArchMLP
	// puts an MLP energy (EnergyHidden) on a DCGAN generator, which on MNIST
	// reweights the generator's samples far better than the small
	// convolutional energy (docs/EVAL.md, "An MLP energy on the
	// convolutional generator"); ArchDCGAN a convolutional energy on an MLP
	// generator.
	Arch       string
	EnergyArch string
	Channels   int
}

// EnergyArchitecture is the energy's architecture: EnergyArch, or Arch
// when that is "".
func (c Config) EnergyArchitecture() string {
	if c.EnergyArch != "" {
		return c.EnergyArch
	}
	return c.Arch
}

// Spec returns the base's and the energy's architectures: a base of Arch
// ArchDCGAN and an energy of architecture ArchDCGAN (EnergyArch, or Arch)
// are dcganSpec's convolutional networks; otherwise an MLP base's hidden
// layers use ReLU, a RealNVP base is nn.Coupling(Dim, FlowLayers,
// FlowHidden), and the MLP energy's hidden layers LeakyReLU(EnergySlope).
// The energy's output is clamped from below at EnergyFloor unless that is
// 0.
func (c Config) Spec() (base, energy nn.Spec) {
	var convBase, convEnergy nn.Spec
	if c.Arch == ArchDCGAN || c.EnergyArchitecture() == ArchDCGAN {
		convBase, convEnergy = c.dcganSpec()
	}
	switch {
	case c.Arch == ArchDCGAN:
		base = convBase
	case c.Base == BaseRealNVP:
		base = nn.Coupling(c.Data.Dim, c.FlowLayers, c.FlowHidden)
	default:
		base = nn.MLP(c.Latent, c.BaseHidden, c.Data.Dim, nn.Activation(nn.KindReLU, 0), c.BaseOutput, false)
	}
	energy = convEnergy
	if c.EnergyArchitecture() != ArchDCGAN {
		energy = nn.MLP(c.Data.Dim, c.EnergyHidden, 1, nn.Activation(nn.KindLeakyReLU, c.EnergySlope), "", c.SpectralNorm)
	}
	if c.EnergyFloor != 0 {
		energy.Layers = append(energy.Layers, nn.LayerSpec{Kind: nn.KindFloor, Floor: c.EnergyFloor})
	}
	return base, energy
}

// New builds a freshly initialised model; A starts at 0 (the trainer sets it
// to a Monte-Carlo estimate of log Z before training).
func New(c Config, rng *rand.Rand) (*GEBM, error) {
	if c.Latent < 1 || c.Latent > nn.MaxDim {
		return nil, fmt.Errorf("model: latent size %d must be in 1..%d", c.Latent, nn.MaxDim)
	}
	if c.Data.Dim < 1 || c.Data.Dim > nn.MaxDim {
		return nil, fmt.Errorf("model: data dimension %d must be in 1..%d", c.Data.Dim, nn.MaxDim)
	}
	switch c.Base {
	case "", BaseMLP:
	case BaseRealNVP:
		if c.Latent != c.Data.Dim {
			return nil, fmt.Errorf("model: a realnvp base maps R^D to itself: latent size %d must be the data dimension %d", c.Latent, c.Data.Dim)
		}
		if c.Data.Dim < 2 {
			return nil, fmt.Errorf("model: a realnvp base needs data of dimension 2 or more, not %d", c.Data.Dim)
		}
		if c.FlowLayers < 1 || c.FlowLayers > nn.MaxLayers || c.FlowHidden < 1 || c.FlowHidden > nn.MaxDim {
			return nil, fmt.Errorf("model: realnvp base: %d layers of hidden width %d: need 1..%d layers, width 1..%d",
				c.FlowLayers, c.FlowHidden, nn.MaxLayers, nn.MaxDim)
		}
		if c.BaseOutput != "" {
			return nil, fmt.Errorf("model: a realnvp base takes no output activation (%s)", c.BaseOutput)
		}
	default:
		return nil, fmt.Errorf("model: base %q: use %s or %s", c.Base, BaseMLP, BaseRealNVP)
	}
	for _, arch := range []string{c.Arch, c.EnergyArch} {
		if arch != "" && arch != ArchMLP && arch != ArchDCGAN {
			return nil, fmt.Errorf("model: architecture %q: use %s or %s", arch, ArchMLP, ArchDCGAN)
		}
	}
	if c.Arch == ArchDCGAN || c.EnergyArchitecture() == ArchDCGAN {
		if err := c.checkDCGAN(); err != nil {
			return nil, err
		}
	}
	bs, es := c.Spec()
	base, err := nn.New(bs, rng)
	if err != nil {
		return nil, fmt.Errorf("model: base: %w", err)
	}
	energy, err := nn.New(es, rng)
	if err != nil {
		return nil, fmt.Errorf("model: energy: %w", err)
	}
	if c.Data.Scale == 0 {
		c.Data.Scale = 1
	}
	return &GEBM{Base: base, Energy: energy, Data: c.Data}, nil
}

// Latent is the size d of the latent space.
func (g *GEBM) Latent() int { return g.Base.In() }

// IsFlow reports whether the base is a flow (a RealNVP of coupling layers),
// whose density nn.Network.LogDensity gives: the model file's base spec
// records it.
func (g *GEBM) IsFlow() bool { return g.Base.Spec().IsFlow() }

// Dim is the size D of the data space.
func (g *GEBM) Dim() int { return g.Base.Out() }

// Load decodes a model file (see package ckpt) into a model.
func Load(b []byte) (*GEBM, error) {
	f, err := ckpt.Decode(b)
	if err != nil {
		return nil, err
	}
	return FromFile(f)
}

// FromFile builds the model a decoded file describes.
func FromFile(f *ckpt.File) (*GEBM, error) {
	base, err := nn.NewUninitialized(f.Base)
	if err != nil {
		return nil, err
	}
	energy, err := nn.NewUninitialized(f.Energy)
	if err != nil {
		return nil, err
	}
	for _, part := range []struct {
		prefix string
		net    *nn.Network
	}{{ckpt.PrefixBase, base}, {ckpt.PrefixEnergy, energy}} {
		for _, p := range append(part.net.Params(), part.net.State()...) {
			copy(p.Value, f.Tensor(part.prefix+p.Name))
		}
		part.net.Refresh(0)
	}
	return &GEBM{Base: base, Energy: energy, A: f.A, Data: f.Data, Training: f.Training}, nil
}

// Header returns the model file header of this model (without resume
// state).
func (g *GEBM) Header() ckpt.Header {
	return ckpt.Header{Base: g.Base.Spec(), Energy: g.Energy.Spec(), Latent: g.Latent(),
		Data: g.Data, A: g.A, Training: g.Training}
}

// Tensors returns the base's and the energy's parameters and state as
// named tensors for a model file. They share memory with the model.
func (g *GEBM) Tensors() []ckpt.Tensor {
	var ts []ckpt.Tensor
	for _, part := range []struct {
		prefix string
		net    *nn.Network
	}{{ckpt.PrefixBase, g.Base}, {ckpt.PrefixEnergy, g.Energy}} {
		for _, p := range append(part.net.Params(), part.net.State()...) {
			ts = append(ts, ckpt.Tensor{Name: part.prefix + p.Name, Shape: p.Shape, Data: p.Value})
		}
	}
	return ts
}

// Encode writes the model as a model file for sampling, stamping the time.
func (g *GEBM) Encode() ([]byte, error) {
	h := g.Header()
	h.Training.Time = time.Now().UTC().Format(time.RFC3339)
	return ckpt.Encode(h, g.Tensors())
}
