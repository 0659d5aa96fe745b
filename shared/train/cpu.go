package train

import (
	"math"

	"github.com/gebm/gebm/shared/backend"
	"github.com/gebm/gebm/shared/kale"
	"github.com/gebm/gebm/shared/model"
	"github.com/gebm/gebm/shared/nn"
)

// CPU is the backend that trains the model in place on the host, with the
// matrix products of the networks' Gemm (nn.DefaultGemm: OpenBLAS in native
// builds, the tiled Go kernel or the SIMD128 one in WebAssembly).
type CPU struct {
	m          *model.GEBM
	a          *nn.Param // A as a trainable scalar, mirrored into m.A
	optE, optB *nn.Adam
	lrE, lrB   float64
	gp         float64
	tilt       float64 // backend.Config.BaseTilt
	softClip   bool
	frozenBase bool // backend.Config.FrozenBase
	batch      int

	// buffers of one step, allocated once
	xy    []float32 // data rows stacked over generated rows: 2B × D
	xhat  []float32
	dE    []float32 // ∂L/∂E for the 2B stacked rows
	dy    []float32 // base step: w_i ∇_x E(B(z_i))
	ebuf  []float32
	gpBuf []float32
	gqBuf []float32
	w     []float64 // importance weights of the base step
	et    []float32 // tilted energies γ E of the base step
}

// NewCPU returns the CPU backend of model m with the step options c; a is
// A as a trainable scalar (its value mirrored into m.A after every energy
// update), optE updates the energy's parameters and a, optB the base's.
func NewCPU(m *model.GEBM, c backend.Config, a *nn.Param, optE, optB *nn.Adam) *CPU {
	B, D := c.Batch, m.Dim()
	return &CPU{m: m, a: a, optE: optE, optB: optB, lrE: c.LREnergy, lrB: c.LRBase,
		gp: c.GP, tilt: c.BaseTilt, softClip: c.SoftClip, frozenBase: c.FrozenBase, batch: B, et: make([]float32, B),
		xy: make([]float32, 2*B*D), xhat: make([]float32, B*D), dE: make([]float32, 2*B),
		dy: make([]float32, B*D), ebuf: make([]float32, B), gpBuf: make([]float32, B), gqBuf: make([]float32, B),
		w: make([]float64, B)}
}

// Name is "cpu".
func (c *CPU) Name() string { return "cpu" }

// Sync does nothing: the CPU backend works on the model in place.
func (c *CPU) Sync() error { return nil }

// EnergyStep makes one update of the energy and A: one pass over the data and generated rows stacked into one
// batch gives E on both and, through kale.EnergyLoss, the gradient of
//
//	L = mean(E(x)+A) + mean(exp(-(E(B(z))+A))) - 1 + gp · mean ||∇E(x̂)||²
//
// with respect to the energy's parameters and A.
func (c *CPU) EnergyStep(x, z, alpha []float32, lrScale float64) (backend.EnergyStats, error) {
	B, D := c.batch, c.m.Dim()
	copy(c.xy[:B*D], x)
	copy(c.xy[B*D:], c.generate(z))
	e := c.m.Energy.Forward(c.xy, 2*B)
	ep, eq := e[:B], e[B:2*B]
	loss, dA := kale.EnergyLoss(ep, eq, float64(c.a.Value[0]), c.dE[:B], c.dE[B:])
	st := backend.EnergyStats{Loss: loss, EnergyData: mean(ep), EnergyGen: mean(eq)}
	if err := Finite("energy loss", loss, "A gradient", dA); err != nil {
		return st, err
	}
	c.m.Energy.ZeroGrad()
	c.m.Energy.BackwardParams(c.dE)
	if c.gp > 0 {
		// At x̂_i = α_i x_i + (1-α_i) y_i between the rows the loss just ran.
		st.Penalty = c.m.Energy.GradPenaltyBetween(alpha[:B], c.xhat, c.gp)
	}
	c.m.Energy.FinishGrads()
	c.a.Grad[0] = float32(dA)
	if c.softClip {
		for _, p := range c.m.Energy.Params() {
			for i, g := range p.Grad {
				p.Grad[i] = 2 * g / (1 + g*g)
			}
		}
	}
	st.GradNorm = gradNorm(c.m.Energy.Params())
	if err := Finite("gradient penalty", st.Penalty, "energy gradient norm", st.GradNorm); err != nil {
		return st, err
	}
	c.optE.LR = c.lrE * lrScale
	c.optE.Update()
	c.m.A = float64(c.a.Value[0])
	if err := FiniteParams("energy", c.m.Energy.Params()); err != nil {
		return st, err
	}
	if err := Finite("A", c.m.A, "", 0); err != nil {
		return st, err
	}
	c.m.Energy.Refresh(1)
	return st, nil
}

// generate returns B(z) for the batch's latents z as a training step of the
// base computes it: batch normalisation layers normalise by the batch's
// own statistics and fold them into their running ones
// (nn.Network.SetTraining), which the model file keeps for sampling. The
// base is left in its sampling mode, so that Evaluate and every sampler
// use the running statistics; the backward pass of BaseStep goes through
// the batch statistics of this forward pass. A frozen base
// (backend.Config.FrozenBase) generates in its sampling mode.
func (c *CPU) generate(z []float32) []float32 {
	if c.frozenBase {
		return c.m.Base.Forward(z, c.batch)
	}
	c.m.Base.SetTraining(true)
	defer c.m.Base.SetTraining(false)
	return c.m.Base.Forward(z, c.batch)
}

// BaseStep makes one update of the base: with the energy fixed, the base minimises
// L_B = -mean E(x) - Â(θ), Â = logsumexp_i(-E(B(z_i))) - log N, whose
// gradient is Σ_i w_i ∇_θ E(B_θ(z_i)) with w = softmax(-E(B(z))): the
// backward pass of the base gets w_i ∇_x E(B(z_i)) for row i. With
// BaseTilt γ ≠ 1 the weights are softmax(-γ E(B(z))) (backend.Config.BaseTilt);
// the stats' Â and ESS stay those of the model's weights (γ = 1).
func (c *CPU) BaseStep(z []float32, lrScale float64) (backend.BaseStats, error) {
	B, D := c.batch, c.m.Dim()
	y := c.generate(z)
	e, gx := c.m.Energy.InputGrad(y, B)
	var st backend.BaseStats
	st.AHat, st.ESS = kale.ImportanceWeights(e[:B], c.w)
	if err := Finite("Â (importance weights)", st.AHat, "", 0); err != nil {
		return st, err
	}
	if c.tilt != 1 {
		kale.TiltedWeights(e[:B], c.tilt, c.et, c.w)
	}
	for i := 0; i < B; i++ {
		wf := float32(c.w[i])
		for j := i * D; j < (i+1)*D; j++ {
			c.dy[j] = wf * gx[j]
		}
	}
	c.m.Base.ZeroGrad()
	c.m.Base.BackwardParams(c.dy)
	st.GradNorm = gradNorm(c.m.Base.Params())
	if err := Finite("base gradient norm", st.GradNorm, "", 0); err != nil {
		return st, err
	}
	c.optB.LR = c.lrB * lrScale
	c.optB.Update()
	return st, FiniteParams("base", c.m.Base.Params())
}

// FlowMLEStep makes one update of the base, a flow: it takes one Adam step on its mean negative
// log-likelihood of the data rows x (nn.Network.NLLGrad). The stats give
// the gradient norm; Â and the ESS, which belong to the KALE step, are 0.
func (c *CPU) FlowMLEStep(x []float32, lrScale float64) (backend.BaseStats, error) {
	var st backend.BaseStats
	c.m.Base.ZeroGrad()
	nll := c.m.Base.NLLGrad(x, c.batch)
	st.GradNorm = gradNorm(c.m.Base.Params())
	if err := Finite("flow negative log-likelihood", nll, "base gradient norm", st.GradNorm); err != nil {
		return st, err
	}
	c.optB.LR = c.lrB * lrScale
	c.optB.Update()
	return st, FiniteParams("base", c.m.Base.Params())
}

// Evaluate returns the KALE estimate −L(E, A) on data rows x and latents z
// (without the penalty) and the mean energies of both, updating nothing.
func (c *CPU) Evaluate(x, z []float32) (backend.EvalStats, error) {
	B := len(x) / c.m.Dim()
	ep := append([]float32(nil), c.m.Energy.Forward(x, B)...)
	eq := c.m.Energy.Forward(c.m.Base.Forward(z, len(z)/c.m.Latent()), len(z)/c.m.Latent())
	gp, gq := make([]float32, len(ep)), make([]float32, len(eq))
	loss, _ := kale.EnergyLoss(ep, eq, c.m.A, gp, gq)
	st := backend.EvalStats{KALE: -loss, EnergyData: mean(ep), EnergyGen: mean(eq)}
	return st, Finite("held-out KALE", st.KALE, "", 0)
}

// mean is the mean of x, summed in float64.
func mean(x []float32) float64 {
	var s float64
	for _, v := range x {
		s += float64(v)
	}
	return s / float64(len(x))
}

// gradNorm is the Euclidean norm of the gradients of ps, √Σ g², summed in
// float64 in four interleaved partial sums (element i of each parameter
// into sum i mod 4, the sums added at the end): one running sum waited
// on each addition's latency, a pass over a million gradients a step. A
// logged statistic, not an input of the update; the order is fixed, so
// every platform gives the same bits.
func gradNorm(ps []*nn.Param) float64 {
	var s0, s1, s2, s3 float64
	for _, p := range ps {
		g := p.Grad
		i := 0
		for ; i+4 <= len(g); i += 4 {
			q := g[i : i+4 : i+4]
			s0 += float64(q[0]) * float64(q[0])
			s1 += float64(q[1]) * float64(q[1])
			s2 += float64(q[2]) * float64(q[2])
			s3 += float64(q[3]) * float64(q[3])
		}
		for ; i < len(g); i++ {
			s0 += float64(g[i]) * float64(g[i])
		}
	}
	return math.Sqrt((s0 + s1) + (s2 + s3))
}
