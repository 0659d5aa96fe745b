package kale

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/gebm/gebm/shared/nn"
)

// Defaults used for zero-valued NeuralOptions fields.
const (
	// DefaultNeuralSteps is the number of Adam steps.
	DefaultNeuralSteps = 1000
	// DefaultNeuralLR is Adam's learning rate.
	DefaultNeuralLR = 1e-3
	// DefaultNeuralGP is the gradient penalty weight, the reference
	// trainer's default. Without a penalty a network fits the two finite
	// samples: measured on two samples of the same N(0, I₂), 256 points
	// each, 500 steps, the estimate was 0.41 with no penalty, 0.17 with
	// weight 0.1 and 0.04 with weight 1 (the RKHS KALE: 0.01).
	DefaultNeuralGP = 1.0
	// DefaultNeuralTol is the tolerance of the convergence indicator (see
	// NeuralResult.RelChange).
	DefaultNeuralTol = 1e-2
	// neuralFloor is the magnitude below which the relative change of the
	// estimate is measured against neuralFloor instead (so that an estimate
	// near 0, e.g. for P = Q, can be reported converged: near 0 the test is
	// an absolute one, |Δ| ≤ Tol·neuralFloor).
	neuralFloor = 0.1
)

// DefaultNeuralHidden is the hidden layer widths used when
// NeuralOptions.Hidden is nil.
var DefaultNeuralHidden = []int{32, 32}

// NeuralOptions configures KALENeural. The zero value selects every default.
type NeuralOptions struct {
	// Hidden are the widths of the hidden layers of the MLP witness
	// d → Hidden… → 1 (LeakyReLU(0.2) after each hidden layer, no output
	// activation); nil selects DefaultNeuralHidden.
	Hidden []int
	// Steps ≥ 0 is the number of Adam steps; 0 selects DefaultNeuralSteps.
	Steps int
	// LR ≥ 0 is Adam's learning rate; 0 selects DefaultNeuralLR. The betas
	// are (0.9, 0.999), ε = 1e-8.
	LR float64
	// GP ≥ 0 is the weight of the gradient penalty mean ‖∇_x E(x̂)‖² at
	// x̂ = a·x + (1−a)·y, a ~ U[0,1] per pair, as in the trainer's energy
	// step; 0 selects DefaultNeuralGP. NoPenalty disables the penalty.
	GP float64
	// NoPenalty trains without the gradient penalty (GP is ignored).
	NoPenalty bool
	// Batch ≥ 0 is the number of points drawn (uniformly, with replacement)
	// from each set per step; 0 uses the full sets every step.
	Batch int
	// Window ≥ 0 is the number of steps over which the estimate is averaged
	// for the convergence indicator; 0 selects max(1, Steps/10).
	Window int
	// Tol ≥ 0 is the convergence threshold on NeuralResult.RelChange; 0
	// selects DefaultNeuralTol.
	Tol float64
	// EarlyStop ends training at the first step (at least 2·Window steps in)
	// at which the convergence indicator holds.
	EarlyStop bool
	// Seed seeds the weights' initialisation, the minibatches and the
	// gradient penalty's interpolation coefficients.
	Seed uint64
}

// NeuralResult is the outcome of KALENeural.
type NeuralResult struct {
	// Value is the KALE objective of the trained witness f = E + A on the
	// full sets given,
	//
	//	−L = −(1/n) Σ_i f(x_i) − (1/m) Σ_j exp(−f(y_j)) + 1,
	//
	// with L = EnergyLoss(E(X), E(Y), A) (no penalty term). It is an
	// achieved value of the objective, so a lower estimate of the
	// supremum over the network class; since f is fitted on the same
	// samples it is biased upwards as an estimate of the population
	// quantity (see KALENeural).
	Value float64
	// DV is the Donsker–Varadhan bound of E on the same sets, the value
	// −L at A = OptimalA(E(Y)): DV ≥ Value (see DonskerVaradhan).
	DV float64
	// A is the trained scalar; Witness evaluates E + A.
	A float64
	// Penalty is the gradient penalty mean ‖∇_x E(x̂)‖² of the last step
	// (0 when GP = 0).
	Penalty float64
	// Iterations is the number of Adam steps taken.
	Iterations int
	// RelChange is |v̄₂ − v̄₁| / max(|v̄₂|, 0.1), where v̄₂ and v̄₁ are the
	// means of the training estimate −L (on the step's batch, before the
	// update) over the last Window steps and the Window steps before;
	// +Inf when fewer than 2·Window steps were taken.
	RelChange float64
	// Converged reports RelChange ≤ Tol.
	Converged bool
	// Witness is the trained f = E + A.
	Witness *NeuralWitness
}

// NeuralWitness is f(x) = E(x) + A for an MLP E. Evaluating it runs the
// network in float32; it is not safe for concurrent use (the network owns
// its activation buffers).
type NeuralWitness struct {
	net *nn.Network
	a   float64
	buf []float32
}

// NewNeuralWitness returns the witness E + a for a network with one output.
func NewNeuralWitness(net *nn.Network, a float64) *NeuralWitness {
	if net.Out() != 1 {
		panic("kale: NewNeuralWitness: network must have one output")
	}
	return &NeuralWitness{net: net, a: a}
}

// Network returns the energy network E (shared, not a copy).
func (w *NeuralWitness) Network() *nn.Network { return w.net }

// A returns the constant added to the network's output.
func (w *NeuralWitness) A() float64 { return w.a }

// Dim returns the input dimension.
func (w *NeuralWitness) Dim() int { return w.net.In() }

// Eval returns f(x).
func (w *NeuralWitness) Eval(x []float64) float64 {
	if len(x) != w.Dim() {
		panic("kale: NeuralWitness.Eval: dimension mismatch")
	}
	w.buf = toFloat32(w.buf, x)
	return float64(w.net.Forward(w.buf, 1)[0]) + w.a
}

// EvalBatch writes f(x_i) into dst[i] for every point of x.
func (w *NeuralWitness) EvalBatch(dst []float64, x Samples) []float64 {
	if x.Cols != w.Dim() {
		panic("kale: NeuralWitness.EvalBatch: dimension mismatch")
	}
	if dst == nil {
		dst = make([]float64, x.Rows)
	}
	if len(dst) != x.Rows {
		panic("kale: NeuralWitness.EvalBatch: dst length does not match the points")
	}
	const chunk = 1024
	for i := 0; i < x.Rows; i += chunk {
		k := min(chunk, x.Rows-i)
		w.buf = toFloat32(w.buf, x.Data[i*x.Cols:(i+k)*x.Cols])
		for j, e := range w.net.Forward(w.buf, k) {
			dst[i+j] = float64(e) + w.a
		}
	}
	return dst
}

func toFloat32(dst []float32, x []float64) []float32 {
	if cap(dst) < len(x) {
		dst = make([]float32, len(x))
	}
	dst = dst[:len(x)]
	for i, v := range x {
		dst[i] = float32(v)
	}
	return dst
}

// Validate checks the options: every field non-negative and finite, hidden
// widths positive. The returned error wraps ErrOption.
func (o NeuralOptions) Validate() error {
	for i, h := range o.Hidden {
		if h < 1 || h > nn.MaxDim {
			return fmt.Errorf("kale: Hidden[%d] = %d, want 1..%d: %w", i, h, nn.MaxDim, ErrOption)
		}
	}
	for _, c := range []struct {
		name string
		v    float64
	}{{"LR", o.LR}, {"GP", o.GP}, {"Tol", o.Tol}} {
		if math.IsNaN(c.v) || math.IsInf(c.v, 0) || c.v < 0 {
			return fmt.Errorf("kale: %s = %v, want a finite value ≥ 0: %w", c.name, c.v, ErrOption)
		}
	}
	for _, c := range []struct {
		name string
		v    int
	}{{"Steps", o.Steps}, {"Batch", o.Batch}, {"Window", o.Window}} {
		if c.v < 0 {
			return fmt.Errorf("kale: %s = %d, want ≥ 0: %w", c.name, c.v, ErrOption)
		}
	}
	return nil
}

func (o NeuralOptions) resolve() NeuralOptions {
	if o.Hidden == nil {
		o.Hidden = DefaultNeuralHidden
	}
	if o.Steps == 0 {
		o.Steps = DefaultNeuralSteps
	}
	if o.LR == 0 {
		o.LR = DefaultNeuralLR
	}
	if o.Window == 0 {
		o.Window = max(1, o.Steps/10)
	}
	if o.Tol == 0 {
		o.Tol = DefaultNeuralTol
	}
	if o.GP == 0 {
		o.GP = DefaultNeuralGP
	}
	if o.NoPenalty {
		o.GP = 0
	}
	return o
}

// KALENeural estimates KALE(P‖Q) with a neural witness: it minimises the
// GEBM energy trainer's loss
//
//	L(E, A) = (1/n) Σ_i (E(x_i) + A) + (1/m) Σ_j exp(−(E(y_j) + A)) − 1  [+ GP · mean ‖∇_x E(x̂)‖²]
//
// over an MLP E (see NeuralOptions.Hidden) and a scalar A with Adam, the
// loss and its gradients computed by EnergyLoss exactly as in the trainer.
// −L without the penalty is the KALE objective of f = E + A (see KALE; same
// sign convention: f is low where P is denser), so the result is the KALE
// of the network class, without the RKHS penalty of the "smoothie" and
// therefore without its downward bias: on finite samples a large enough
// network can overfit them, and the value (evaluated on the training sets)
// is then biased upwards. The gradient penalty GP, smaller networks or
// fewer steps counter this; for an unbiased lower estimate evaluate
// Objective or DonskerVaradhan with the returned Witness on held-out
// samples.
//
// A starts at OptimalA(E(Y)) of the initial network (the reference
// trainer's initialisation). Each step draws a batch from each set (or
// uses the full sets, Batch = 0), and pairs the k-th rows of the two
// batches for the gradient penalty. The result is deterministic for a
// given Seed and matrix-product implementation (nn.DefaultGemm).
//
// Cost: each step is a forward and backward pass over the n+m (or 2·Batch)
// rows, O((n+m)·(d·h₁ + h₁·h₂ + …)), about three times that again with
// the gradient penalty; linear in the number of points.
//
// Inputs are checked like KALE's (Options.Validate) and by
// NeuralOptions.Validate; a returned error wraps one of the package's Err
// values. Not converging is not an error: Converged is false.
func KALENeural(x, y Samples, opts NeuralOptions) (NeuralResult, error) {
	if err := opts.Validate(); err != nil {
		return NeuralResult{}, err
	}
	if err := checkPair(x, y); err != nil {
		return NeuralResult{}, err
	}
	o := opts.resolve()
	d := x.Cols
	rng := rand.New(rand.NewPCG(o.Seed, 0x6b616c65))
	net, err := nn.New(nn.MLP(d, o.Hidden, 1, nn.Activation(nn.KindLeakyReLU, 0.2), "", false), rng)
	if err != nil {
		return NeuralResult{}, fmt.Errorf("kale: %v: %w", err, ErrOption)
	}
	xf, yf := toFloat32(nil, x.Data), toFloat32(nil, y.Data)
	n, m := x.Rows, y.Rows

	aParam := &nn.Param{Name: "A", Shape: []int{1}, Value: make([]float32, 1), Grad: make([]float32, 1)}
	aParam.Value[0] = float32(OptimalA(net.Forward(yf, m)))
	params := append(append([]*nn.Param(nil), net.Params()...), aParam)
	opt := nn.NewAdam(params, o.LR, 0.9, 0.999, 1e-8)

	bp, bq := n, m
	if o.Batch > 0 {
		bp, bq = o.Batch, o.Batch
	}
	pairs := min(bp, bq)
	xy := make([]float32, (bp+bq)*d)
	if o.Batch == 0 {
		copy(xy, xf)
		copy(xy[n*d:], yf)
	}
	grad := make([]float32, bp+bq)
	var xhat []float32
	if o.GP > 0 {
		xhat = make([]float32, pairs*d)
	}

	var res NeuralResult
	trace := make([]float64, 0, o.Steps)
	res.RelChange = math.Inf(1)
	for step := 0; step < o.Steps; step++ {
		if o.Batch > 0 {
			for k := range bp {
				i := rng.IntN(n)
				copy(xy[k*d:(k+1)*d], xf[i*d:(i+1)*d])
			}
			for k := range bq {
				j := rng.IntN(m)
				copy(xy[(bp+k)*d:(bp+k+1)*d], yf[j*d:(j+1)*d])
			}
		}
		e := net.Forward(xy, bp+bq)
		loss, dA := EnergyLoss(e[:bp], e[bp:], float64(aParam.Value[0]), grad[:bp], grad[bp:])
		if math.IsNaN(loss) || math.IsInf(loss, 0) || math.IsNaN(dA) || math.IsInf(dA, 0) {
			return res, fmt.Errorf("kale: KALENeural: loss %v, A gradient %v at step %d (lower LR): %w", loss, dA, step, ErrNonFinite)
		}
		trace = append(trace, -loss)
		net.ZeroGrad()
		net.BackwardParams(grad)
		if o.GP > 0 {
			xs, ys := xy[:bp*d], xy[bp*d:]
			for k := range pairs {
				a := rng.Float32()
				for c := k * d; c < (k+1)*d; c++ {
					xhat[c] = a*xs[c] + (1-a)*ys[c]
				}
			}
			res.Penalty = net.GradPenalty(xhat, pairs, o.GP)
		}
		net.FinishGrads()
		aParam.Grad[0] = float32(dA)
		opt.Update()
		res.Iterations = step + 1
		if w := o.Window; len(trace) >= 2*w {
			last, prev := meanOf(trace[len(trace)-w:]), meanOf(trace[len(trace)-2*w:len(trace)-w])
			res.RelChange = math.Abs(last-prev) / max(math.Abs(last), neuralFloor)
			res.Converged = res.RelChange <= o.Tol
			if o.EarlyStop && res.Converged {
				break
			}
		}
	}
	for _, p := range params {
		for _, v := range p.Value {
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				return res, fmt.Errorf("kale: KALENeural: non-finite weight in %s after %d steps (lower LR): %w", p.Name, res.Iterations, ErrNonFinite)
			}
		}
	}

	res.A = float64(aParam.Value[0])
	ep := append([]float32(nil), net.Forward(xf, n)...)
	eq := net.Forward(yf, m)
	gp, gq := make([]float32, n), make([]float32, m)
	loss, _ := EnergyLoss(ep, eq, res.A, gp, gq)
	res.Value = -loss
	dvLoss, _ := EnergyLoss(ep, eq, OptimalA(eq), gp, gq)
	res.DV = -dvLoss
	res.Witness = NewNeuralWitness(net, res.A)
	if math.IsNaN(res.Value) || math.IsInf(res.Value, 0) {
		return res, fmt.Errorf("kale: KALENeural: final estimate %v (lower LR): %w", res.Value, ErrNonFinite)
	}
	return res, nil
}

func meanOf(v []float64) float64 {
	var s float64
	for _, x := range v {
		s += x
	}
	return s / float64(len(v))
}
