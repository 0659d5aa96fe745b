package train

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"

	"github.com/gebm/gebm/shared/backend"
	"github.com/gebm/gebm/shared/ckpt"
	"github.com/gebm/gebm/shared/data"
	"github.com/gebm/gebm/shared/model"
	"github.com/gebm/gebm/shared/nn"
	core "github.com/gebm/gebm/shared/train"
)

// File names inside the output directory.
const (
	ModelFile      = "model.gebm"
	CheckpointFile = "checkpoint.gebm"
	LogFile        = "log.csv"
	CurvesFile     = "curves.png"
	SamplesFile    = "samples.png"
)

// Trainer holds a native training run: the shared trainer (the model,
// optimisers, random stream and schedule position), the test set, the log
// and the run's clock.
type Trainer struct {
	Opts  Options
	Model *model.GEBM
	core  *core.Trainer
	test  *data.Dataset
	secs  float64 // training seconds before this process
	start time.Time
	log   *logWriter

	// Progress, when set, is called after every base step.
	Progress func(step int, kale float64)
	// FinalProgress, when set, is called after every energy-only update of
	// the final phase (Options.FinalEnergySteps).
	FinalProgress func(step int, kale float64)
}

// NewBackend makes the compute backend for a device: "cuda" (the GPU of a
// build with the cuda tag, backend_cuda.go; an error naming the build to
// make elsewhere) or the CPU (shared/train's) for any other name.
func NewBackend(device string, m *model.GEBM, c backend.Config, a *nn.Param, optE, optB *nn.Adam) (backend.Backend, error) {
	if device == "cuda" {
		return newCUDABackend(m, c, a, optE, optB)
	}
	return core.NewCPU(m, c, a, optE, optB), nil
}

// New prepares a run: checks that it loses no earlier work in Out (see
// Options.Resume and Options.Force), loads the data, builds the model (or,
// with Resume, reads Out/checkpoint.gebm) and the backend. With Force, the
// earlier run's files are deleted once everything else is ready.
func New(o Options) (*Trainer, error) {
	if err := o.Validate(); err != nil {
		return nil, err
	}
	resume, err := checkFolder(&o)
	if err != nil {
		return nil, err
	}
	cp := filepath.Join(o.Out, CheckpointFile)
	if resume != nil {
		if err := o.FlowLatent(o.Data, resume.Data.Dim); err != nil {
			return nil, err
		}
		if err := reconcile(&o, resume, cp, func(string) bool { return true }); err != nil {
			return nil, err
		}
		done, final := resume.Training.Steps, int(resume.Resume.Schedule["final_steps"])
		if o.Steps < done || o.Steps == done && final >= o.FinalEnergySteps {
			return nil, fmt.Errorf("--steps %d: the run in %s is already at base step %d; give a larger --steps to train it further",
				o.Steps, o.Out, done)
		}
	}
	spec, err := data.ParseSpec(o.Data)
	if err != nil {
		return nil, err
	}
	train, test, err := data.Load(spec, data.LoadOptions{Seed: o.Seed, TestFraction: o.TestFraction, ImageSize: o.ImageSize})
	if err != nil {
		return nil, err
	}
	if test == nil || test.Rows() == 0 {
		test = train
	}
	if err := os.MkdirAll(o.Out, 0o755); err != nil {
		return nil, err
	}
	t := &Trainer{Opts: o, test: test}
	if resume != nil {
		if resume.Data.Dim != train.Dim {
			return nil, fmt.Errorf("--resume: the checkpoint's data dimension is %d, %s has %d", resume.Data.Dim, o.Data, train.Dim)
		}
		if t.Model, err = model.FromFile(resume); err != nil {
			return nil, fmt.Errorf("--resume: %s: %w", cp, err)
		}
	} else if t.Model, err = core.NewModel(&t.Opts.Options, o.Data, train); err != nil {
		return nil, err
	} else if o.BaseFrom != "" {
		if err := takeBase(t.Model, o.BaseFrom); err != nil {
			return nil, err
		}
	}
	if o.BaseLoss == "mle" && !t.Model.IsFlow() {
		return nil, fmt.Errorf("--base-loss mle: the base of the run in %s is not a flow", o.Out)
	}
	if t.core, err = core.New(t.Opts.Options, t.Model, train, resume, func(m *model.GEBM, c backend.Config, a *nn.Param, optE, optB *nn.Adam) (backend.Backend, error) {
		return NewBackend(o.Device, m, c, a, optE, optB)
	}); err != nil {
		return nil, err
	}
	if resume != nil {
		t.secs = resume.Training.Seconds
	}
	if o.Force && !o.Resume {
		if err := clearFolder(o.Out); err != nil {
			return nil, fmt.Errorf("--force: %w", err)
		}
	}
	return t, nil
}

// Step is the number of base steps done (more than 0 in a resumed run).
func (t *Trainer) Step() int { return t.core.Position().BaseSteps }

// Device names the backend doing the arithmetic ("cpu", "cuda:0 ...").
func (t *Trainer) Device() string { return t.core.Back.Name() }

// Run trains until Opts.Steps base steps are done, writing checkpoints, the
// log, and at the end the model and the plots. When ctx is cancelled, Run
// finishes the base step in progress (with the energy steps before it),
// writes a checkpoint and returns an *InterruptedError; a cancelled ctx
// still lets one base step run.
func (t *Trainer) Run(ctx context.Context) error {
	o := &t.Opts
	t.start = time.Now()
	var err error
	if t.log, err = openLog(filepath.Join(o.Out, LogFile), t.Step()); err != nil {
		return err
	}
	defer t.log.Close()
	if !t.core.Started() {
		t.core.InitA()
	}
	for t.Step() < o.Steps {
		if err := t.core.Unit(); err != nil {
			return t.stopped(err)
		}
		k := t.Step()
		if o.LogEvery > 0 && (k%o.LogEvery == 0 || k == o.Steps) {
			if err := t.logRow(); err != nil {
				return t.stopped(err)
			}
		}
		saved := false
		if o.CheckpointEvery > 0 && k%o.CheckpointEvery == 0 && k < o.Steps {
			if err := t.saveCheckpoint(); err != nil {
				return err
			}
			saved = true
		}
		if t.Progress != nil {
			t.Progress(k, t.core.LastEnergy.KALE())
		}
		if ctx.Err() != nil && k < o.Steps {
			if !saved {
				if err := t.saveCheckpoint(); err != nil {
					return fmt.Errorf("interrupted at base step %d, and writing the checkpoint failed: %w", k, err)
				}
			}
			return &InterruptedError{Step: k, Steps: o.Steps, Checkpoint: filepath.Join(o.Out, CheckpointFile),
				Cause: context.Cause(ctx)}
		}
	}
	if err := t.finalPhase(ctx); err != nil {
		return t.stopped(err)
	}
	if err := t.saveCheckpoint(); err != nil {
		return err
	}
	if err := t.saveModel(); err != nil {
		return err
	}
	if err := t.log.Flush(); err != nil {
		return err
	}
	return t.plot()
}

// stopped explains a non-finite stop: where, what, and which checkpoint
// remains good.
func (t *Trainer) stopped(err error) error {
	var nf *core.NonFiniteError
	if !errors.As(err, &nf) {
		return err
	}
	cp := filepath.Join(t.Opts.Out, CheckpointFile)
	keep := "no checkpoint was written yet"
	if f, e := os.ReadFile(cp); e == nil {
		if c, e := ckpt.Decode(f); e == nil {
			keep = fmt.Sprintf("the last good checkpoint %s (step %d) is kept", cp, c.Training.Steps)
		}
	}
	return fmt.Errorf("training stopped at base step %d (energy update %d): %w; %s",
		t.Step()+1, t.core.Position().EnergySteps+1, err, keep)
}

// finalPhase performs Opts.FinalEnergySteps energy-only updates on the
// frozen final base at Opts.FinalLRScale times the current learning rate:
// the energy fitted during training lags the base it was fitted to, and its
// errors (a tilt of the wells' depths) move mass the wrong way when the model
// is sampled at β = 1 (docs/EVAL.md). A resumed run continues the phase
// where its checkpoint left it. When ctx is cancelled, it stops after the
// update in progress, writes a checkpoint and returns an *InterruptedError.
func (t *Trainer) finalPhase(ctx context.Context) error {
	o := &t.Opts
	for t.core.Position().FinalSteps < o.FinalEnergySteps {
		if err := t.core.FinalStep(); err != nil {
			return err
		}
		p := t.core.Position()
		if t.FinalProgress != nil {
			t.FinalProgress(p.FinalSteps, t.core.LastEnergy.KALE())
		}
		if ctx.Err() != nil && p.FinalSteps < o.FinalEnergySteps {
			if err := t.saveCheckpoint(); err != nil {
				return fmt.Errorf("interrupted at final energy step %d, and writing the checkpoint failed: %w", p.FinalSteps, err)
			}
			return &InterruptedError{Step: p.BaseSteps, Steps: o.Steps, FinalStep: p.FinalSteps,
				FinalSteps: o.FinalEnergySteps, Checkpoint: filepath.Join(o.Out, CheckpointFile), Cause: context.Cause(ctx)}
		}
	}
	return nil
}

// logRow evaluates KALE on a held-out batch (drawn from a stream of its own
// so that logging does not change training) and appends a row to log.csv.
func (t *Trainer) logRow() error {
	p := t.core.Position()
	k := p.BaseSteps
	eval := rand.New(rand.NewPCG(t.Opts.Seed^uint64(k), 3))
	D, B := t.test.Dim, t.Opts.Batch
	x := make([]float32, B*D)
	for i := 0; i < B; i++ {
		r := eval.IntN(t.test.Rows())
		copy(x[i*D:(i+1)*D], t.test.X[r*D:(r+1)*D])
	}
	z := make([]float32, B*t.Model.Latent())
	model.SampleLatents(eval, z)
	ev, err := t.core.Back.Evaluate(x, z)
	if err != nil {
		return err
	}
	t.log.energy, t.log.base = t.core.LastEnergy, t.core.LastBase
	return t.log.Write(logRow{Step: k, EnergySteps: p.EnergySteps, Eval: ev, A: t.Model.A,
		Seconds: t.secs + time.Since(t.start).Seconds()})
}

func (t *Trainer) header() ckpt.Header {
	h := t.Model.Header()
	o := &t.Opts
	h.Training = ckpt.Training{Dataset: o.Data, Steps: t.Step(), Seed: o.Seed,
		Seconds: t.secs + time.Since(t.start).Seconds(), Time: time.Now().UTC().Format(time.RFC3339),
		Device: t.core.Back.Name(), Options: o.record()}
	t.Model.Training = h.Training
	return h
}

// saveModel writes DIR/model.gebm: the model alone, for sampling.
func (t *Trainer) saveModel() error {
	if err := t.core.Sync(); err != nil {
		return err
	}
	b, err := ckpt.Encode(t.header(), t.Model.Tensors())
	if err != nil {
		return err
	}
	return WriteFileAtomic(filepath.Join(t.Opts.Out, ModelFile), b)
}

// saveCheckpoint writes DIR/checkpoint.gebm: the model plus optimiser
// state, random stream and schedule position.
func (t *Trainer) saveCheckpoint() error {
	if err := t.core.Sync(); err != nil {
		return err
	}
	h := t.header()
	var opt []ckpt.Tensor
	var err error
	if h.Resume, opt, err = t.core.ResumeState(); err != nil {
		return err
	}
	ts := append(t.Model.Tensors(), opt...)
	b, err := ckpt.Encode(h, ts)
	if err != nil {
		return err
	}
	return WriteFileAtomic(filepath.Join(t.Opts.Out, CheckpointFile), b)
}
