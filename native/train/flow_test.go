package train

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/gebm/gebm/shared/data"
)

// smallFlow returns options for a short run with a realnvp base.
func smallFlow(t *testing.T, steps int, loss string) Options {
	o := small(t, steps)
	o.Base, o.BaseLoss, o.FlowLayers, o.FlowHidden = "realnvp", loss, 4, 16
	return o
}

// meanNLL is the flow's mean negative log-likelihood of 2000 fresh rows.
func meanNLL(t *testing.T, tr *Trainer) float64 {
	x := make([]float32, 2000*2)
	toy, err := data.ToyByName("8gaussians")
	if err != nil {
		t.Fatal(err)
	}
	toy.Sample(rand.New(rand.NewPCG(9, 9)), x)
	lq := make([]float64, 2000)
	tr.Model.Base.LogDensity(x, 2000, lq)
	var s float64
	for _, v := range lq {
		s -= v
	}
	return s / 2000
}

// TestFlowMLE: with --base-loss mle the flow's likelihood of the data
// rises, the model file records the flow, and a resumed run continues it
// bit for bit with the options it was started with.
func TestFlowMLE(t *testing.T) {
	o := smallFlow(t, 1, "mle")
	before := meanNLL(t, run(t, o))
	o = smallFlow(t, 150, "mle")
	full := run(t, o)
	after := meanNLL(t, full)
	if !(after < before-0.5) || full.Model.Latent() != 2 || !full.Model.IsFlow() {
		t.Fatalf("flow NLL %v after 1 step, %v after 150; latent %d, flow %v", before, after, full.Model.Latent(), full.Model.IsFlow())
	}

	part := smallFlow(t, 27, "mle")
	run(t, part)
	fresh := Defaults("")
	fresh.Out, fresh.Resume, fresh.Steps = part.Out, true, 150
	got, err := ResumeOptions(fresh, func(f string) bool { return f == "steps" })
	if err != nil {
		t.Fatal(err)
	}
	if got.Base != "realnvp" || got.BaseLoss != "mle" || got.FlowLayers != 4 || got.FlowHidden != 16 || got.Latent != 2 {
		t.Fatalf("resume restored base %s, loss %s, %d layers of %d, latent %d", got.Base, got.BaseLoss, got.FlowLayers, got.FlowHidden, got.Latent)
	}
	resumed := run(t, got)
	if err := full.Model.Identical(resumed.Model); err != nil {
		t.Fatalf("uninterrupted vs resumed: %v", err)
	}
}

// TestFlowKALE: a realnvp base also trains with the paper's base loss.
func TestFlowKALE(t *testing.T) {
	tr := run(t, smallFlow(t, 20, "kale"))
	if !tr.Model.IsFlow() || tr.Opts.BaseLoss != "kale" {
		t.Fatal("not a flow run")
	}
}

func TestFlowOptionsRefused(t *testing.T) {
	for _, c := range []struct {
		edit func(*Options)
		want string
	}{
		{func(o *Options) { o.Device = "cuda" }, "--device: cuda has no kernels for the realnvp base"},
		{func(o *Options) { o.Base = "mlp" }, "--base-loss: mle needs a base with a density"},
		{func(o *Options) { o.Base = "glow" }, `--base: "glow"`},
		{func(o *Options) { o.BaseLoss = "nce" }, `--base-loss: "nce"`},
		{func(o *Options) { o.FlowLayers = 0 }, "--flow-layers"},
		{func(o *Options) { o.FlowHidden = 0 }, "--flow-hidden"},
		{func(o *Options) { o.Latent = 3 }, "--latent 3: a realnvp base's latent size is the data dimension, 2"},
	} {
		o := smallFlow(t, 2, "mle")
		c.edit(&o)
		if _, err := New(o); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("error %v, want %q", err, c.want)
		}
	}
}
