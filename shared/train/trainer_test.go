package train

import (
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/gebm/gebm/shared/backend"
	"github.com/gebm/gebm/shared/ckpt"
	"github.com/gebm/gebm/shared/data"
	"github.com/gebm/gebm/shared/model"
	"github.com/gebm/gebm/shared/nn"
)

// small returns the options of a quick run on 8gaussians: small networks,
// a burst every 7 base steps, a decay every 10, a final phase of 6.
func small() Options {
	o := Defaults("8gaussians")
	o.Steps, o.Batch, o.BaseHidden, o.EnergyHidden = 20, 16, []int{8}, []int{8}
	o.Warmup, o.BurstEvery, o.BurstLen, o.LRDecayEvery, o.FinalEnergySteps = 4, 7, 3, 10, 6
	return o
}

func cpu(m *model.GEBM, c backend.Config, a *nn.Param, optE, optB *nn.Adam) (backend.Backend, error) {
	return NewCPU(m, c, a, optE, optB), nil
}

// newTrainer builds o's model on 8gaussians and its trainer, from resume
// when not nil (then the model is the checkpoint's).
func newTrainer(t *testing.T, o Options, resume *ckpt.File) *Trainer {
	t.Helper()
	train := data.SampleDataset(mustToy(t), 2000, rand.New(rand.NewPCG(o.Seed, 0)))
	var err error
	if err != nil {
		t.Fatal(err)
	}
	var m *model.GEBM
	if resume != nil {
		m, err = model.FromFile(resume)
	} else {
		m, err = NewModel(&o, "8gaussians", train)
	}
	if err != nil {
		t.Fatal(err)
	}
	tr, err := New(o, m, train, resume, cpu)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

func mustToy(t *testing.T) data.Toy {
	t.Helper()
	toy, err := data.ToyByName("8gaussians")
	if err != nil {
		t.Fatal(err)
	}
	return toy
}

// run makes units until base step `until`, then the final phase.
func run(t *testing.T, tr *Trainer, until int) {
	t.Helper()
	if !tr.Started() {
		tr.InitA()
	}
	for tr.Position().BaseSteps < until {
		if err := tr.Unit(); err != nil {
			t.Fatal(err)
		}
	}
	if until < tr.Opts.Steps {
		return
	}
	for !tr.Finished() {
		if err := tr.FinalStep(); err != nil {
			t.Fatal(err)
		}
	}
}

// TestSchedule: the energy updates counted through a run are the schedule's
// — Warmup + NCritic before the first base step, NCritic before each
// other, BurstLen more before every BurstEvery-th, then the final phase —
// and the learning-rate factor decays every LRDecayEvery base steps.
func TestSchedule(t *testing.T) {
	o := small()
	tr := newTrainer(t, o, nil)
	tr.InitA()
	for k := 0; k < o.Steps; k++ {
		before := tr.Position().EnergySteps
		want := o.NCritic
		if k == 0 {
			want += o.Warmup
		}
		if k > 0 && k%o.BurstEvery == 0 {
			want += o.BurstLen
		}
		if got := tr.LRScale(); got != math.Pow(o.LRDecay, float64(k/o.LRDecayEvery)) {
			t.Fatalf("base step %d: learning-rate factor %v", k, got)
		}
		if err := tr.Unit(); err != nil {
			t.Fatal(err)
		}
		if got := tr.Position().EnergySteps - before; got != want {
			t.Fatalf("base step %d: %d energy updates, want %d", k, got, want)
		}
	}
	if tr.Finished() {
		t.Fatal("finished before the final phase")
	}
	run(t, tr, o.Steps)
	p := tr.Position()
	if p.BaseSteps != 20 || p.FinalSteps != 6 || p.EnergySteps != 4+5*20+2*3+6 || !tr.Finished() {
		t.Fatalf("position %+v", p)
	}
}

// TestResumeState: a trainer restored from ResumeState's checkpoint (model,
// optimiser moments and steps, random stream, position) continues to the
// same bits as the run that was not interrupted.
func TestResumeState(t *testing.T) {
	o := small()
	full := newTrainer(t, o, nil)
	run(t, full, o.Steps)

	part := newTrainer(t, o, nil)
	run(t, part, 9)
	r, opt, err := part.ResumeState()
	if err != nil {
		t.Fatal(err)
	}
	h := part.Model.Header()
	h.Resume = r
	b, err := ckpt.Encode(h, append(part.Model.Tensors(), opt...))
	if err != nil {
		t.Fatal(err)
	}
	f, err := ckpt.Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	resumed := newTrainer(t, o, f)
	if resumed.Position() != part.Position() || !resumed.Started() {
		t.Fatalf("restored position %+v, want %+v", resumed.Position(), part.Position())
	}
	run(t, resumed, o.Steps)
	if err := resumed.Model.Identical(full.Model); err != nil {
		t.Fatalf("the resumed run's model differs from the uninterrupted run's: %v", err)
	}
	if resumed.Position() != full.Position() {
		t.Fatalf("position %+v, want %+v", resumed.Position(), full.Position())
	}
}

// TestProblems: every absurd option is named, NaN included; the defaults
// have none.
func TestProblems(t *testing.T) {
	for _, data := range []string{"8gaussians", "mnist"} {
		o := Defaults(data)
		if ps := o.Problems(); len(ps) != 0 {
			t.Fatalf("Defaults(%s): %v", data, ps)
		}
		if o.Arch != "mlp" {
			t.Fatalf("Defaults(%s): arch %q, want mlp", data, o.Arch)
		}
		// An energy trained alone on a given generator: no base steps.
		o.Steps, o.BaseFrom = 0, "pretrained.gebm"
		if ps := o.Problems(); len(ps) != 0 {
			t.Fatalf("Defaults(%s) with --steps 0 on a pretrained base: %v", data, ps)
		}
		o.Arch, o.Latent = "dcgan", DCGANLatent
		if ps := o.Problems(); len(ps) != 0 {
			t.Fatalf("Defaults(%s) with arch dcgan: %v", data, ps)
		}
	}
	for _, c := range []struct {
		option string
		set    func(*Options)
	}{
		{"steps", func(o *Options) { o.Steps = 0 }},
		{"batch", func(o *Options) { o.Batch = 1 }},
		{"latent", func(o *Options) { o.Latent = 0 }},
		{"hidden", func(o *Options) { o.EnergyHidden = []int{0} }},
		{"energy-slope", func(o *Options) { o.EnergySlope = math.NaN() }},
		{"energy-floor", func(o *Options) { o.EnergyFloor = math.Inf(-1) }},
		{"lr-energy", func(o *Options) { o.LREnergy = math.NaN() }},
		{"lr-base", func(o *Options) { o.LRBase = -1e-3 }},
		{"beta1/--beta2", func(o *Options) { o.Beta2 = 1 }},
		{"n-critic", func(o *Options) { o.NCritic = 0 }},
		{"final-energy-steps", func(o *Options) { o.FinalEnergySteps = -1 }},
		{"final-lr-scale", func(o *Options) { o.FinalLRScale = 0 }},
		{"warmup/--burst-len/--burst-every", func(o *Options) { o.BurstLen = -1 }},
		{"gp", func(o *Options) { o.GP = math.Inf(1) }},
		{"base-tilt", func(o *Options) { o.BaseTilt = math.NaN() }},
		{"lr-decay", func(o *Options) { o.LRDecay = 1.5 }},
		{"lr-decay-every", func(o *Options) { o.LRDecayEvery = -1 }},
		{"a-init-batches", func(o *Options) { o.AInitBatches = 0 }},
		{"base", func(o *Options) { o.Base = "gan" }},
		{"flow-layers", func(o *Options) { o.FlowLayers = 0 }},
		{"flow-hidden", func(o *Options) { o.FlowHidden = 1 << 20 }},
		{"base-loss", func(o *Options) { o.BaseLoss = "mle" }},
		{"arch", func(o *Options) { o.Arch = "resnet" }},
		{"arch", func(o *Options) { o.Arch, o.Base = "dcgan", "realnvp" }},
		{"channels", func(o *Options) { o.Channels = 0 }},
		{"energy-arch", func(o *Options) { o.EnergyArch = "resnet" }},
		{"steps", func(o *Options) { o.Steps = 0 }},
		{"steps", func(o *Options) { o.Steps, o.BaseFrom, o.FinalEnergySteps = 0, "pretrained.gebm", 0 }},
	} {
		o := Defaults("8gaussians")
		c.set(&o)
		ps := o.Problems()
		if len(ps) != 1 || ps[0].Option != c.option {
			t.Errorf("%s: problems %v, want one naming it", c.option, ps)
		}
		if err := o.Validate(); err == nil || !strings.HasPrefix(err.Error(), c.option+": ") {
			t.Errorf("%s: Validate %v", c.option, err)
		}
	}
}

// TestNonFinite: an absurd learning rate sends a quantity to infinity or
// NaN, and the step reports a *NonFiniteError naming it.
func TestNonFinite(t *testing.T) {
	o := small()
	o.LREnergy, o.LRBase, o.EnergyFloor = 1e30, 1e30, 0
	tr := newTrainer(t, o, nil)
	tr.InitA()
	var err error
	for range o.Steps {
		if err = tr.Unit(); err != nil {
			break
		}
	}
	var nf *NonFiniteError
	if !errors.As(err, &nf) || !strings.Contains(err.Error(), "not finite") {
		t.Fatalf("error %v, want a NonFiniteError", err)
	}
}

// TestRecord: every recorded option reads back from its text to the same
// value.
func TestRecord(t *testing.T) {
	o := small()
	o.GP, o.BaseTilt, o.SoftClip, o.SpectralNorm = 0.1+0.2, 1.0/3, true, true
	rec := o.Record()
	if len(rec) != len(RecordedOptions) {
		t.Fatalf("%d recorded, %d options", len(rec), len(RecordedOptions))
	}
	var back Options
	for _, r := range RecordedOptions {
		if err := r.Set(&back, rec[r.Key]); err != nil {
			t.Fatal(err)
		}
		if r.Get(&back) != r.Get(&o) {
			t.Errorf("%s: %q read back as %q", r.Flag, r.Get(&o), r.Get(&back))
		}
	}
	if back.GP != o.GP || back.BaseTilt != o.BaseTilt {
		t.Errorf("floats read back as %v, %v", back.GP, back.BaseTilt)
	}
}
