package main

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gebm/gebm/shared/model"
	"github.com/gebm/gebm/shared/nn"
)

// hasKind reports whether spec s holds a layer of kind k.
func hasKind(s nn.Spec, k nn.Kind) bool {
	return slices.ContainsFunc(s.Layers, func(l nn.LayerSpec) bool { return l.Kind == k })
}

// TestTrainDCGAN: gebm train --arch dcgan --energy-arch dcgan trains the convolutional pair on
// a folder of colour images resampled to 8×8 with the --batch given and
// dcgan's own defaults for the rest (train.DCGANDefaults: latent 64,
// n-critic 3 where other data's default is 5, learning rates 1e-3); the model file holds the convolutions, the
// generator's running statistics and the options arch and channels;
// gebm sample draws a PNG grid from it; --resume continues the run and
// refuses a contradicting --arch. Flat data, images whose side is not a
// multiple of 4 and a realnvp base are refused with messages that say why.
func TestTrainDCGAN(t *testing.T) {
	imgs := writeImageFolder(t, 14)
	run := filepath.Join(t.TempDir(), "run")
	args := []string{"train", "--arch", "dcgan", "--energy-arch", "dcgan", "--channels", "4", "--data", imgs, "--image-size", "8", "--out", run,
		"--batch", "8", "--warmup", "2", "--burst-every", "0", "--final-energy-steps", "2",
		"--a-init-batches", "2", "--test-fraction", "0.3", "--checkpoint-every", "0", "--quiet"}
	if code, _, errOut := gebm(t, append(args, "--steps", "3")...); code != 0 {
		t.Fatalf("gebm train --arch dcgan: %s", errOut)
	}
	load := func() *model.GEBM { return loadModelFile(t, filepath.Join(run, "model.gebm")) }
	m := load()
	bs, es := m.Base.Spec(), m.Energy.Spec()
	if !hasKind(bs, nn.KindConvTranspose2D) || !hasKind(bs, nn.KindBatchNorm) || !hasKind(es, nn.KindConv2D) || hasKind(es, nn.KindBatchNorm) {
		t.Fatalf("base %+v, energy %+v: want transposed convolutions and batchnorm in the base, convolutions in the energy", bs, es)
	}
	if o := m.Training.Options; o["arch"] != "dcgan" || o["channels"] != "4" || m.Latent() != 64 || m.Dim() != 3*8*8 || m.Training.Steps != 3 ||
		o["lr_energy"] != "0.001" || o["lr_base"] != "0.001" || o["batch"] != "8" || o["n_critic"] != "3" {
		t.Fatalf("model: latent %d, dim %d, steps %d, options %v", m.Latent(), m.Dim(), m.Training.Steps, m.Training.Options)
	}
	for _, p := range m.Base.State() {
		if p.Name == "1.running_mean" && !slices.ContainsFunc(p.Value, func(v float32) bool { return v != 0 }) {
			t.Fatalf("%s is all 0 after training: the running statistics were not updated", p.Name)
		}
	}

	sampleGrid(t, run)

	code, _, errOut := gebm(t, "train", "--out", run, "--resume", "--steps", "5", "--arch", "mlp", "--quiet")
	if code != 1 || !strings.Contains(errOut, "--arch mlp contradicts the run's --arch dcgan") {
		t.Fatalf("--resume --arch mlp: code %d, %q", code, errOut)
	}
	if code, _, errOut := gebm(t, "train", "--out", run, "--resume", "--steps", "5", "--quiet"); code != 0 {
		t.Fatalf("--resume: %s", errOut)
	}
	if m := load(); m.Training.Steps != 5 || m.Training.Options["arch"] != "dcgan" || !hasKind(m.Base.Spec(), nn.KindConvTranspose2D) {
		t.Fatalf("resumed model: steps %d, options %v", m.Training.Steps, m.Training.Options)
	}

	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--data", "8gaussians"}, "--arch dcgan needs image data"},
		{[]string{"--data", imgs, "--image-size", "10"}, "multiple of 4"},
		{[]string{"--data", imgs, "--image-size", "8", "--base", "realnvp"}, "--arch: dcgan builds a generator of its own"},
		// Flags that size only the MLP (or realnvp) networks would be
		// ignored by dcgan: refused, naming the flag.
		{[]string{"--data", imgs, "--image-size", "8", "--base-hidden", "64,64"}, "--base-hidden sizes an mlp (or realnvp) network, and the generator is convolutional"},
		{[]string{"--data", imgs, "--image-size", "8", "--energy-arch", "dcgan", "--energy-hidden", "64"}, "--energy-hidden sizes an mlp (or realnvp) network, and the energy is convolutional"},
		{[]string{"--data", imgs, "--image-size", "8", "--hidden", "64"}, "--hidden sizes an mlp (or realnvp) network"},
		{[]string{"--data", imgs, "--image-size", "8", "--flow-layers", "4"}, "--flow-layers sizes an mlp (or realnvp) network"},
		{[]string{"--data", imgs, "--image-size", "8", "--flow-hidden", "16"}, "--flow-hidden sizes an mlp (or realnvp) network"},
		// With an mlp energy only the generator's are refused.
		{[]string{"--data", imgs, "--image-size", "8", "--energy-arch", "mlp", "--base-hidden", "64"}, "--base-hidden sizes an mlp (or realnvp) network, and the generator is convolutional"},
		{[]string{"--data", imgs, "--image-size", "8", "--energy-arch", "mlp", "--hidden", "64"}, "--hidden sizes an mlp (or realnvp) network"},
		{[]string{"--data", imgs, "--image-size", "8", "--energy-arch", "conv"}, "--energy-arch: \"conv\": use mlp or dcgan"},
		// And the converse: --channels after --arch dcgan, overridden by a later --arch mlp.
		{[]string{"--data", imgs, "--image-size", "8", "--arch", "mlp"}, "--channels sizes the dcgan architecture's convolutions"},
		// An energy alone needs a generator to fit it to.
		{[]string{"--data", imgs, "--image-size", "8", "--steps", "0"}, "--steps: 0 must be in 1..1e9"},
		{[]string{"--data", imgs, "--image-size", "8", "--steps", "0", "--base-from", filepath.Join(run, "model.gebm"), "--final-energy-steps", "0"}, "--final-energy-steps"},
	} {
		out := filepath.Join(t.TempDir(), "bad")
		a := append([]string{"train", "--arch", "dcgan", "--channels", "4", "--out", out, "--steps", "1", "--batch", "8", "--quiet"}, c.args...)
		if code, _, errOut := gebm(t, a...); code != 1 || !strings.Contains(errOut, c.want) {
			t.Errorf("%v: code %d, %q; want an error containing %q", c.args, code, errOut, c.want)
		}
	}

	// An energy fitted alone to the trained convolutional generator, of
	// dcgan's default architecture (an MLP): the new model's base is the
	// run's, its energy an MLP.
	alone := filepath.Join(t.TempDir(), "alone")
	a := append(slices.Clone(args[:len(args)-1]), "--energy-hidden", "16", "--base-from", filepath.Join(run, "model.gebm"), "--steps", "0")
	a = slices.Delete(a, slices.Index(a, "--energy-arch"), slices.Index(a, "--energy-arch")+2)
	a[slices.Index(a, "--out")+1] = alone
	if code, _, errOut := gebm(t, a...); code != 0 {
		t.Fatalf("gebm train --base-from --steps 0: %s", errOut)
	}
	fit, base := loadModelFile(t, filepath.Join(alone, "model.gebm")), load()
	same := model.GEBM{Base: fit.Base, Energy: base.Energy, A: base.A}
	if err := same.Identical(base); err != nil || hasKind(fit.Energy.Spec(), nn.KindConv2D) || fit.Training.Options["base_from"] != filepath.Join(run, "model.gebm") {
		t.Fatalf("energy alone: base identical to the run's: %v; energy %+v; options %v", err, fit.Energy.Spec(), fit.Training.Options)
	}
}
