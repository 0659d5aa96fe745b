package train

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/gebm/gebm/shared/backend"
	"github.com/gebm/gebm/shared/ckpt"
	"github.com/gebm/gebm/shared/data"
	"github.com/gebm/gebm/shared/kale"
	"github.com/gebm/gebm/shared/model"
	"github.com/gebm/gebm/shared/nn"
)

// NewBackend makes the backend that does a Trainer's arithmetic on model m
// with step options c, A as the trainable scalar a and the optimisers optE
// (energy and A) and optB (base).
type NewBackend func(m *model.GEBM, c backend.Config, a *nn.Param, optE, optB *nn.Adam) (backend.Backend, error)

// mleBackend is a backend that can train a flow base by maximum likelihood
// (BaseLoss "mle"); the CPU backend is one.
type mleBackend interface {
	// FlowMLEStep makes one update of the base on data rows x, minimising
	// the flow's mean negative log-likelihood −mean_i log q(x_i), with the
	// learning rate multiplied by lrScale.
	FlowMLEStep(x []float32, lrScale float64) (backend.BaseStats, error)
}

// Trainer holds a training run: the model, its optimisers, the training
// set, the random stream of the draws and the position in the schedule.
// It is not safe for concurrent use.
type Trainer struct {
	Opts  Options
	Model *model.GEBM
	// Back does the arithmetic of the steps. A caller may wrap it (a test
	// that injects a failure) between steps.
	Back backend.Backend
	// LastEnergy and LastBase are the statistics of the latest energy and
	// base updates.
	LastEnergy backend.EnergyStats
	LastBase   backend.BaseStats

	train *data.Dataset
	pcg   *rand.PCG
	rng   *rand.Rand
	a     *nn.Param
	optE  *nn.Adam
	optB  *nn.Adam
	mle   mleBackend // with BaseLoss "mle", the backend's flow step; else nil
	pos   Position
	// avg is the running mean of the energy's parameters and A over the
	// final phase's averaged updates (average.go), nil before they start.
	avg [][]float32
	// buffers for the random draws of one step
	x, z, alpha []float32
}

// New prepares training model m on the rows of train with options o (which
// it validates). The draws come from PCG stream (o.Seed, 2). With resume (a
// checkpoint, as ResumeState writes), the optimiser state, random stream and
// schedule position continue from it, and m must be the checkpoint's model.
// newBackend makes the backend once that state is in place.
func New(o Options, m *model.GEBM, train *data.Dataset, resume *ckpt.File, newBackend NewBackend) (*Trainer, error) {
	if err := o.Validate(); err != nil {
		return nil, err
	}
	if train.Dim != m.Dim() {
		return nil, fmt.Errorf("the data have %d dimensions, the model %d", train.Dim, m.Dim())
	}
	if train.Rows() == 0 {
		return nil, fmt.Errorf("the training set %s has no rows", train.Name)
	}
	if err := m.Energy.Spec().TangentError(); err != nil && o.GP > 0 {
		return nil, fmt.Errorf("the energy cannot take the gradient penalty (--gp %v): %w", o.GP, err)
	}
	if o.BaseLoss == "mle" && !m.IsFlow() {
		return nil, errors.New("--base-loss mle: the base is not a flow")
	}
	t := &Trainer{Opts: o, Model: m, train: train}
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
	var err error
	c := o.Config
	c.FrozenBase = o.BaseFrom != "" && o.Steps == 0
	if t.Back, err = newBackend(m, c, t.a, t.optE, t.optB); err != nil {
		return nil, err
	}
	if o.BaseLoss == "mle" {
		var ok bool
		if t.mle, ok = t.Back.(mleBackend); !ok {
			return nil, fmt.Errorf("--base-loss mle: the %s backend has no maximum-likelihood step", t.Back.Name())
		}
	}
	return t, nil
}

// Position is the run's place in the schedule.
func (t *Trainer) Position() Position { return t.pos }

// Started reports whether any update was made (A is initialised before
// the first).
func (t *Trainer) Started() bool { return t.pos.BaseSteps > 0 || t.pos.EnergySteps > 0 }

// Finished reports whether all Opts.Steps base steps and the final phase's
// Opts.FinalEnergySteps energy updates are done.
func (t *Trainer) Finished() bool {
	return t.pos.BaseSteps >= t.Opts.Steps && t.pos.FinalSteps >= t.Opts.FinalEnergySteps
}

// InitA sets A to the Monte-Carlo estimate of log Z = log E_z[exp(-E(B(z)))]
// over Opts.AInitBatches batches of latents. A run calls it once, before
// its first update.
func (t *Trainer) InitA() {
	var eq []float32
	for range t.Opts.AInitBatches {
		model.SampleLatents(t.rng, t.z)
		x := t.Model.Generate(t.z, t.Opts.Batch, nil)
		eq = append(eq, t.Model.Energies(x, t.Opts.Batch, nil)...)
	}
	t.Model.A = kale.OptimalA(eq)
	t.a.Value[0] = float32(t.Model.A)
}

// LRScale is the factor of both learning rates at the current base step:
// LRDecay to the power of the number of decays so far (one every
// LRDecayEvery base steps).
func (t *Trainer) LRScale() float64 {
	if t.Opts.LRDecayEvery == 0 {
		return 1
	}
	return math.Pow(t.Opts.LRDecay, float64(t.pos.BaseSteps/t.Opts.LRDecayEvery))
}

// Unit performs the energy updates that precede the next base step, then
// the base step: one step of the schedule. It does not check that the
// run has base steps left (Opts.Steps).
func (t *Trainer) Unit() error {
	lrScale := t.LRScale()
	for range t.pos.energyStepsBefore(&t.Opts) {
		if err := t.EnergyStep(lrScale); err != nil {
			return err
		}
	}
	if err := t.BaseStep(lrScale); err != nil {
		return err
	}
	t.pos.BaseSteps++
	t.pos.FinalSteps = 0
	return nil
}

// FinalStep performs one energy-only update of the final phase on the
// frozen final base at Opts.FinalLRScale times the current learning rate:
// the energy fitted during training lags the base it was fitted to, and its
// errors (a tilt of the wells' depths) move mass the wrong way when the
// model is sampled at β = 1 (docs/EVAL.md). Over the last
// Opts.FinalAverage of the phase it also keeps the running mean of the
// energy's iterates, which the model takes after the last update
// (average.go).
func (t *Trainer) FinalStep() error {
	if err := t.EnergyStep(t.LRScale() * t.Opts.FinalLRScale); err != nil {
		return err
	}
	t.pos.FinalSteps++
	return t.accumulate()
}

// EnergyStep performs one energy update on a fresh data batch, latents and
// interpolation weights, at the learning rates scaled by lrScale.
func (t *Trainer) EnergyStep(lrScale float64) error {
	t.drawData()
	model.SampleLatents(t.rng, t.z)
	for i := range t.alpha {
		t.alpha[i] = float32(t.rng.Float64())
	}
	st, err := t.Back.EnergyStep(t.x, t.z, t.alpha, lrScale)
	if err != nil {
		return err
	}
	t.pos.EnergySteps++
	t.LastEnergy = st
	return nil
}

// BaseStep performs one base update at the learning rate scaled by
// lrScale: on fresh latents, or with BaseLoss "mle" on a fresh data batch.
// It does not move the schedule's position (Unit does).
func (t *Trainer) BaseStep(lrScale float64) error {
	var st backend.BaseStats
	var err error
	if t.mle != nil {
		t.drawData()
		st, err = t.mle.FlowMLEStep(t.x, lrScale)
	} else {
		model.SampleLatents(t.rng, t.z)
		st, err = t.Back.BaseStep(t.z, lrScale)
	}
	if err != nil {
		return err
	}
	t.LastBase = st
	return nil
}

// drawData fills t.x with rows drawn uniformly with replacement: the draw
// depends only on the random stream, so a resumed run draws what the
// uninterrupted run would have.
func (t *Trainer) drawData() {
	d := t.train
	D, rows := d.Dim, d.Rows()
	for i := 0; i < t.Opts.Batch; i++ {
		r := t.rng.IntN(rows)
		copy(t.x[i*D:(i+1)*D], d.X[r*D:(r+1)*D])
	}
}
