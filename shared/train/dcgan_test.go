package train

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/gebm/gebm/shared/data"
	"github.com/gebm/gebm/shared/model"
	"github.com/gebm/gebm/shared/nn"
)

// imageSet returns n random one-channel side×side images with pixels in
// [−1, 1], normalised as image files are (data.PixelNorm).
func imageSet(n, side int) *data.Dataset {
	rng := rand.New(rand.NewPCG(7, 0))
	s := data.ImageShape{C: 1, H: side, W: side}
	x := make([]float32, n*s.Dim())
	for i := range x {
		x[i] = float32(rng.IntN(256))/127.5 - 1
	}
	return &data.Dataset{Name: "images", Dim: s.Dim(), X: x, Norm: data.PixelNorm(s)}
}

// smallDCGAN returns the options of a quick dcgan run: channel width 4,
// latent 8, batch 8, four base steps after two warm-up energy steps.
func smallDCGAN() Options {
	o := Defaults("images")
	o.Arch, o.Channels, o.Latent = "dcgan", 4, 8
	o.Steps, o.Batch, o.NCritic, o.Warmup, o.FinalEnergySteps, o.FinalAverage = 4, 8, 2, 2, 0, 0
	o.SpectralNorm, o.AInitBatches = true, 2
	return o
}

// kinds lists the layer kinds of a spec, in order.
func kinds(s nn.Spec) []nn.Kind {
	var ks []nn.Kind
	for _, l := range s.Layers {
		ks = append(ks, l.Kind)
	}
	return ks
}

// TestDCGANModel: --arch dcgan builds the convolutional generator and
// energy for 1×8×8 images, with channel widths from Channels and spectral
// normalisation of the energy's three layers; it refuses flat data, images
// whose side is not a multiple of 4 and a realnvp base.
func TestDCGANModel(t *testing.T) {
	o := smallDCGAN()
	d := imageSet(16, 8)
	m, err := NewModel(&o, "images", d)
	if err != nil {
		t.Fatal(err)
	}
	bs, es := m.Base.Spec(), m.Energy.Spec()
	wantBase := []nn.Kind{nn.KindLinear, nn.KindBatchNorm, nn.KindReLU, nn.KindConvTranspose2D, nn.KindBatchNorm, nn.KindReLU, nn.KindConvTranspose2D, nn.KindTanh}
	wantEnergy := []nn.Kind{nn.KindConv2D, nn.KindLeakyReLU, nn.KindConv2D, nn.KindLeakyReLU, nn.KindLinear, nn.KindFloor}
	if !slices.Equal(kinds(bs), wantBase) || !slices.Equal(kinds(es), wantEnergy) {
		t.Fatalf("base %v, energy %v; want %v, %v", kinds(bs), kinds(es), wantBase, wantEnergy)
	}
	if l := bs.Layers[0]; l.In != 8 || l.Out != 2*4*2*2 {
		t.Errorf("base's linear layer %d → %d, want 8 → %d", l.In, l.Out, 2*4*2*2)
	}
	if a, b := bs.Layers[3], bs.Layers[6]; a.In != 8 || a.Out != 4 || a.Height != 2 || b.In != 4 || b.Out != 1 || b.Height != 4 || b.Stride != 2 {
		t.Errorf("base's transposed convolutions %+v, %+v", a, b)
	}
	if a, b := es.Layers[0], es.Layers[2]; a.In != 1 || a.Out != 4 || a.Height != 8 || b.In != 4 || b.Out != 8 || b.Height != 4 || !a.SpectralNorm || !b.SpectralNorm || !es.Layers[4].SpectralNorm {
		t.Errorf("energy's convolutions %+v, %+v", a, b)
	}
	if m.Dim() != 64 || m.Latent() != 8 {
		t.Errorf("model maps %d → %d, want 8 → 64", m.Latent(), m.Dim())
	}

	toy := data.SampleDataset(mustToy(t), 16, rand.New(rand.NewPCG(1, 0)))
	if _, err := NewModel(&o, "8gaussians", toy); err == nil || !strings.Contains(err.Error(), "image data") {
		t.Errorf("flat data: %v, want an error asking for image data", err)
	}
	if _, err := NewModel(&o, "images", imageSet(4, 10)); err == nil || !strings.Contains(err.Error(), "multiple of 4") {
		t.Errorf("10×10 images: %v, want an error asking for a side that is a multiple of 4", err)
	}
	o.Base = model.BaseRealNVP
	if err := o.Validate(); err == nil || !strings.Contains(err.Error(), "arch") {
		t.Errorf("dcgan with a realnvp base: %v", err)
	}
}

// TestMixedArchitectures: EnergyArch builds the energy of the other
// architecture than Arch: an MLP energy (EnergyHidden, spectrally
// normalised, with the floor) on the convolutional generator, and the
// convolutional energy on an MLP generator; a convolutional energy needs
// image data too.
func TestMixedArchitectures(t *testing.T) {
	d := imageSet(16, 8)
	o := smallDCGAN()
	o.EnergyArch, o.EnergyHidden = "mlp", []int{12}
	m, err := NewModel(&o, "images", d)
	if err != nil {
		t.Fatal(err)
	}
	wantEnergy := []nn.Kind{nn.KindLinear, nn.KindLeakyReLU, nn.KindLinear, nn.KindFloor}
	if bs, es := m.Base.Spec(), m.Energy.Spec(); kinds(bs)[3] != nn.KindConvTranspose2D || !slices.Equal(kinds(es), wantEnergy) ||
		es.Layers[0].In != 64 || es.Layers[0].Out != 12 || !es.Layers[0].SpectralNorm || es.Layers[3].Floor != o.EnergyFloor {
		t.Fatalf("dcgan base with an mlp energy: base %v, energy %+v", kinds(bs), es.Layers)
	}

	o = smallDCGAN()
	o.Arch, o.EnergyArch, o.BaseHidden = "mlp", "dcgan", []int{10}
	if m, err = NewModel(&o, "images", d); err != nil {
		t.Fatal(err)
	}
	wantBase := []nn.Kind{nn.KindLinear, nn.KindReLU, nn.KindLinear, nn.KindTanh}
	if bs, es := m.Base.Spec(), m.Energy.Spec(); !slices.Equal(kinds(bs), wantBase) || kinds(es)[0] != nn.KindConv2D || es.Layers[0].Out != 4 {
		t.Fatalf("mlp base with a dcgan energy: base %v, energy %v", kinds(bs), kinds(es))
	}
	toy := data.SampleDataset(mustToy(t), 16, rand.New(rand.NewPCG(1, 0)))
	if _, err := NewModel(&o, "8gaussians", toy); err == nil || !strings.Contains(err.Error(), "--energy-arch dcgan needs image data") {
		t.Errorf("a convolutional energy on flat data: %v", err)
	}
	o.EnergyArch = "resnet"
	if err := o.Validate(); err == nil || !strings.Contains(err.Error(), "energy-arch") {
		t.Errorf("--energy-arch resnet: %v", err)
	}
}

// TestDCGANBatchNormModes: training a dcgan updates the generator's
// running statistics (its batch normalisation layers' state), and the
// trained generator samples by them: the same z gives the same image
// twice, each row the same alone as in a batch, and sampling leaves the
// running statistics as they were.
func TestDCGANBatchNormModes(t *testing.T) {
	o := smallDCGAN()
	d := imageSet(64, 8)
	m, err := NewModel(&o, "images", d)
	if err != nil {
		t.Fatal(err)
	}
	state := func() [][]float32 {
		var s [][]float32
		for _, p := range m.Base.State() {
			s = append(s, slices.Clone(p.Value))
		}
		return s
	}
	before := state()
	if len(before) != 4 {
		t.Fatalf("%d state tensors in the base, want 4 (two batchnorms' running mean and variance)", len(before))
	}
	tr, err := New(o, m, d, nil, cpu)
	if err != nil {
		t.Fatal(err)
	}
	tr.InitA()
	for range o.Steps {
		if err := tr.Unit(); err != nil {
			t.Fatal(err)
		}
	}
	after := state()
	for i := range before {
		if slices.Equal(before[i], after[i]) {
			t.Errorf("state tensor %s did not change in training", m.Base.State()[i].Name)
		}
	}

	z := make([]float32, 5*o.Latent)
	model.SampleLatents(rand.New(rand.NewPCG(3, 3)), z)
	x1 := m.Generate(z, 5, nil)
	x2 := m.Generate(z, 5, nil)
	if !slices.Equal(x1, x2) {
		t.Fatal("the same z gave two different samples")
	}
	row := m.Generate(z[2*o.Latent:3*o.Latent], 1, nil)
	if !slices.Equal(row, x1[2*m.Dim():3*m.Dim()]) {
		t.Fatal("a row sampled alone differs from the same row in a batch: sampling used batch statistics")
	}
	for i, s := range state() {
		if !slices.Equal(s, after[i]) {
			t.Errorf("sampling changed state tensor %s", m.Base.State()[i].Name)
		}
	}
}

// TestDCGANDefaults: the dcgan architecture's own defaults replace
// Defaults' for every option the user did not give, and leave those the
// user gave as they are.
func TestDCGANDefaults(t *testing.T) {
	o := Defaults("mnist")
	DCGANDefaults(&o, func(string) bool { return false })
	if o.Latent != DCGANLatent || o.Batch != 64 || o.NCritic != 3 || o.LREnergy != 1e-3 || o.LRBase != 1e-3 ||
		o.Steps != 20000 || o.FinalEnergySteps != 1000 || o.Channels != DCGANChannels || o.EnergyArchitecture() != "mlp" {
		t.Fatalf("dcgan defaults: %+v", o)
	}
	if ps := o.Problems(); len(ps) != 0 {
		t.Fatalf("dcgan defaults: %v", ps)
	}
	o = Defaults("mnist")
	o.Latent, o.Batch, o.NCritic, o.LREnergy, o.LRBase, o.Steps, o.FinalEnergySteps = 8, 32, 5, 1e-4, 2e-4, 100, 0
	o.EnergyArch = "dcgan"
	given := o
	DCGANDefaults(&o, func(string) bool { return true })
	if o.Latent != given.Latent || o.Batch != given.Batch || o.NCritic != given.NCritic || o.LREnergy != given.LREnergy ||
		o.LRBase != given.LRBase || o.Steps != given.Steps || o.FinalEnergySteps != given.FinalEnergySteps || o.EnergyArch != "dcgan" {
		t.Fatalf("given options changed: %+v, want %+v", o, given)
	}
}
