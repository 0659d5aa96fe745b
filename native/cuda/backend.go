//go:build cuda

package cuda

import (
	"fmt"
	"math"

	"github.com/gebm/gebm/shared/backend"
	"github.com/gebm/gebm/shared/model"
	"github.com/gebm/gebm/shared/nn"
)

// EnergyStats are the numbers of one energy step: the CPU backend's
// (shared/backend) and what the device adds for the host's checks. The
// device runs the whole step; these few come back.
type EnergyStats struct {
	backend.EnergyStats
	DA float64 // ∂L/∂A
	A  float64 // A after the update
	// ParamsFinite reports that every energy parameter and A is finite
	// after the update.
	ParamsFinite bool
	// Updated reports that the update was made: it is skipped when Loss,
	// DA, Penalty or GradNorm is not finite, as the CPU backend stops
	// before its update then.
	Updated bool
}

// BaseStats are the numbers of one base step: the CPU backend's and what
// the device adds for the host's checks.
type BaseStats struct {
	backend.BaseStats
	WeightSum    float64 // Σ exp(-E - max(-E)), checked for finiteness
	ParamsFinite bool
	Updated      bool // skipped when WeightSum, AHat or GradNorm is not finite
}

// Slots of the statistics that a step leaves on the device; each step
// brings them back with one copy.
const (
	sLoss = iota // energy step: L, dA, penalty, |grad|² (the guard of its update), ...
	sDA
	sPenalty
	sGradSqE
	sMeanEp
	sMeanEq
	sParamSqE
	sA
	sWeightSum // base step: Σ exp, Â, |grad|² (the guard), ...
	sAHat
	sGradSqB
	sESS
	sParamSqB
	sEvalLoss // evaluation
	sEvalDA
	sEvalMeanEp
	sEvalMeanEq
	nStats
)

// Trainer runs native/train's two training steps on a GPU: parameters,
// gradients, optimiser moments and the step's batches stay on the device,
// and the host model and optimisers are brought up to date by Sync. It
// mirrors native/train/cpu.go step for step.
type Trainer struct {
	d          *Device
	g          Gemm
	cfg        backend.Config
	m          *model.GEBM
	a          *nn.Param
	optE, optB *nn.Adam

	energy, base *Network
	nE           int    // energy parameters (A follows them in pE and gE)
	pE, gE       Buffer // arenas: energy parameters and A, their gradients
	pB, gB       Buffer // base parameters, their gradients
	aBuf, gA     Buffer // A and its gradient (the arenas' last elements)
	adamE, adamB *Adam

	xy     Buffer // data rows stacked over generated rows
	xhat   Buffer
	dE     Buffer // ∂L/∂E of the stacked rows (and the evaluation's scratch)
	dy     Buffer // base step: w_i ∇_x E(B(z_i))
	w      Buffer // importance weights
	z      Buffer
	alpha  Buffer
	rowsXY int // rows xy and dE hold
	rowsZ  int // rows z holds

	px, pz, palpha pinned // staging of the uploads
	xReady         drvEvent
	stats          Doubles
	host           []float64 // the statistics brought back (its own allocation: cgo may not see Go pointers beside it)

	loaded bool // the host state has been uploaded
	closed bool
}

// NewTrainer prepares the device copy of m, A (a) and the two optimisers
// (optE over m.Energy's parameters followed by a; optB over m.Base's). The
// host state is uploaded at the first step, so that changes made before it
// (the trainer's initial A) are taken.
func NewTrainer(m *model.GEBM, a *nn.Param, optE, optB *nn.Adam, c backend.Config) (*Trainer, error) {
	if c.Batch < 1 {
		return nil, fmt.Errorf("cuda: batch %d", c.Batch)
	}
	if got, want := len(optE.StateTensors()), 2*(len(m.Energy.Params())+1); got != want {
		return nil, fmt.Errorf("cuda: the energy optimiser has %d state tensors, want %d (energy parameters and A)", got, want)
	}
	d, err := Open(0) // the first GPU: native/train offers no other
	if err != nil {
		return nil, err
	}
	g, err := NewGemm(d, c.CUDAGemm)
	if err != nil {
		return nil, err
	}
	unbind := d.bind()
	defer unbind()
	t := &Trainer{d: d, g: g, cfg: c, m: m, a: a, optE: optE, optB: optB}
	t.nE = m.Energy.ParamCount()
	nB := m.Base.ParamCount()
	t.pE, t.gE = d.Alloc(t.nE+1), d.Alloc(t.nE+1)
	t.pB, t.gB = d.Alloc(nB), d.Alloc(nB)
	t.aBuf, t.gA = t.pE.Slice(t.nE, t.nE+1), t.gE.Slice(t.nE, t.nE+1)
	if t.energy, err = NewNetwork(d, g, m.Energy, t.pE.Slice(0, t.nE), t.gE.Slice(0, t.nE)); err != nil {
		return nil, err
	}
	if t.base, err = NewNetwork(d, g, m.Base, t.pB, t.gB); err != nil {
		return nil, err
	}
	t.adamE = NewAdam(d, optE, t.pE, t.gE)
	t.adamB = NewAdam(d, optB, t.pB, t.gB)
	B, D, Z := c.Batch, m.Dim(), m.Latent()
	t.growXY(2 * B)
	t.growZ(B)
	t.xhat, t.dy = d.Alloc(B*D), d.Alloc(B*D)
	t.w, t.alpha = d.Alloc(B), d.Alloc(B)
	t.stats, t.host = d.allocDoubles(nStats), make([]float64, nStats)
	for _, p := range []struct {
		dst *pinned
		n   int
	}{{&t.px, B * D}, {&t.pz, B * Z}, {&t.palpha, B}} {
		if *p.dst, err = allocPinned(p.n); err != nil {
			return nil, err
		}
	}
	if t.xReady, err = drvMakeEvent(); err != nil {
		return nil, fmt.Errorf("cuda: %w", err)
	}
	return t, t.d.check()
}

// Name says which device and matrix product this is.
func (t *Trainer) Name() string {
	return fmt.Sprintf("cuda:%d %s (%s)", t.d.ordinal, t.d.name, t.g.Name())
}

func (t *Trainer) growXY(rows int) {
	if rows <= t.rowsXY {
		return
	}
	t.d.Free(t.xy)
	t.d.Free(t.dE)
	t.xy, t.dE = t.d.Alloc(rows*t.m.Dim()), t.d.Alloc(rows)
	t.rowsXY = rows
}

func (t *Trainer) growZ(rows int) {
	if rows <= t.rowsZ {
		return
	}
	t.d.Free(t.z)
	t.z = t.d.Alloc(rows * t.m.Latent())
	t.rowsZ = rows
}

// load uploads the host state before the first step.
func (t *Trainer) load() error {
	if t.closed {
		return errClosed
	}
	if t.loaded {
		return nil
	}
	for _, f := range []func() error{t.energy.Upload, t.base.Upload, t.adamE.Upload, t.adamB.Upload} {
		if err := f(); err != nil {
			return err
		}
	}
	t.d.Upload(t.aBuf, t.a.Value[:1])
	t.loaded = true
	return t.d.check()
}

// finish brings the step's statistics back (waiting for the step) and
// reports any error the device or cuBLAS recorded.
func (t *Trainer) finish() error {
	t.d.downloadDoubles(t.host, t.stats)
	if err := t.d.check(); err != nil {
		return err
	}
	return t.g.Err()
}

func (t *Trainer) checkLen(what string, got, want int) error {
	if got != want {
		return fmt.Errorf("cuda: %s has %d values, want %d", what, got, want)
	}
	return nil
}

// EnergyStep makes one update of the energy and A on data rows x, latents z
// and interpolation weights alpha (native/train's cpuBackend.EnergyStep):
// the data and generated rows go through the energy as one stacked batch;
// kale's energy loss gives ∂L/∂E; the backward pass, the gradient penalty
// on x̂ = α x + (1-α) B(z) and spectral normalisation's chain rule give the
// gradient; Adam updates; the power iteration refreshes W/σ.
func (t *Trainer) EnergyStep(x, z, alpha []float32, lrScale float64) (EnergyStats, error) {
	defer t.d.bind()()
	if err := t.load(); err != nil {
		return EnergyStats{}, err
	}
	d, B, D := t.d, t.cfg.Batch, t.m.Dim()
	for _, c := range []struct {
		what      string
		got, want int
	}{{"x", len(x), B * D}, {"z", len(z), B * t.m.Latent()}, {"alpha", len(alpha), B}} {
		if err := t.checkLen(c.what, c.got, c.want); err != nil {
			return EnergyStats{}, err
		}
	}
	d.zeroDoubles(t.stats)
	// z and alpha go first on the default stream; x, the largest, travels
	// on the copy stream while the base computes B(z).
	d.uploadAsync(t.z, t.pz, z, defaultStream)
	d.uploadAsync(t.alpha, t.palpha, alpha, defaultStream)
	d.uploadAsync(t.xy, t.px, x, d.copyStream)
	d.fail(drvRecord(t.xReady, d.copyStream))
	y := t.generate(B)
	ys := t.xy.Slice(B*D, 2*B*D)
	d.copy(ys, y)
	d.fail(drvWait(defaultStream, t.xReady))

	e := t.energy.Forward(t.xy.Slice(0, 2*B*D), 2*B)
	d.zero(t.gE)
	d.energyLoss(e.Slice(0, B), e.Slice(B, 2*B), t.aBuf, t.dE.Slice(0, B), t.dE.Slice(B, 2*B), t.gA,
		t.stats.Range(sLoss, sDA+1), t.stats.Range(sMeanEp, sMeanEq+1))
	t.energy.BackwardParams(t.dE.Slice(0, 2*B))
	if t.cfg.GP > 0 {
		t.energy.GradPenaltyBetween(t.alpha, t.xhat, B, t.cfg.GP, t.stats.At(sPenalty))
	}
	t.energy.FinishGrads()
	gradsE := t.gE.Slice(0, t.nE)
	if t.cfg.SoftClip {
		d.elementwise("soft_clip", t.nE, ptr(gradsE), i64(t.nE))
	}
	d.sumSquares(gradsE, 1, t.stats.At(sGradSqE))
	t.optE.LR = t.cfg.LREnergy * lrScale
	t.adamE.Update(t.optE.LR, t.stats.Range(sLoss, sGradSqE+1))
	d.sumSquares(t.pE, 1, t.stats.At(sParamSqE))
	t.energy.Refresh(1)
	d.toDoubles(t.aBuf, t.stats.At(sA))
	if err := t.finish(); err != nil {
		return EnergyStats{}, err
	}
	h := t.host
	st := EnergyStats{EnergyStats: backend.EnergyStats{Loss: h[sLoss], Penalty: h[sPenalty], EnergyData: h[sMeanEp],
		EnergyGen: h[sMeanEq], GradNorm: math.Sqrt(h[sGradSqE])}, DA: h[sDA], A: h[sA],
		ParamsFinite: isFinite(h[sParamSqE]), Updated: allFinite(h[sLoss : sGradSqE+1])}
	if st.Updated {
		t.optE.Step++
	}
	return st, nil
}

// generate returns B(z) for the B latents in t.z as a training step of the
// base computes it, as the CPU backend does: batch normalisation layers
// normalise by the batch's own statistics and fold them into their running
// ones, in the state buffer that Sync brings back for the model file. The
// base is left in its sampling mode (running statistics) for Evaluate; the
// backward pass of BaseStep follows the mode of this forward pass. A frozen
// base (backend.Config.FrozenBase) generates in its sampling mode.
func (t *Trainer) generate(B int) Buffer {
	if t.cfg.FrozenBase {
		return t.base.Forward(t.z, B)
	}
	t.base.SetTraining(true)
	defer t.base.SetTraining(false)
	return t.base.Forward(t.z, B)
}

// BaseStep makes one update of the base on latents z: with w =
// softmax(-γ E(B(z))), γ = BaseTilt (1: the model's weights), the base's
// backward pass gets w_i ∇_x E(B(z_i)); Â and the ESS are those of the
// model's weights softmax(-E(B(z))) whatever γ.
func (t *Trainer) BaseStep(z []float32, lrScale float64) (BaseStats, error) {
	defer t.d.bind()()
	if err := t.load(); err != nil {
		return BaseStats{}, err
	}
	d, B, D := t.d, t.cfg.Batch, t.m.Dim()
	if err := t.checkLen("z", len(z), B*t.m.Latent()); err != nil {
		return BaseStats{}, err
	}
	d.zeroDoubles(t.stats)
	d.uploadAsync(t.z, t.pz, z, defaultStream)
	y := t.generate(B)
	e, gx := t.energy.InputGrad(y, B)
	d.importanceWeights(e, t.cfg.BaseTilt, t.w.Slice(0, B), t.stats.Range(sWeightSum, sAHat+1), t.stats.At(sESS))
	d.elementwise("scale_rows", B*D, ptr(gx), ptr(t.w), ptr(t.dy), i64(B), i64(D))
	t.base.ZeroGrad()
	t.base.BackwardParams(t.dy)
	d.sumSquares(t.gB, 1, t.stats.At(sGradSqB))
	t.optB.LR = t.cfg.LRBase * lrScale
	t.adamB.Update(t.optB.LR, t.stats.Range(sWeightSum, sGradSqB+1))
	d.sumSquares(t.pB, 1, t.stats.At(sParamSqB))
	if err := t.finish(); err != nil {
		return BaseStats{}, err
	}
	h := t.host
	st := BaseStats{BaseStats: backend.BaseStats{AHat: h[sAHat], ESS: h[sESS], GradNorm: math.Sqrt(h[sGradSqB])},
		WeightSum: h[sWeightSum], ParamsFinite: isFinite(h[sParamSqB]), Updated: allFinite(h[sWeightSum : sGradSqB+1])}
	if st.Updated {
		t.optB.Step++
	}
	return st, nil
}

// Evaluate returns the KALE estimate -L(E, A) on data rows x and latents z
// without updating anything.
func (t *Trainer) Evaluate(x, z []float32) (backend.EvalStats, error) {
	defer t.d.bind()()
	if err := t.load(); err != nil {
		return backend.EvalStats{}, err
	}
	d, D, Z := t.d, t.m.Dim(), t.m.Latent()
	n, nz := len(x)/D, len(z)/Z
	if n < 1 || nz < 1 || n*D != len(x) || nz*Z != len(z) {
		return backend.EvalStats{}, fmt.Errorf("cuda: Evaluate: %d data values and %d latent values for widths %d and %d", len(x), len(z), D, Z)
	}
	t.growXY(n + nz)
	t.growZ(nz)
	d.zeroDoubles(t.stats)
	d.Upload(t.xy, x)
	d.Upload(t.z, z)
	y := t.base.Forward(t.z, nz)
	d.copy(t.xy.Slice(n*D, (n+nz)*D), y)
	e := t.energy.Forward(t.xy.Slice(0, (n+nz)*D), n+nz)
	d.energyLoss(e.Slice(0, n), e.Slice(n, n+nz), t.aBuf, t.dE.Slice(0, n), t.dE.Slice(n, n+nz), Buffer{},
		t.stats.Range(sEvalLoss, sEvalDA+1), t.stats.Range(sEvalMeanEp, sEvalMeanEq+1))
	if err := t.finish(); err != nil {
		return backend.EvalStats{}, err
	}
	h := t.host
	return backend.EvalStats{KALE: -h[sEvalLoss], EnergyData: h[sEvalMeanEp], EnergyGen: h[sEvalMeanEq]}, nil
}

// Sync copies the parameters, A, spectral normalisation's vectors and the
// optimisers' moments back into the host model and optimisers (their step
// counts and learning rates are kept on the host as the steps go).
func (t *Trainer) Sync() error {
	if t.closed {
		return errClosed
	}
	if !t.loaded {
		return nil // the host state is the current one
	}
	defer t.d.bind()()
	for _, f := range []func() error{t.energy.Download, t.base.Download, t.adamE.Download, t.adamB.Download} {
		if err := f(); err != nil {
			return err
		}
	}
	t.d.Download(t.a.Value[:1], t.aBuf)
	t.m.A = float64(t.a.Value[0])
	return t.d.check()
}

// Close releases the device memory of the trainer.
func (t *Trainer) Close() error {
	if t.closed {
		return nil
	}
	defer t.d.bind()()
	t.closed = true
	t.energy.Free()
	t.base.Free()
	t.adamE.Free()
	t.adamB.Free()
	for _, b := range []Buffer{t.pE, t.gE, t.pB, t.gB, t.xy, t.xhat, t.dE, t.dy, t.w, t.z, t.alpha} {
		t.d.Free(b)
	}
	t.d.freeDoubles(t.stats)
	for _, p := range []*pinned{&t.px, &t.pz, &t.palpha} {
		t.d.fail(p.free())
	}
	t.d.fail(drvDestroyEvent(&t.xReady))
	return t.d.check()
}

func isFinite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

func allFinite(vs []float64) bool {
	for _, v := range vs {
		if !isFinite(v) {
			return false
		}
	}
	return true
}
