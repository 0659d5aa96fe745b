//go:build !js && !wasip1

package main

import (
	"math/rand/v2"

	"github.com/gebm/gebm/shared/ckpt"
	"github.com/gebm/gebm/shared/model"
	"github.com/gebm/gebm/shared/nn"
)

// dcganModel is the untrained model that `gebm train --data mnist --arch
// dcgan --channels C` starts from (model.Config's dcgan pair for 28×28
// images: latent 64, a tanh output, the energy spectrally normalised, as
// the trainer's MNIST defaults set them), with weights from seed 1. Its
// batchnorm layers' γ, β and running statistics are then drawn away from
// their identity initial values (γ in [0.7, 1.3], β in [−0.2, 0.2], mean in
// [−0.5, 0.5], variance in [0.5, 2]), so that the TensorFlow.js check of U
// and ∇U exercises the normalisation. A step costs the same whatever the
// weights, so an untrained model measures what a trained one would.
func dcganModel(channels int) (*model.GEBM, error) {
	c := model.Config{Arch: model.ArchDCGAN, Channels: channels, Latent: 64,
		Data:       ckpt.DataInfo{Name: "mnist", Dim: 784, Shape: []int{28, 28}, Scale: 2.0 / 255, Offset: -1},
		BaseOutput: nn.KindTanh, SpectralNorm: true, EnergySlope: 0.2}
	rng := rand.New(rand.NewPCG(1, 0))
	g, err := model.New(c, rng)
	if err != nil {
		return nil, err
	}
	g.Training = ckpt.Training{Dataset: "mnist", Seed: 1}
	ranges := []struct {
		what   string
		lo, hi float64
	}{{"weight", 0.7, 1.3}, {"bias", -0.2, 0.2}, {"running_mean", -0.5, 0.5}, {"running_var", 0.5, 2}}
	byName := map[string]*nn.Param{}
	for _, p := range append(g.Base.Params(), g.Base.State()...) {
		byName[p.Name] = p
	}
	for i, l := range g.Base.Spec().Layers {
		if l.Kind != nn.KindBatchNorm {
			continue
		}
		for _, r := range ranges {
			p := byName[itoa(i)+"."+r.what]
			for j := range p.Value {
				p.Value[j] = float32(r.lo + (r.hi-r.lo)*rng.Float64())
			}
		}
	}
	return g, nil
}
