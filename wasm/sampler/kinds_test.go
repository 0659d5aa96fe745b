package sampler_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gebm/gebm/shared/ckpt"
	"github.com/gebm/gebm/shared/model"
	"github.com/gebm/gebm/shared/nn"
	"github.com/gebm/gebm/wasm/sampler"
)

// TestEveryKind walks every registered layer kind through the sampler: a
// model with a layer of that kind in its base and in its energy
// (nn.SpecWithKind) opens, its description counts its parameters and
// bounds its chains by the widths of all its layers (an activation keeps
// its input's width, a linear layer does not), and MALA steps its chains
// to samples whose energies are those of the native network.
func TestEveryKind(t *testing.T) {
	for _, k := range nn.Kinds() {
		rng := rand.New(rand.NewPCG(3, 4))
		base, err := nn.New(nn.SpecWithKind(k, 3, 2), rng)
		if err != nil {
			t.Fatal(err)
		}
		energy, err := nn.New(nn.SpecWithKind(k, 2, 1), rng)
		if err != nil {
			t.Fatal(err)
		}
		g := &model.GEBM{Base: base, Energy: energy, Data: ckpt.DataInfo{Name: "kind", Dim: 2, Scale: 1}}
		file, err := g.Encode()
		if err != nil {
			t.Fatal(err)
		}
		s := sampler.New()
		m := open(t, s, file)
		d, err := s.Describe(m)
		if err != nil {
			t.Fatal(err)
		}
		nparams, width := 0, 0
		for _, net := range []*nn.Network{base, energy} {
			for _, ti := range net.Spec().Tensors() {
				if ti.Trainable {
					nparams += ti.Size()
				}
			}
			for l := range net.Spec().Layers {
				sub := nn.Spec{Layers: net.Spec().Layers[:l+1]}
				width += sub.Out()
			}
			width += net.In()
		}
		if d.Params != nparams || d.MaxChains != min(sampler.MaxChains, sampler.MaxBatchFloats/width) {
			t.Fatalf("%s: %d parameters and at most %d chains, want %d and %d", k, d.Params, d.MaxChains,
				nparams, min(sampler.MaxChains, sampler.MaxBatchFloats/width))
		}
		c := newChains(t, s, m, 5, 1, 1)
		if _, err := s.Step(c, params("mala", 3)); err != nil {
			t.Fatalf("%s: %v", k, err)
		}
		x, err := s.Samples(c, nil)
		if err != nil {
			t.Fatal(err)
		}
		e, err := s.Energies(c, nil)
		if err != nil {
			t.Fatal(err)
		}
		want := energy.Forward(x, 5)
		for i := range e {
			if math.IsNaN(float64(e[i])) || math.Abs(float64(e[i]-want[i])) > 1e-6*math.Max(1, math.Abs(float64(want[i]))) {
				t.Fatalf("%s: energy %d is %v, the native network gives %v", k, i, e[i], want[i])
			}
		}
	}
}
