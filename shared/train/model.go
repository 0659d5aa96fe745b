package train

import (
	"fmt"
	"math/rand/v2"

	"github.com/gebm/gebm/shared/ckpt"
	"github.com/gebm/gebm/shared/data"
	"github.com/gebm/gebm/shared/model"
	"github.com/gebm/gebm/shared/nn"
)

// FlowLatent sets the latent size of a realnvp base, which maps R^D to
// itself, to the data dimension dim; a latent size other than the default
// for the data spec that contradicts it is an error.
func (o *Options) FlowLatent(spec string, dim int) error {
	if o.Base != model.BaseRealNVP || o.Latent == dim {
		return nil
	}
	if o.Latent != Defaults(spec).Latent {
		return fmt.Errorf("--latent %d: a realnvp base's latent size is the data dimension, %d for %s", o.Latent, dim, spec)
	}
	o.Latent = dim
	return nil
}

// ModelConfig is the configuration of the model that the options build for
// training set d, named spec in the model file: the options' architecture
// and network sizes, and a base that ends in tanh when the data lie in
// [−1, 1]. It sets the latent size of a realnvp base (FlowLatent); the
// dcgan architecture needs d's rows to be images (Dataset.Image).
func ModelConfig(o *Options, spec string, d *data.Dataset) (model.Config, error) {
	if err := o.FlowLatent(spec, d.Dim); err != nil {
		return model.Config{}, err
	}
	if _, ok := d.Image(); !ok {
		for _, a := range []struct{ flag, arch string }{{"arch", o.Arch}, {"energy-arch", o.EnergyArch}} {
			if a.arch == model.ArchDCGAN {
				return model.Config{}, fmt.Errorf("--%s dcgan needs image data (mnist, cifar10, a folder of images, a .npy array N×C×H×W or N×H×W): %s has flat rows of %d values; use mlp", a.flag, spec, d.Dim)
			}
		}
	}
	cfg := model.Config{Latent: o.Latent, Data: DataInfo(spec, d), BaseHidden: o.BaseHidden,
		Base: o.Base, FlowLayers: o.FlowLayers, FlowHidden: o.FlowHidden,
		EnergyHidden: o.EnergyHidden, EnergySlope: o.EnergySlope, SpectralNorm: o.SpectralNorm,
		EnergyFloor: o.EnergyFloor, Arch: o.Arch, EnergyArch: o.EnergyArch, Channels: o.Channels}
	if n := d.Norm; n.Bounded && n.Min == -1 && n.Max == 1 {
		cfg.BaseOutput = nn.KindTanh
	}
	return cfg, nil
}

// NewModel builds the untrained model of ModelConfig(o, spec, d), with
// weights drawn from PCG stream (o.Seed, 1).
func NewModel(o *Options, spec string, d *data.Dataset) (*model.GEBM, error) {
	cfg, err := ModelConfig(o, spec, d)
	if err != nil {
		return nil, err
	}
	return model.New(cfg, rand.New(rand.NewPCG(o.Seed, 1)))
}

// DataInfo is what the model file records of training set d, named spec:
// its dimension, shape and normalisation.
func DataInfo(spec string, d *data.Dataset) ckpt.DataInfo {
	return ckpt.DataInfo{Name: spec, Dim: d.Dim, Shape: d.Norm.Shape, Scale: d.Norm.Scale, Offset: d.Norm.Offset}
}
