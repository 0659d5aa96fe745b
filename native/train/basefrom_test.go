package train

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gebm/gebm/shared/data/datatest"
	"github.com/gebm/gebm/shared/model"
)

// TestBaseFrom: --base-from with --steps 0 trains a new energy (here of
// other widths) against the generator of an earlier run, which the model
// keeps bit for bit; the run records the option, and a resume restores it.
func TestBaseFrom(t *testing.T) {
	pre := run(t, small(t, 12))
	path := filepath.Join(pre.Opts.Out, ModelFile)

	o := small(t, 0)
	o.BaseFrom, o.FinalEnergySteps, o.EnergyHidden = path, 15, []int{8}
	tr := run(t, o)

	if err := identicalParams(pre.Model.Base.Params(), tr.Model.Base.Params()); err != nil {
		t.Fatalf("the base is not the file's: %v", err)
	}
	if p := tr.core.Position(); p.BaseSteps != 0 || p.EnergySteps != 15 || p.FinalSteps != 15 {
		t.Fatalf("schedule position %+v, want 0 base steps and 15 energy steps, all in the final phase", p)
	}
	b, err := os.ReadFile(filepath.Join(o.Out, ModelFile))
	if err != nil {
		t.Fatal(err)
	}
	m, err := model.Load(b)
	if err != nil {
		t.Fatal(err)
	}
	if got := hiddenWidths(m.Energy.Spec()); len(got) != 1 || got[0] != 8 {
		t.Fatalf("energy hidden widths %v, want [8]", got)
	}
	if err := identicalParams(pre.Model.Base.Params(), m.Base.Params()); err != nil {
		t.Fatalf("the model file's base is not the one it started from: %v", err)
	}

	r := small(t, 0)
	r.Out, r.Resume = o.Out, true
	got, err := ResumeOptions(r, func(string) bool { return false })
	if err != nil {
		t.Fatal(err)
	}
	if got.BaseFrom != path || got.EnergyArchitecture() != "mlp" {
		t.Fatalf("resumed with --base-from %q, --energy-arch %q; want %q, mlp", got.BaseFrom, got.EnergyArchitecture(), path)
	}
}

// TestBaseFromRefuses: a generator that is not the one the options build,
// a file that is not a model, a missing file, another data space, and
// --steps 0 without a generator to start from (or with nothing to train)
// are errors that name what is wrong; none of them writes a run.
func TestBaseFromRefuses(t *testing.T) {
	pre := run(t, small(t, 3))
	path := filepath.Join(pre.Opts.Out, ModelFile)
	garbage := filepath.Join(t.TempDir(), "garbage.gebm")
	if err := os.WriteFile(garbage, []byte("not a model"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name  string
		edit  func(*Options)
		wants []string
	}{
		{"other widths", func(o *Options) { o.BaseHidden = []int{32} }, []string{"--base-from " + path, "--base-hidden", "linear 4→16"}},
		{"other latent size", func(o *Options) { o.Latent = 3 }, []string{"--base-from " + path, "--latent"}},
		{"not a model", func(o *Options) { o.BaseFrom = garbage }, []string{"--base-from " + garbage}},
		{"missing", func(o *Options) { o.BaseFrom = garbage + ".missing" }, []string{"--base-from", "no such file"}},
		{"steps 0 without a generator", func(o *Options) { o.BaseFrom = "" }, []string{"--steps", "--base-from"}},
		{"nothing to train", func(o *Options) { o.FinalEnergySteps = 0 }, []string{"--steps", "--final-energy-steps"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			o := small(t, 0)
			o.BaseFrom, o.FinalEnergySteps = path, 5
			c.edit(&o)
			_, err := New(o)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range c.wants {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not name %q", err, w)
				}
			}
			if files, _ := os.ReadDir(o.Out); len(files) > 0 {
				t.Errorf("the refused run wrote %d files in %s", len(files), o.Out)
			}
		})
	}

	// Another data space: the same network, for data scaled otherwise.
	m := *pre.Model
	m.Data.Scale *= 2
	if err := takeBase(&m, path); err == nil || !strings.Contains(err.Error(), "data") {
		t.Fatalf("a generator for other data: %v", err)
	}
}

// TestDCGANWithMLPEnergy: --energy-arch mlp puts an MLP energy on the
// convolutional generator; the run trains, takes the generator of an
// earlier dcgan run with --base-from (trained further with base steps,
// frozen, batch-norm statistics included, without), and a resume keeps
// the energy's architecture.
func TestDCGANWithMLPEnergy(t *testing.T) {
	dir := datatest.GreyPNGFolder(t, 16, 8, 5)
	opts := func() Options {
		o := Defaults(dir)
		o.Out, o.Steps, o.Quiet = t.TempDir(), 4, true
		o.Arch, o.Channels, o.Latent, o.Batch = "dcgan", 4, 8, 8
		o.Warmup, o.CheckpointEvery, o.FinalEnergySteps = 2, 3, 3
		return o
	}
	pre := run(t, opts())
	if !convolutional(pre.Model.Energy.Spec()) {
		t.Fatal("the dcgan run's energy is not convolutional")
	}
	o := opts()
	o.EnergyArch, o.EnergyHidden, o.BaseFrom, o.Steps = "mlp", []int{16}, filepath.Join(pre.Opts.Out, ModelFile), 2
	tr := run(t, o)
	if !convolutional(tr.Model.Base.Spec()) || convolutional(tr.Model.Energy.Spec()) {
		t.Fatalf("base %v, energy %v: want a convolutional base and an mlp energy", tr.Model.Base.Spec().Widths(), tr.Model.Energy.Spec().Widths())
	}
	if s := tr.Model.Energy.Spec(); s.In() != 64 || len(hiddenWidths(s)) != 1 || hiddenWidths(s)[0] != 16 {
		t.Fatalf("energy of input %d, hidden widths %v: want 64 and [16]", s.In(), hiddenWidths(s))
	}
	if identicalParams(pre.Model.Base.Params(), tr.Model.Base.Params()) == nil {
		t.Fatal("2 base steps left the generator it started from unchanged")
	}

	// With --steps 0 the generator is frozen: its weights and its batch
	// normalisation's running statistics stay the file's.
	frozen := opts()
	frozen.EnergyArch, frozen.EnergyHidden, frozen.BaseFrom, frozen.Steps = "mlp", []int{16}, o.BaseFrom, 0
	fr := run(t, frozen)
	if err := identicalParams(append(pre.Model.Base.Params(), pre.Model.Base.State()...),
		append(fr.Model.Base.Params(), fr.Model.Base.State()...)); err != nil {
		t.Fatalf("energy steps on a frozen generator changed it: %v", err)
	}

	r := opts()
	r.Out, r.Resume = o.Out, true
	got, err := ResumeOptions(r, func(string) bool { return false })
	if err != nil {
		t.Fatal(err)
	}
	if got.EnergyArchitecture() != "mlp" || len(got.EnergyHidden) != 1 || got.EnergyHidden[0] != 16 {
		t.Fatalf("resumed with --energy-arch %q, --energy-hidden %v", got.EnergyArchitecture(), got.EnergyHidden)
	}
}
