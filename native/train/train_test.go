package train

import (
	"context"
	"errors"
	"fmt"
	core "github.com/gebm/gebm/shared/train"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gebm/gebm/shared/backend"
	"github.com/gebm/gebm/shared/ckpt"
	"github.com/gebm/gebm/shared/data"
	"github.com/gebm/gebm/shared/model"
	"github.com/gebm/gebm/shared/nn"
)

// small returns options for quick tests: a small network and short
// schedule on 8gaussians.
func small(t *testing.T, steps int) Options {
	o := Defaults("8gaussians")
	o.Out = t.TempDir()
	o.Steps = steps
	o.BaseHidden, o.EnergyHidden = []int{16, 16}, []int{16, 16}
	o.Batch = 32
	o.Warmup, o.BurstEvery, o.BurstLen = 10, 7, 5
	o.CheckpointEvery, o.LogEvery = 5, 5
	// No final energy-only phase: a run stopped at its last base step has
	// done the phase, so a resumed run would not match one never stopped
	// (TestFinalPhaseInterruptedResumes covers the phase).
	o.FinalEnergySteps = 0
	return o
}

func run(t *testing.T, o Options) *Trainer {
	t.Helper()
	tr, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	if err := tr.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	return tr
}

// TestResumeMatchesUninterrupted: a run stopped at a checkpoint and resumed
// ends with the same weights, bit for bit, as a run that was never
// interrupted (optimiser state, random stream and schedule position are
// all restored). 17 is not a multiple of the burst period, so the
// checkpoint falls mid-schedule.
func TestResumeMatchesUninterrupted(t *testing.T) {
	full := run(t, small(t, 30))

	o := small(t, 17)
	run(t, o)
	o.Steps, o.Resume = 30, true
	resumed := run(t, o)

	if full.core.Position() != resumed.core.Position() {
		t.Fatalf("schedule position %+v vs %+v", full.core.Position(), resumed.core.Position())
	}
	if err := full.Model.Identical(resumed.Model); err != nil {
		t.Fatalf("uninterrupted vs resumed: %v", err)
	}
	// The resumed log reads as one run: steps 5, 10, 15, 17 (where the
	// first process stopped), 20, 25, 30, each once and in order.
	log, err := os.ReadFile(filepath.Join(o.Out, LogFile))
	if err != nil {
		t.Fatal(err)
	}
	var steps []string
	for _, line := range strings.Split(strings.TrimSpace(string(log)), "\n")[1:] {
		steps = append(steps, strings.SplitN(line, ",", 2)[0])
	}
	if got := strings.Join(steps, " "); got != "5 10 15 17 20 25 30" {
		t.Fatalf("resumed log steps %q, want \"5 10 15 17 20 25 30\"", got)
	}
}

// TestFinalEnergyPhase: --final-energy-steps trains the energy alone after
// the last base step: the base ends bit-identical to a run without the
// phase, the energy does not, the schedule counts the extra energy steps,
// and a resume restores the option (a contradiction is refused).
func TestFinalEnergyPhase(t *testing.T) {
	plain := run(t, small(t, 12))
	o := small(t, 12)
	o.FinalEnergySteps, o.FinalLRScale = 20, 0.5
	final := run(t, o)

	if err := identicalParams(plain.Model.Base.Params(), final.Model.Base.Params()); err != nil {
		t.Fatalf("the base changed in the final phase: %v", err)
	}
	if identicalParams(plain.Model.Energy.Params(), final.Model.Energy.Params()) == nil {
		t.Fatal("the final phase left the energy unchanged")
	}
	if got, want := final.core.Position().EnergySteps, plain.core.Position().EnergySteps+20; got != want {
		t.Fatalf("energy steps %d, want %d", got, want)
	}
	if final.core.Position().BaseSteps != plain.core.Position().BaseSteps {
		t.Fatalf("base steps %d vs %d", final.core.Position().BaseSteps, plain.core.Position().BaseSteps)
	}
	// A resume restores the recorded option and refuses a contradiction.
	r := small(t, 14)
	r.Out, r.Resume = o.Out, true
	got, err := ResumeOptions(r, func(flag string) bool { return flag == "steps" })
	if err != nil {
		t.Fatal(err)
	}
	if got.FinalEnergySteps != 20 || got.FinalLRScale != 0.5 {
		t.Fatalf("resumed with a final phase of %d × %v, want 20 × 0.5", got.FinalEnergySteps, got.FinalLRScale)
	}
	if _, err := ResumeOptions(r, func(flag string) bool { return flag == "final-energy-steps" }); err == nil ||
		!strings.Contains(err.Error(), "final-energy-steps") {
		t.Fatalf("a contradicting --final-energy-steps: %v", err)
	}
}

// TestFinalPhaseInterruptedResumes: a run interrupted during the final
// energy-only phase writes a checkpoint there, --resume finishes the phase
// (and only the phase) and ends bit-identical to an uninterrupted run, and
// a finished run is not resumed again.
func TestFinalPhaseInterruptedResumes(t *testing.T) {
	withPhase := func() Options {
		o := small(t, 12)
		o.FinalEnergySteps, o.FinalLRScale = 20, 0.5
		return o
	}
	full := run(t, withPhase())

	o := withPhase()
	tr, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	tr.FinalProgress = func(step int, _ float64) {
		if step == 7 {
			cancel()
		}
	}
	var ie *InterruptedError
	if err := tr.Run(ctx); !errors.As(err, &ie) || ie.FinalStep != 7 || ie.FinalSteps != 20 || ie.Step != 12 {
		t.Fatalf("interrupted in the final phase: %v (%+v)", err, ie)
	}
	if !strings.Contains(ie.Error(), "final energy-only step 7 of 20") {
		t.Fatalf("message %q does not say where the phase stopped", ie.Error())
	}

	r := withPhase()
	r.Out, r.Resume = o.Out, true
	resumed := run(t, r)
	if err := identicalParams(full.Model.Energy.Params(), resumed.Model.Energy.Params()); err != nil {
		t.Fatalf("resumed final phase differs from the uninterrupted one: %v", err)
	}
	if err := identicalParams(full.Model.Base.Params(), resumed.Model.Base.Params()); err != nil {
		t.Fatalf("base: %v", err)
	}
	if resumed.core.Position() != full.core.Position() {
		t.Fatalf("schedule %+v, want %+v", resumed.core.Position(), full.core.Position())
	}
	if _, err := New(r); err == nil || !strings.Contains(err.Error(), "already at base step 12") {
		t.Fatalf("resuming a finished run: %v", err)
	}
}

// identicalParams returns nil when a and b hold the same bits, else an error
// naming the first difference.
func identicalParams(a, b []*nn.Param) error {
	if len(a) != len(b) {
		return fmt.Errorf("%d parameters vs %d", len(a), len(b))
	}
	for i := range a {
		for j := range a[i].Value {
			if math.Float32bits(a[i].Value[j]) != math.Float32bits(b[i].Value[j]) {
				return fmt.Errorf("parameter %d[%d]: %v vs %v", i, j, a[i].Value[j], b[i].Value[j])
			}
		}
	}
	return nil
}

// TestOutputs: a run writes the model, the checkpoint, the log and both
// plots, and the model file loads.
func TestOutputs(t *testing.T) {
	o := small(t, 10)
	run(t, o)
	for _, name := range []string{ModelFile, CheckpointFile, LogFile, CurvesFile, SamplesFile} {
		if st, err := os.Stat(filepath.Join(o.Out, name)); err != nil || st.Size() == 0 {
			t.Fatalf("%s: %v", name, err)
		}
	}
	b, _ := os.ReadFile(filepath.Join(o.Out, ModelFile))
	m, err := model.Load(b)
	if err != nil {
		t.Fatal(err)
	}
	if m.Training.Steps != 10 || m.Training.Dataset != "8gaussians" || m.Training.Options["gp"] != "0.1" {
		t.Fatalf("metadata %+v", m.Training)
	}
	f, _ := ckpt.Decode(b)
	if f.Resume != nil {
		t.Fatal("model.gebm carries optimiser state; only checkpoint.gebm should")
	}
}

// TestNonFiniteStops: an absurd learning rate drives the weights to
// infinity; training stops, names the step and the quantity, and the last
// good checkpoint stays readable.
func TestNonFiniteStops(t *testing.T) {
	o := small(t, 200)
	o.LREnergy = 1e36
	tr, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	err = tr.Run(context.Background())
	if err == nil || !strings.Contains(err.Error(), "not finite") || !strings.Contains(err.Error(), "training stopped at base step") {
		t.Fatalf("error %v, want a non-finite stop naming the step", err)
	}
	t.Log(err)
	if b, e := os.ReadFile(filepath.Join(o.Out, CheckpointFile)); e == nil {
		if _, e := ckpt.Decode(b); e != nil {
			t.Fatalf("checkpoint left corrupt: %v", e)
		}
	}
}

// failingBackend wraps the CPU backend and reports a non-finite gradient
// at a chosen energy step.
type failingBackend struct {
	backend.Backend
	failAt, calls int
}

func (f *failingBackend) EnergyStep(x, z, alpha []float32, lr float64) (backend.EnergyStats, error) {
	f.calls++
	if f.calls == f.failAt {
		return backend.EnergyStats{}, &core.NonFiniteError{Quantity: "energy gradient norm", Value: math.NaN()}
	}
	return f.Backend.EnergyStep(x, z, alpha, lr)
}

// TestNonFiniteKeepsCheckpoint: when a step goes non-finite after
// checkpoints were written, the error names the step, the quantity and the
// checkpoint, which still decodes at its step.
func TestNonFiniteKeepsCheckpoint(t *testing.T) {
	o := small(t, 50)
	tr, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	tr.core.Back = &failingBackend{Backend: tr.core.Back, failAt: 100}
	err = tr.Run(context.Background())
	// 10 warm-up + 5 energy steps before step 1, 5 each after, a burst of 5
	// at step 7 and 14: energy step 100 belongs to base step 16; the last
	// checkpoint before it is step 15.
	want := "training stopped at base step 16 (energy update 100): energy gradient norm is not finite (NaN); the last good checkpoint"
	if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "(step 15)") {
		t.Fatalf("error %v\nwant it to contain %q and (step 15)", err, want)
	}
	b, _ := os.ReadFile(filepath.Join(o.Out, CheckpointFile))
	f, e := ckpt.Decode(b)
	if e != nil || f.Training.Steps != 15 {
		t.Fatalf("checkpoint: %v, step %v", e, f)
	}
}

func TestValidate(t *testing.T) {
	for _, edit := range []func(*Options){
		func(o *Options) { o.Steps = 0 },
		func(o *Options) { o.Batch = -1 },
		func(o *Options) { o.LREnergy = math.NaN() },
		func(o *Options) { o.LRBase = -1 },
		func(o *Options) { o.GP = math.Inf(1) },
		func(o *Options) { o.Beta1 = 1 },
		func(o *Options) { o.NCritic = 0 },
		func(o *Options) { o.Device = "tpu" },
		func(o *Options) { o.CUDAGemm = "cudnn" },
		func(o *Options) { o.BaseHidden = []int{0} },
		func(o *Options) { o.Out = "" },
		func(o *Options) { o.BaseTilt = -0.5 },
		func(o *Options) { o.BaseTilt = math.NaN() },
		func(o *Options) { o.FinalEnergySteps = -1 },
		func(o *Options) { o.FinalLRScale = 0 },
		func(o *Options) { o.FinalLRScale = 1.5 },
		func(o *Options) { o.FinalLRScale = math.NaN() },
	} {
		o := Defaults("8gaussians")
		o.Out = "x"
		edit(&o)
		if err := o.Validate(); err == nil {
			t.Errorf("%+v: no error", o)
		}
	}
	if _, err := New(Options{}); err == nil {
		t.Fatal("empty options accepted")
	}
	o := small(t, 1)
	o.Data = "no-such-set"
	if _, err := New(o); err == nil {
		t.Fatal("unknown data set accepted")
	}
}

// TestLearns8Gaussians trains the default 2-D model briefly and checks
// what KALE training promises: the held-out KALE estimate falls well below
// its peak (reached once the warmed-up energy separates data from the
// fresh generator), and the generator's samples reach most modes.
//
// Coverage rule: a mode is reached when at least 1% of 2000 samples lie
// within 0.3 of its centre. Neighbouring centres are 1.53 apart, so the
// balls are disjoint and a sample counts for one mode at most; 1% is 20
// samples, an eighth of the 12.5% a perfect generator puts there. The run
// is short (a few seconds), so the test asks for 6 of the 8 modes; the
// committed models, trained longer, are measured by gebm eval.
func TestLearns8Gaussians(t *testing.T) {
	if testing.Short() {
		t.Skip("trains for several seconds")
	}
	o := Defaults("8gaussians")
	o.Out = t.TempDir()
	o.Steps = 600
	o.LogEvery = 20
	o.CheckpointEvery = 0
	tr := run(t, o)
	var peak, last float64
	for _, r := range tr.log.rows {
		peak = math.Max(peak, r.Eval.KALE)
		last = r.Eval.KALE
	}
	if !(last < 0.5*peak) {
		t.Errorf("held-out KALE %v at the end, peak %v: want it below half the peak", last, peak)
	}
	n := 2000
	z := make([]float32, n*tr.Model.Latent())
	model.SampleLatents(rand.New(rand.NewPCG(9, 9)), z)
	x := tr.Model.Generate(z, n, nil)
	covered := 0
	for _, m := range data.EightGaussians().Modes() {
		in := 0
		for i := 0; i < n; i++ {
			if math.Hypot(float64(x[2*i])-m.Center[0], float64(x[2*i+1])-m.Center[1]) < 0.3 {
				in++
			}
		}
		if in >= n/100 {
			covered++
		}
	}
	t.Logf("KALE peak %.4f, final %.4f; %d/8 modes reached", peak, last, covered)
	if covered < 6 {
		t.Errorf("generator reaches %d of 8 modes, want at least 6", covered)
	}
}

// TestInterruptedRunResumes: a cancelled run finishes its base step, writes
// a checkpoint there and says so; resumed, it ends bit for bit where an
// uninterrupted run ends.
func TestInterruptedRunResumes(t *testing.T) {
	full := run(t, small(t, 12))

	o := small(t, 12)
	o.CheckpointEvery = 0 // the only checkpoint is the interrupt's
	tr, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancelCause(context.Background())
	tr.Progress = func(step int, _ float64) {
		if step == 8 {
			cancel(errors.New("test signal"))
		}
	}
	err = tr.Run(ctx)
	var ie *InterruptedError
	if !errors.As(err, &ie) || ie.Step != 8 || ie.Steps != 12 || !strings.Contains(err.Error(), "test signal") {
		t.Fatalf("Run after cancel: %v; want an InterruptedError at step 8 of 12", err)
	}
	f, err := readCheckpoint(filepath.Join(o.Out, CheckpointFile))
	if err != nil || f.Training.Steps != 8 {
		t.Fatalf("checkpoint after the interrupt: %v", err)
	}
	if _, err := os.Stat(filepath.Join(o.Out, ModelFile)); !os.IsNotExist(err) {
		t.Fatalf("an interrupted run wrote model.gebm: %v", err)
	}
	o.Resume = true
	resumed := run(t, o)
	a, b := full.Model.Tensors(), resumed.Model.Tensors()
	for i := range a {
		for j := range a[i].Data {
			if math.Float32bits(a[i].Data[j]) != math.Float32bits(b[i].Data[j]) {
				t.Fatalf("%s[%d]: %v uninterrupted, %v interrupted and resumed", a[i].Name, j, a[i].Data[j], b[i].Data[j])
			}
		}
	}
}

// TestEnergyFloorKeepsTrainingFinite: with a light gradient penalty the
// KALE objective is unbounded where data and generator are apart (E → -∞
// on the data), and 25gaussians with --gp 0.01 stops with a non-finite
// energy gradient within a few dozen base steps; the same run with the
// energy clamped at -10 (--energy-floor) trains through, and its model
// file keeps the clamp.
func TestEnergyFloorKeepsTrainingFinite(t *testing.T) {
	opts := func(floor float64) Options {
		o := Defaults("25gaussians")
		o.Out, o.Steps, o.GP, o.EnergyFloor, o.Quiet = t.TempDir(), 60, 0.01, floor, true
		o.CheckpointEvery = 0
		return o
	}
	tr, err := New(opts(0))
	if err != nil {
		t.Fatal(err)
	}
	var nf *core.NonFiniteError
	if err := tr.Run(context.Background()); !errors.As(err, &nf) {
		t.Fatalf("without the floor: %v; want a non-finite stop (the test's premise)", err)
	}
	tr = run(t, opts(-10))
	if tr.Model.Energy.Spec().Layers[len(tr.Model.Energy.Spec().Layers)-1].Kind != nn.KindFloor {
		t.Fatalf("the trained energy has no floor layer: %+v", tr.Model.Energy.Spec())
	}
}
