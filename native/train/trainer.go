package train

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gebm/gebm/native/backend"
	"github.com/gebm/gebm/shared/ckpt"
	"github.com/gebm/gebm/shared/data"
	"github.com/gebm/gebm/shared/kale"
	"github.com/gebm/gebm/shared/model"
	"github.com/gebm/gebm/shared/nn"
)

// File names inside the output directory.
const (
	ModelFile      = "model.gebm"
	CheckpointFile = "checkpoint.gebm"
	LogFile        = "log.csv"
	CurvesFile     = "curves.png"
	SamplesFile    = "samples.png"
)

// Trainer holds a training run: the model, its optimisers, the data, the
// random stream and the position in the schedule.
type Trainer struct {
	Opts  Options
	Model *model.GEBM
	train *data.Dataset
	test  *data.Dataset
	pcg   *rand.PCG
	rng   *rand.Rand
	a     *nn.Param
	optE  *nn.Adam
	optB  *nn.Adam
	back  backend.Backend
	mle   mleBackend // with --base-loss mle, the backend's flow step; else nil
	sched schedule
	secs  float64 // training seconds before this process
	start time.Time
	log   *logWriter
	// buffers for the random draws of one step
	x, z, alpha []float32

	// Progress, when set, is called after every base step.
	Progress func(step int, kale float64)
	// FinalProgress, when set, is called after every energy-only update of
	// the final phase (Options.FinalEnergySteps).
	FinalProgress func(step int, kale float64)
	// lastKALE is the latest training-batch KALE estimate.
	lastKALE float64
}

// NewBackend makes the compute backend for a device: "cuda" (the GPU of a
// build with the cuda tag, backend_cuda.go; an error naming the build to
// make elsewhere) or the CPU for any other name.
// mleBackend is a backend that can train a flow base by maximum likelihood
// (--base-loss mle); the CPU backend is one.
type mleBackend interface {
	// FlowMLEStep makes one update of the base on data rows x, minimising
	// the flow's mean negative log-likelihood −mean_i log q(x_i), with the
	// learning rate multiplied by lrScale.
	FlowMLEStep(x []float32, lrScale float64) (backend.BaseStats, error)
}

func NewBackend(device string, m *model.GEBM, c backend.Config, a *nn.Param, optE, optB *nn.Adam) (backend.Backend, error) {
	if device == "cuda" {
		return newCUDABackend(m, c, a, optE, optB)
	}
	return newCPUBackend(m, c, a, optE, optB), nil
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
		if err := o.flowLatent(resume.Data.Dim); err != nil {
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
	t := &Trainer{Opts: o, train: train, test: test}
	if resume != nil {
		if resume.Data.Dim != train.Dim {
			return nil, fmt.Errorf("--resume: the checkpoint's data dimension is %d, %s has %d", resume.Data.Dim, o.Data, train.Dim)
		}
		if t.Model, err = model.FromFile(resume); err != nil {
			return nil, fmt.Errorf("--resume: %s: %w", cp, err)
		}
	} else {
		init := rand.New(rand.NewPCG(o.Seed, 1))
		if err := o.flowLatent(train.Dim); err != nil {
			return nil, err
		}
		t.Opts.Latent = o.Latent
		cfg := model.Config{Latent: o.Latent, Data: dataInfo(o.Data, train), BaseHidden: o.BaseHidden,
			Base: o.Base, FlowLayers: o.FlowLayers, FlowHidden: o.FlowHidden,
			EnergyHidden: o.EnergyHidden, EnergySlope: o.EnergySlope, SpectralNorm: o.SpectralNorm,
			EnergyFloor: o.EnergyFloor}
		if n := train.Norm; n.Bounded && n.Min == -1 && n.Max == 1 {
			cfg.BaseOutput = nn.KindTanh
		}
		if t.Model, err = model.New(cfg, init); err != nil {
			return nil, err
		}
	}
	m := t.Model
	if err := m.Energy.Spec().TangentError(); err != nil && o.GP > 0 {
		return nil, fmt.Errorf("the energy cannot take the gradient penalty (--gp %v): %w", o.GP, err)
	}
	t.a = &nn.Param{Name: ckpt.NameA, Shape: []int{1}, Value: []float32{float32(m.A)}, Grad: make([]float32, 1)}
	t.optE = nn.NewAdam(append(append([]*nn.Param{}, m.Energy.Params()...), t.a), o.LREnergy, o.Beta1, o.Beta2, 1e-8)
	t.optB = nn.NewAdam(m.Base.Params(), o.LRBase, o.Beta1, o.Beta2, 1e-8)
	t.pcg = rand.NewPCG(o.Seed, 2)
	t.rng = rand.New(t.pcg)
	if resume != nil {
		if err := t.restore(resume); err != nil {
			return nil, err
		}
	}
	t.x = make([]float32, o.Batch*train.Dim)
	t.z = make([]float32, o.Batch*m.Latent())
	t.alpha = make([]float32, o.Batch)
	if t.back, err = NewBackend(o.Device, m, t.Opts.Config, t.a, t.optE, t.optB); err != nil {
		return nil, err
	}
	if o.BaseLoss == "mle" {
		if !m.IsFlow() {
			return nil, fmt.Errorf("--base-loss mle: the base of the run in %s is not a flow", o.Out)
		}
		var ok bool
		if t.mle, ok = t.back.(mleBackend); !ok {
			return nil, fmt.Errorf("--base-loss mle: the %s backend has no maximum-likelihood step", t.back.Name())
		}
	}
	if o.Force && !o.Resume {
		if err := clearFolder(o.Out); err != nil {
			return nil, fmt.Errorf("--force: %w", err)
		}
	}
	return t, nil
}

// flowLatent sets the latent size of a realnvp base, which maps R^D to
// itself, to the data dimension dim; a --latent other than the default that
// contradicts it is an error.
func (o *Options) flowLatent(dim int) error {
	if o.Base != model.BaseRealNVP || o.Latent == dim {
		return nil
	}
	if o.Latent != Defaults(o.Data).Latent {
		return fmt.Errorf("--latent %d: a realnvp base's latent size is the data dimension, %d for %s", o.Latent, dim, o.Data)
	}
	o.Latent = dim
	return nil
}

func dataInfo(spec string, d *data.Dataset) ckpt.DataInfo {
	return ckpt.DataInfo{Name: spec, Dim: d.Dim, Shape: d.Norm.Shape, Scale: d.Norm.Scale, Offset: d.Norm.Offset}
}

// Step is the number of base steps done (more than 0 in a resumed run).
func (t *Trainer) Step() int { return t.sched.baseSteps }

// Device names the backend doing the arithmetic ("cpu", "cuda:0 ...").
func (t *Trainer) Device() string { return t.back.Name() }

// restore loads the optimiser state, the random stream and the schedule
// position from a checkpoint.
func (t *Trainer) restore(f *ckpt.File) error {
	r := f.Resume
	for _, part := range []struct {
		prefix string
		opt    *nn.Adam
		step   int64
	}{{ckpt.PrefixEnergy, t.optE, r.EnergyAdamStep}, {ckpt.PrefixBase, t.optB, r.BaseAdamStep}} {
		part.opt.Step = part.step
		for _, s := range part.opt.StateTensors() {
			copy(s.Value, f.Tensor(optTensorName(part.prefix, s.Name)))
		}
	}
	if err := t.pcg.UnmarshalBinary(r.RNG); err != nil {
		return fmt.Errorf("--resume: random state: %w", err)
	}
	t.sched.baseSteps = int(r.Schedule["base_steps"])
	t.sched.energySteps = int(r.Schedule["energy_steps"])
	t.sched.finalSteps = int(r.Schedule["final_steps"]) // 0 in files older than the phase
	t.secs = f.Training.Seconds
	return nil
}

// Run trains until Opts.Steps base steps are done, writing checkpoints, the
// log, and at the end the model and the plots. When ctx is cancelled, Run
// finishes the base step in progress (with the energy steps before it),
// writes a checkpoint and returns an *InterruptedError; a cancelled ctx
// still lets one base step run.
func (t *Trainer) Run(ctx context.Context) error {
	o := &t.Opts
	t.start = time.Now()
	var err error
	if t.log, err = openLog(filepath.Join(o.Out, LogFile), t.sched.baseSteps); err != nil {
		return err
	}
	defer t.log.Close()
	if t.sched.baseSteps == 0 && t.sched.energySteps == 0 {
		t.initA()
	}
	for t.sched.baseSteps < o.Steps {
		if err := t.unit(); err != nil {
			return t.stopped(err)
		}
		k := t.sched.baseSteps
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
			t.Progress(k, t.lastKALE)
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
	var nf *NonFiniteError
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
		t.sched.baseSteps+1, t.sched.energySteps+1, err, keep)
}

// initA sets A to the Monte-Carlo estimate of log Z = log E_z[exp(-E(B(z)))]
// over AInitBatches batches.
func (t *Trainer) initA() {
	var eq []float32
	for range t.Opts.AInitBatches {
		model.SampleLatents(t.rng, t.z)
		x := t.Model.Generate(t.z, t.Opts.Batch, nil)
		eq = append(eq, t.Model.Energies(x, t.Opts.Batch, nil)...)
	}
	t.Model.A = kale.OptimalA(eq)
	t.a.Value[0] = float32(t.Model.A)
}

// unit performs the energy steps that precede the next base step, then the
// base step.
func (t *Trainer) unit() error {
	o := &t.Opts
	lrScale := math.Pow(o.LRDecay, float64(t.decays()))
	for range t.sched.energyStepsBefore(o) {
		if err := t.energyStep(lrScale); err != nil {
			return err
		}
	}
	var st backend.BaseStats
	var err error
	if t.mle != nil {
		t.drawData(t.train)
		st, err = t.mle.FlowMLEStep(t.x, lrScale)
	} else {
		model.SampleLatents(t.rng, t.z)
		st, err = t.back.BaseStep(t.z, lrScale)
	}
	if err != nil {
		return err
	}
	t.log.base = st
	t.sched.baseSteps++
	t.sched.finalSteps = 0
	return nil
}

// energyStep performs one energy update on a fresh data batch, latents and
// interpolation weights, at the learning rates scaled by lrScale.
func (t *Trainer) energyStep(lrScale float64) error {
	t.drawData(t.train)
	model.SampleLatents(t.rng, t.z)
	for i := range t.alpha {
		t.alpha[i] = float32(t.rng.Float64())
	}
	st, err := t.back.EnergyStep(t.x, t.z, t.alpha, lrScale)
	if err != nil {
		return err
	}
	t.sched.energySteps++
	t.lastKALE = st.KALE()
	t.log.energy = st
	return nil
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
	lrScale := math.Pow(o.LRDecay, float64(t.decays())) * o.FinalLRScale
	for t.sched.finalSteps < o.FinalEnergySteps {
		if err := t.energyStep(lrScale); err != nil {
			return err
		}
		t.sched.finalSteps++
		if t.FinalProgress != nil {
			t.FinalProgress(t.sched.finalSteps, t.lastKALE)
		}
		if ctx.Err() != nil && t.sched.finalSteps < o.FinalEnergySteps {
			if err := t.saveCheckpoint(); err != nil {
				return fmt.Errorf("interrupted at final energy step %d, and writing the checkpoint failed: %w", t.sched.finalSteps, err)
			}
			return &InterruptedError{Step: t.sched.baseSteps, Steps: o.Steps, FinalStep: t.sched.finalSteps,
				FinalSteps: o.FinalEnergySteps, Checkpoint: filepath.Join(o.Out, CheckpointFile), Cause: context.Cause(ctx)}
		}
	}
	return nil
}

func (t *Trainer) decays() int {
	if t.Opts.LRDecayEvery == 0 {
		return 0
	}
	return t.sched.baseSteps / t.Opts.LRDecayEvery
}

// drawData fills t.x with rows drawn uniformly with replacement: the draw
// depends only on the random stream, so a resumed run draws what the
// uninterrupted run would have.
func (t *Trainer) drawData(d *data.Dataset) {
	D, rows := d.Dim, d.Rows()
	for i := 0; i < t.Opts.Batch; i++ {
		r := t.rng.IntN(rows)
		copy(t.x[i*D:(i+1)*D], d.X[r*D:(r+1)*D])
	}
}

// logRow evaluates KALE on a held-out batch (drawn from a stream of its own
// so that logging does not change training) and appends a row to log.csv.
func (t *Trainer) logRow() error {
	k := t.sched.baseSteps
	eval := rand.New(rand.NewPCG(t.Opts.Seed^uint64(k), 3))
	D, B := t.test.Dim, t.Opts.Batch
	x := make([]float32, B*D)
	for i := 0; i < B; i++ {
		r := eval.IntN(t.test.Rows())
		copy(x[i*D:(i+1)*D], t.test.X[r*D:(r+1)*D])
	}
	z := make([]float32, B*t.Model.Latent())
	model.SampleLatents(eval, z)
	ev, err := t.back.Evaluate(x, z)
	if err != nil {
		return err
	}
	return t.log.Write(logRow{Step: k, EnergySteps: t.sched.energySteps, Eval: ev, A: t.Model.A,
		Seconds: t.secs + time.Since(t.start).Seconds()})
}

func (t *Trainer) header() ckpt.Header {
	h := t.Model.Header()
	o := &t.Opts
	h.Training = ckpt.Training{Dataset: o.Data, Steps: t.sched.baseSteps, Seed: o.Seed,
		Seconds: t.secs + time.Since(t.start).Seconds(), Time: time.Now().UTC().Format(time.RFC3339),
		Device: t.back.Name(), Options: o.record()}
	t.Model.Training = h.Training
	return h
}

// saveModel writes DIR/model.gebm: the model alone, for sampling.
func (t *Trainer) saveModel() error {
	if err := t.back.Sync(); err != nil {
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
	if err := t.back.Sync(); err != nil {
		return err
	}
	h := t.header()
	rng, err := t.pcg.MarshalBinary()
	if err != nil {
		return err
	}
	h.Resume = &ckpt.ResumeState{EnergyAdamStep: t.optE.Step, BaseAdamStep: t.optB.Step, RNG: rng,
		Schedule: map[string]int64{"base_steps": int64(t.sched.baseSteps), "energy_steps": int64(t.sched.energySteps),
			"final_steps": int64(t.sched.finalSteps)}}
	ts := t.Model.Tensors()
	for _, part := range []struct {
		prefix string
		opt    *nn.Adam
	}{{ckpt.PrefixEnergy, t.optE}, {ckpt.PrefixBase, t.optB}} {
		for _, s := range part.opt.StateTensors() {
			ts = append(ts, ckpt.Tensor{Name: optTensorName(part.prefix, s.Name), Shape: s.Shape, Data: s.Value})
		}
	}
	b, err := ckpt.Encode(h, ts)
	if err != nil {
		return err
	}
	return WriteFileAtomic(filepath.Join(t.Opts.Out, CheckpointFile), b)
}

// optTensorName is the checkpoint's name for an optimiser-state tensor of
// the network under prefix: "opt/energy/0.weight.adam_m", and "opt/A.adam_m"
// for the scalar A, which the energy's optimiser updates but no network holds.
func optTensorName(prefix, state string) string {
	if strings.HasPrefix(state, ckpt.NameA+".") {
		return ckpt.PrefixOpt + state
	}
	return ckpt.PrefixOpt + prefix + state
}
