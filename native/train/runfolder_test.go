package train

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gebm/gebm/shared/ckpt"
	"github.com/gebm/gebm/shared/data/datatest"
)

// TestFolderHoldingARun: a folder that holds a run is refused without
// --resume or --force, with an error that says which; --force starts over
// (the old log and model are gone); --resume with --force is refused.
func TestFolderHoldingARun(t *testing.T) {
	o := small(t, 6)
	run(t, o)
	before, err := os.ReadFile(filepath.Join(o.Out, ModelFile))
	if err != nil {
		t.Fatal(err)
	}
	_, err = New(o)
	if err == nil || !strings.Contains(err.Error(), "--resume") || !strings.Contains(err.Error(), "--force") ||
		!strings.Contains(err.Error(), "base step 6 of 6") {
		t.Fatalf("second run in the same folder: %v; want a refusal naming --resume, --force and the step", err)
	}
	if after, _ := os.ReadFile(filepath.Join(o.Out, ModelFile)); string(after) != string(before) {
		t.Fatal("the refused run changed model.gebm")
	}

	both := o
	both.Resume, both.Force = true, true
	if _, err := New(both); err == nil || !strings.Contains(err.Error(), "contradict") {
		t.Fatalf("--resume with --force: %v", err)
	}

	o.Force, o.Steps = true, 2
	o.LogEvery = 1
	tr, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(o.Out, ModelFile)); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("--force kept the old model.gebm: %v", err)
	}
	if err := tr.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	log, _ := os.ReadFile(filepath.Join(o.Out, LogFile))
	if rows := strings.Count(string(log), "\n") - 1; rows != 2 {
		t.Fatalf("log after --force has %d rows, want the new run's 2:\n%s", rows, log)
	}
}

// TestFolderWithoutCheckpoint: a log without a checkpoint (a run killed
// before its first checkpoint) can only be started over; an empty folder
// has nothing to resume.
func TestFolderWithoutCheckpoint(t *testing.T) {
	o := small(t, 3)
	o.Resume = true
	if _, err := New(o); err == nil || !strings.Contains(err.Error(), "no run to continue") {
		t.Fatalf("--resume on an empty folder: %v", err)
	}
	o.Resume = false
	os.WriteFile(filepath.Join(o.Out, LogFile), []byte("step\n"), 0o644)
	os.WriteFile(filepath.Join(o.Out, "notes.txt"), []byte("mine"), 0o644)
	if _, err := New(o); err == nil || !strings.Contains(err.Error(), "--force") || strings.Contains(err.Error(), "--resume") {
		t.Fatalf("folder with a log only: %v; want --force offered, not --resume", err)
	}
	o.Resume = true
	if _, err := New(o); err == nil || !strings.Contains(err.Error(), "no checkpoint.gebm") {
		t.Fatalf("--resume with a log only: %v", err)
	}
	o.Resume, o.Force = false, true
	run(t, o)
	if b, err := os.ReadFile(filepath.Join(o.Out, "notes.txt")); err != nil || string(b) != "mine" {
		t.Fatalf("--force touched a file that is not the run's: %q, %v", b, err)
	}
}

// TestResumeOptions: --resume restores every option that defines the run
// from the checkpoint, refuses flags that contradict them (naming the flag
// and both values) and lets the steps, intervals and device change.
func TestResumeOptions(t *testing.T) {
	o := small(t, 4)
	o.Seed, o.LREnergy, o.TestFraction, o.AInitBatches, o.EnergyFloor, o.BaseTilt = 5, 3e-4, 0.2, 3, -10, 0.5
	run(t, o)

	given := func(flags ...string) func(string) bool {
		return func(f string) bool {
			for _, g := range flags {
				if g == f {
					return true
				}
			}
			return false
		}
	}
	fresh := Defaults("")
	fresh.Out, fresh.Resume = o.Out, true
	got, err := ResumeOptions(fresh, given())
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range runOptions {
		if a, b := r.get(&got), r.get(&o); a != b {
			t.Errorf("--%s restored as %s, the run has %s", r.flag, a, b)
		}
	}

	bad := fresh
	bad.Seed, bad.Batch, bad.Steps, bad.LogEvery = 2, 64, 100, 1
	_, err = ResumeOptions(bad, given("seed", "batch", "steps", "log-every"))
	for _, want := range []string{"--seed 2 contradicts the run's --seed 5", "--batch 64 contradicts the run's --batch 32", "--force"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("contradicting flags: %v; want %q", err, want)
		}
	}
	if err != nil && (strings.Contains(err.Error(), "--steps") || strings.Contains(err.Error(), "--log-every")) {
		t.Errorf("--steps and --log-every may change, yet: %v", err)
	}

	more := fresh
	more.Steps, more.CheckpointEvery = 9, 2
	got, err = ResumeOptions(more, given("steps", "checkpoint-every"))
	if err != nil || got.Steps != 9 || got.CheckpointEvery != 2 || got.Seed != 5 {
		t.Fatalf("changing --steps and --checkpoint-every: %+v, %v", got, err)
	}
	if _, err := New(got); err != nil {
		t.Fatal(err)
	}

	// A library caller's options are all given: any difference is refused.
	lib := o
	lib.Resume, lib.Steps, lib.GP = true, 9, 2
	if _, err := New(lib); err == nil || !strings.Contains(err.Error(), "--gp 2 contradicts the run's --gp 0.1") {
		t.Fatalf("New with another GP: %v", err)
	}
	done := o
	done.Resume = true
	if _, err := New(done); err == nil || !strings.Contains(err.Error(), "already at base step 4") {
		t.Fatalf("resuming a finished run without more steps: %v", err)
	}
}

// TestResumeOlderCheckpoint: a checkpoint written before the planned steps,
// the intervals, --a-init-batches, --test-fraction, --base-tilt, --arch and
// --channels were recorded resumes with the values older versions always
// used (an mlp, which a given --arch dcgan contradicts) and the defaults
// for the rest.
func TestResumeOlderCheckpoint(t *testing.T) {
	o := small(t, 4)
	run(t, o)
	path := filepath.Join(o.Out, CheckpointFile)
	f, err := readCheckpoint(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"target_steps", "checkpoint_every", "log_every", "device", "a_init_batches", "test_fraction", "base_tilt", "arch", "channels"} {
		delete(f.Training.Options, k)
	}
	var ts []ckpt.Tensor
	for _, ti := range f.Tensors {
		ts = append(ts, ckpt.Tensor{Name: ti.Name, Shape: ti.Shape, Data: f.Tensor(ti.Name)})
	}
	b, err := ckpt.Encode(f.Header, ts)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	fresh := Defaults("")
	fresh.Out, fresh.Resume, fresh.AInitBatches, fresh.BaseTilt = o.Out, true, 99, 0.25
	fresh.Arch, fresh.Channels = "dcgan", 7
	got, err := ResumeOptions(fresh, func(string) bool { return false })
	if err != nil {
		t.Fatal(err)
	}
	def := Defaults("8gaussians")
	if got.AInitBatches != 10 || got.TestFraction != 0.1 || got.BaseTilt != 1 || got.Steps != def.Steps || got.LogEvery != def.LogEvery ||
		got.Batch != o.Batch || formatWidths(got.BaseHidden) != "16,16" || got.Arch != "mlp" || got.Channels != def.Channels {
		t.Fatalf("options from an older checkpoint: %+v", got)
	}
	_, err = ResumeOptions(fresh, func(flag string) bool { return flag == "arch" })
	if err == nil || !strings.Contains(err.Error(), "--arch dcgan contradicts the run's --arch mlp") {
		t.Fatalf("--arch dcgan on an older mlp checkpoint: %v", err)
	}
}

// TestResumeDCGANWithItsOptions: a dcgan run resumed through New with the
// options it was started with (hidden widths left at their MLP defaults,
// which a dcgan does not use) continues instead of reporting that the
// widths contradict the run's, and ends as an uninterrupted run does.
func TestResumeDCGANWithItsOptions(t *testing.T) {
	dir := datatest.GreyPNGFolder(t, 16, 8, 5)
	opts := func(steps int) Options {
		o := Defaults(dir)
		o.Out, o.Steps, o.Quiet = t.TempDir(), steps, true
		o.Arch, o.Channels, o.Latent, o.Batch = "dcgan", 4, 8, 8
		o.Warmup, o.CheckpointEvery, o.FinalEnergySteps = 2, 3, 0
		return o
	}
	full := run(t, opts(8))
	o := opts(5)
	run(t, o)
	o.Steps, o.Resume = 8, true
	resumed := run(t, o)
	if err := full.Model.Identical(resumed.Model); err != nil {
		t.Fatalf("uninterrupted vs resumed: %v", err)
	}
}
