package train

import (
	"fmt"
	"math"

	"github.com/gebm/gebm/native/backend"
	"github.com/gebm/gebm/shared/kale"
	"github.com/gebm/gebm/shared/model"
	"github.com/gebm/gebm/shared/nn"
)

// cpuBackend trains the model in place with the matrix products of
// nn.DefaultGemm (OpenBLAS in native builds).
type cpuBackend struct {
	m          *model.GEBM
	a          *nn.Param // A as a trainable scalar, mirrored into m.A
	optE, optB *nn.Adam
	lrE, lrB   float64
	gp         float64
	tilt       float64 // backend.Config.BaseTilt
	softClip   bool
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

func newCPUBackend(m *model.GEBM, c backend.Config, a *nn.Param, optE, optB *nn.Adam) *cpuBackend {
	B, D := c.Batch, m.Dim()
	return &cpuBackend{m: m, a: a, optE: optE, optB: optB, lrE: c.LREnergy, lrB: c.LRBase,
		gp: c.GP, tilt: c.BaseTilt, softClip: c.SoftClip, batch: B, et: make([]float32, B),
		xy: make([]float32, 2*B*D), xhat: make([]float32, B*D), dE: make([]float32, 2*B),
		dy: make([]float32, B*D), ebuf: make([]float32, B), gpBuf: make([]float32, B), gqBuf: make([]float32, B),
		w: make([]float64, B)}
}

func (c *cpuBackend) Name() string { return "cpu" }

func (c *cpuBackend) Sync() error { return nil }

// EnergyStep: one pass over the data and generated rows stacked into one
// batch gives E on both and, through kale.EnergyLoss, the gradient of
//
//	L = mean(E(x)+A) + mean(exp(-(E(B(z))+A))) - 1 + gp · mean ||∇E(x̂)||²
//
// with respect to the energy's parameters and A.
func (c *cpuBackend) EnergyStep(x, z, alpha []float32, lrScale float64) (backend.EnergyStats, error) {
	B, D := c.batch, c.m.Dim()
	copy(c.xy[:B*D], x)
	copy(c.xy[B*D:], c.m.Base.Forward(z, B))
	e := c.m.Energy.Forward(c.xy, 2*B)
	ep, eq := e[:B], e[B:2*B]
	loss, dA := kale.EnergyLoss(ep, eq, float64(c.a.Value[0]), c.dE[:B], c.dE[B:])
	st := backend.EnergyStats{Loss: loss, EnergyData: mean(ep), EnergyGen: mean(eq)}
	if err := finite("energy loss", loss, "A gradient", dA); err != nil {
		return st, err
	}
	c.m.Energy.ZeroGrad()
	c.m.Energy.BackwardParams(c.dE)
	if c.gp > 0 {
		xs, ys := c.xy[:B*D], c.xy[B*D:]
		for i := 0; i < B; i++ {
			a := alpha[i]
			for j := i * D; j < (i+1)*D; j++ {
				c.xhat[j] = a*xs[j] + (1-a)*ys[j]
			}
		}
		st.Penalty = c.m.Energy.GradPenalty(c.xhat, B, c.gp)
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
	if err := finite("gradient penalty", st.Penalty, "energy gradient norm", st.GradNorm); err != nil {
		return st, err
	}
	c.optE.LR = c.lrE * lrScale
	c.optE.Update()
	c.m.A = float64(c.a.Value[0])
	if err := finiteParams("energy", c.m.Energy.Params()); err != nil {
		return st, err
	}
	if err := finite("A", c.m.A, "", 0); err != nil {
		return st, err
	}
	c.m.Energy.Refresh(1)
	return st, nil
}

// BaseStep: with the energy fixed, the base minimises
// L_B = -mean E(x) - Â(θ), Â = logsumexp_i(-E(B(z_i))) - log N, whose
// gradient is Σ_i w_i ∇_θ E(B_θ(z_i)) with w = softmax(-E(B(z))): the
// backward pass of the base gets w_i ∇_x E(B(z_i)) for row i. With
// BaseTilt γ ≠ 1 the weights are softmax(-γ E(B(z))) (backend.Config.BaseTilt);
// the stats' Â and ESS stay those of the model's weights (γ = 1).
func (c *cpuBackend) BaseStep(z []float32, lrScale float64) (backend.BaseStats, error) {
	B, D := c.batch, c.m.Dim()
	y := c.m.Base.Forward(z, B)
	e, gx := c.m.Energy.InputGrad(y, B)
	var st backend.BaseStats
	st.AHat, st.ESS = kale.ImportanceWeights(e[:B], c.w)
	if err := finite("Â (importance weights)", st.AHat, "", 0); err != nil {
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
	if err := finite("base gradient norm", st.GradNorm, "", 0); err != nil {
		return st, err
	}
	c.optB.LR = c.lrB * lrScale
	c.optB.Update()
	return st, finiteParams("base", c.m.Base.Params())
}

// FlowMLEStep: the base, a flow, takes one Adam step on its mean negative
// log-likelihood of the data rows x (nn.Network.NLLGrad). The stats give
// the gradient norm; Â and the ESS, which belong to the KALE step, are 0.
func (c *cpuBackend) FlowMLEStep(x []float32, lrScale float64) (backend.BaseStats, error) {
	var st backend.BaseStats
	c.m.Base.ZeroGrad()
	nll := c.m.Base.NLLGrad(x, c.batch)
	st.GradNorm = gradNorm(c.m.Base.Params())
	if err := finite("flow negative log-likelihood", nll, "base gradient norm", st.GradNorm); err != nil {
		return st, err
	}
	c.optB.LR = c.lrB * lrScale
	c.optB.Update()
	return st, finiteParams("base", c.m.Base.Params())
}

func (c *cpuBackend) Evaluate(x, z []float32) (backend.EvalStats, error) {
	B := len(x) / c.m.Dim()
	ep := append([]float32(nil), c.m.Energy.Forward(x, B)...)
	eq := c.m.Energy.Forward(c.m.Base.Forward(z, len(z)/c.m.Latent()), len(z)/c.m.Latent())
	gp, gq := make([]float32, len(ep)), make([]float32, len(eq))
	loss, _ := kale.EnergyLoss(ep, eq, c.m.A, gp, gq)
	st := backend.EvalStats{KALE: -loss, EnergyData: mean(ep), EnergyGen: mean(eq)}
	return st, finite("held-out KALE", st.KALE, "", 0)
}

func mean(x []float32) float64 {
	var s float64
	for _, v := range x {
		s += float64(v)
	}
	return s / float64(len(x))
}

func gradNorm(ps []*nn.Param) float64 {
	var s float64
	for _, p := range ps {
		for _, g := range p.Grad {
			s += float64(g) * float64(g)
		}
	}
	return math.Sqrt(s)
}

// NonFiniteError names the quantity that stopped training.
type NonFiniteError struct {
	Quantity string
	Value    float64
}

func (e *NonFiniteError) Error() string {
	return fmt.Sprintf("%s is not finite (%v)", e.Quantity, e.Value)
}

func finite(name1 string, v1 float64, name2 string, v2 float64) error {
	if math.IsNaN(v1) || math.IsInf(v1, 0) {
		return &NonFiniteError{name1, v1}
	}
	if name2 != "" && (math.IsNaN(v2) || math.IsInf(v2, 0)) {
		return &NonFiniteError{name2, v2}
	}
	return nil
}

// finiteParams checks every weight after an update (one pass over the
// parameters, small beside the step's matrix products).
func finiteParams(net string, ps []*nn.Param) error {
	for _, p := range ps {
		for i, v := range p.Value {
			if f := float64(v); math.IsNaN(f) || math.IsInf(f, 0) {
				return &NonFiniteError{fmt.Sprintf("%s weight %s[%d]", net, p.Name, i), f}
			}
		}
	}
	return nil
}
