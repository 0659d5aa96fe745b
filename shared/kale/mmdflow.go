package kale

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// FlowOptions configures an [MMDFlow].
type FlowOptions struct {
	// Step is the step size γ > 0 of the update.
	Step float64
	// Bandwidth is the Gaussian kernel's σ; 0 selects MedianBandwidth of the
	// initial particles and the targets, computed once in NewMMDFlow and
	// kept for the whole flow (so the objective does not move under it).
	Bandwidth float64
	// Noise is β₀ ≥ 0, the initial noise level; 0 is the plain (noise-free)
	// flow.
	Noise float64
	// NoiseDecay is α ≥ 0 in the schedule β_n = β₀/(n+1)^α. The paper's
	// convergence result for the noisy flow (Arbel et al. 2019, Prop. 8)
	// needs Σ_n β_n² = ∞, which this schedule meets for α ≤ 1/2; its second
	// condition (β_n small next to the current MMD) is not checked here.
	// α = 0 keeps the noise constant.
	NoiseDecay float64
	// Seed seeds the noise U_n (PCG); the same seed gives the same flow.
	Seed uint64
}

// MMDFlow moves a set of particles X (N points in R^d) towards target
// samples Y (M points) along the gradient flow of ½MMD² (Arbel, Korba,
// Salim & Gretton, "Maximum Mean Discrepancy Gradient Flow", NeurIPS 2019),
// discretised with noise injection:
//
//	X_{n+1,i} = X_{n,i} − γ ∇f_n(X_{n,i} + β_n U_{n,i}),   U_{n,i} ~ N(0, I),
//
// where f_n is the (unnormalised) MMD witness between the current particles
// and the targets, with the Gaussian kernel k(a,b) = exp(−‖a−b‖²/(2σ²)):
//
//	f_n(x) = (1/N) Σ_i k(x, X_{n,i}) − (1/M) Σ_j k(x, Y_j),
//	∇f_n(x) = −(1/σ²) [ (1/N) Σ_i k(x, X_{n,i}) (x − X_{n,i}) − (1/M) Σ_j k(x, Y_j) (x − Y_j) ].
//
// With β_n = 0 this is gradient descent on ½MMD²_b(X, Y) in the particles
// (scaled by N). The noise evaluates the gradient at perturbed positions,
// which smooths f_n and lets particles escape the local optima the plain
// flow can stall in. One step costs O(N(N+M)d). The particles are the
// flow's own copy; the targets are read, never written.
type MMDFlow struct {
	x, y  Samples
	sigma float64
	opts  FlowOptions
	n     int
	rng   *rand.Rand
	next  []float64 // the next particles, swapped with x.Data each step
	buf   []float64 // the perturbed point
	grad  []float64 // ∇f_n there
}

// NewMMDFlow starts a flow from the particles x0 (copied) towards the
// targets y (kept, not copied). It checks that both sets are non-empty,
// finite and of the same dimension, and the options.
func NewMMDFlow(x0, y Samples, o FlowOptions) (*MMDFlow, error) {
	if !(o.Step > 0) || math.IsInf(o.Step, 0) {
		return nil, fmt.Errorf("kale: MMD flow step size γ = %v, want a finite value > 0: %w", o.Step, ErrOption)
	}
	for _, p := range []struct {
		name string
		v    float64
	}{{"bandwidth σ", o.Bandwidth}, {"noise β₀", o.Noise}, {"noise decay α", o.NoiseDecay}} {
		if math.IsNaN(p.v) || math.IsInf(p.v, 0) || p.v < 0 {
			return nil, fmt.Errorf("kale: MMD flow %s = %v, want a finite value ≥ 0: %w", p.name, p.v, ErrOption)
		}
	}
	if err := checkPair(x0, y); err != nil {
		return nil, err
	}
	sigma := o.Bandwidth
	if sigma == 0 {
		sigma = MedianBandwidth(x0, y)
	}
	x := Samples{Data: append([]float64(nil), x0.Data...), Rows: x0.Rows, Cols: x0.Cols}
	return &MMDFlow{
		x: x, y: y, sigma: sigma, opts: o,
		rng:  rand.New(rand.NewPCG(o.Seed, 0x6d6d64666c6f77)), // "mmdflow"
		next: make([]float64, len(x.Data)),
		buf:  make([]float64, x.Cols),
		grad: make([]float64, x.Cols),
	}, nil
}

// Particles returns the current particles. The slice is the flow's own and
// changes on the next Step; copy it to keep it.
func (f *MMDFlow) Particles() Samples { return f.x }

// Targets returns the target samples Y.
func (f *MMDFlow) Targets() Samples { return f.y }

// Bandwidth returns the kernel bandwidth σ in use.
func (f *MMDFlow) Bandwidth() float64 { return f.sigma }

// Steps returns the number of steps taken.
func (f *MMDFlow) Steps() int { return f.n }

// NoiseLevel returns β_n = β₀/(n+1)^α for the next step n = Steps().
func (f *MMDFlow) NoiseLevel() float64 {
	if f.opts.Noise == 0 {
		return 0
	}
	return f.opts.Noise / math.Pow(float64(f.n+1), f.opts.NoiseDecay)
}

// Witness returns f_n(x), the witness of the current particles against the
// targets (see [MMDFlow]). x must have the particles' dimension.
func (f *MMDFlow) Witness(x []float64) float64 {
	c := -1 / (2 * f.sigma * f.sigma)
	var sx, sy float64
	for i := range f.x.Rows {
		sx += math.Exp(c * sqDist(x, f.x.Row(i)))
	}
	for j := range f.y.Rows {
		sy += math.Exp(c * sqDist(x, f.y.Row(j)))
	}
	return sx/float64(f.x.Rows) - sy/float64(f.y.Rows)
}

// WitnessBatch returns f_n at every row of pts in dst (allocated when too
// short); pts must have the particles' dimension.
func (f *MMDFlow) WitnessBatch(dst []float64, pts Samples) []float64 {
	dst = batchDst(dst, pts, f.x.Cols)
	for i := range pts.Rows {
		dst[i] = f.Witness(pts.Row(i))
	}
	return dst
}

// WitnessGrad writes ∇f_n(x) into dst (allocated when too short) and
// returns it.
func (f *MMDFlow) WitnessGrad(dst, x []float64) []float64 {
	d := f.x.Cols
	if len(dst) < d {
		dst = make([]float64, d)
	}
	dst = dst[:d]
	clear(dst)
	c := -1 / (2 * f.sigma * f.sigma)
	accumulate := func(s Samples, w float64) {
		for i := range s.Rows {
			r := s.Row(i)
			k := w * math.Exp(c*sqDist(x, r))
			for t := range dst {
				dst[t] += k * (x[t] - r[t])
			}
		}
	}
	accumulate(f.x, 1/float64(f.x.Rows))
	accumulate(f.y, -1/float64(f.y.Rows))
	s := -1 / (f.sigma * f.sigma)
	for t := range dst {
		dst[t] *= s
	}
	return dst
}

// Step takes one step of the noisy flow (all particles move at once, the
// witness is that of the particles before the step). It fails, leaving the
// particles as they were, if a particle would become non-finite.
func (f *MMDFlow) Step() error {
	beta := f.NoiseLevel()
	d := f.x.Cols
	g := f.grad
	for i := range f.x.Rows {
		xi := f.x.Row(i)
		p := f.buf
		copy(p, xi)
		if beta > 0 {
			for t := range p {
				p[t] += beta * f.rng.NormFloat64()
			}
		}
		g = f.WitnessGrad(g, p)
		out := f.next[i*d : (i+1)*d]
		for t := range out {
			out[t] = xi[t] - f.opts.Step*g[t]
			if math.IsNaN(out[t]) || math.IsInf(out[t], 0) {
				return fmt.Errorf("kale: MMD flow step %d: particle %d became %v: %w", f.n, i, out[t], ErrNonFinite)
			}
		}
	}
	f.x.Data, f.next = f.next, f.x.Data
	f.n++
	return nil
}

// MMD2 returns the unbiased estimate MMD²_u (see [MMD2Unbiased]) between the
// current particles and the targets at the flow's bandwidth.
func (f *MMDFlow) MMD2() (float64, error) {
	return MMD2Unbiased(f.x, f.y, f.sigma)
}
