package sampler

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/gebm/gebm/shared/data/toy"
	"github.com/gebm/gebm/shared/kale"
	"github.com/gebm/gebm/shared/model"
)

// FlowConfig configures an MMD gradient flow (NewFlow): particles that move
// towards samples of a 2-D model's toy data set along −∇ of the MMD witness
// (kale.MMDFlow).
type FlowConfig struct {
	// Particles is the number N of moving points, 2..MaxFlowPoints.
	Particles int `json:"particles"`
	// Targets is the number M of data samples they move to, 2..MaxFlowPoints.
	Targets int `json:"targets"`
	// Start is where the particles start: "generator" (x = B(z), the
	// model's generator samples) or "gaussian" (N(0, I) in the model's
	// space).
	Start string `json:"start"`
	// Dataset is the toy data set of the targets; "" takes the model's own
	// (Description.Dataset), which must then be a toy set.
	Dataset string `json:"dataset"`
	// Step, Noise, NoiseDecay and Bandwidth are kale.FlowOptions' γ, β₀, α
	// and σ (0: the median heuristic).
	Step       float64 `json:"step"`
	Noise      float64 `json:"noise"`
	NoiseDecay float64 `json:"noiseDecay"`
	Bandwidth  float64 `json:"bandwidth"`
	// BandwidthFactor, when Bandwidth is 0, scales the median heuristic:
	// σ = BandwidthFactor × kale.MedianBandwidth(particles, targets); 0
	// means 1. A width below the median resolves modes the median's does
	// not (the median distance spans the whole data set).
	BandwidthFactor float64 `json:"bandwidthFactor"`
	// Seed seeds the starting particles, the targets and the noise.
	Seed uint64 `json:"seed"`
}

// FlowState describes a flow after a FlowStep. Its JSON form (the field
// tags) is what the browser's front-end hands out.
type FlowState struct {
	// Steps is the number of steps taken since NewFlow.
	Steps int `json:"steps"`
	// MMD2 is the unbiased MMD² between the particles and the targets at
	// the flow's bandwidth (kale.MMD2Unbiased).
	MMD2 float64 `json:"mmd2"`
	// Noise is the noise level β_n of the next step.
	Noise float64 `json:"noise"`
	// Bandwidth is the kernel's σ.
	Bandwidth float64 `json:"bandwidth"`
}

// MaxFlowPoints is the most particles, and the most targets, of a flow: a
// step costs N(N+M) kernel evaluations.
const MaxFlowPoints = 4096

// flowStream separates the flow's random numbers from the chains'.
const flowStream = 0x666c6f77 // "flow"

// NewFlow starts an MMD flow on the 2-D model m (see FlowConfig) and
// returns its handle; FlowStep moves it, Free closes it. The flow keeps no
// reference to the model: freeing the model leaves it open. The targets are
// drawn from the toy data set and mapped into the model's space
// (Description.Scale, Offset), where the particles and grids live.
func (s *Sampler) NewFlow(m Handle, c FlowConfig) (h Handle, err error) {
	err = s.call("new flow", func() error {
		om, err := s.model(m)
		if err != nil {
			return err
		}
		g := om.g
		if D := g.Dim(); D != 2 {
			return fmt.Errorf("%w: an MMD flow needs a 2-D model, this one has %d dimensions", ErrArgument, D)
		}
		for _, v := range []struct {
			name string
			n    int
		}{{"particles", c.Particles}, {"targets", c.Targets}} {
			if v.n < 2 || v.n > MaxFlowPoints {
				return fmt.Errorf("%w: %s = %d: must be in 2..%d", ErrArgument, v.name, v.n, MaxFlowPoints)
			}
		}
		name := c.Dataset
		if name == "" {
			if name = g.Training.Dataset; name == "" {
				name = g.Data.Name
			}
		}
		set, err := toy.ByName(name)
		if err != nil {
			return fmt.Errorf("%w: the flow's targets: %v", ErrArgument, err)
		}
		if set.Dim() != 2 {
			return fmt.Errorf("%w: data set %s has %d dimensions, the flow needs 2", ErrArgument, name, set.Dim())
		}
		rng := rand.New(rand.NewPCG(c.Seed, flowStream))
		y := make([]float32, 2*c.Targets)
		set.Sample(rng, y)
		for i := range y {
			y[i] = float32(float64(y[i])*g.Data.Scale + g.Data.Offset)
		}
		var x []float32
		switch c.Start {
		case "generator":
			if err := om.checkBatch(c.Particles); err != nil {
				return err
			}
			z := make([]float32, c.Particles*g.Latent())
			model.SampleLatents(rng, z)
			x = g.Generate(z, c.Particles, nil)
		case "gaussian":
			x = make([]float32, 2*c.Particles)
			for i := range x {
				x[i] = float32(rng.NormFloat64())
			}
		default:
			return fmt.Errorf("%w: start %q: want \"generator\" or \"gaussian\"", ErrArgument, c.Start)
		}
		xs, err := kale.SamplesFromFloat32(x, c.Particles, 2)
		if err != nil {
			return fmt.Errorf("%w: %v", ErrInternal, err)
		}
		ys, err := kale.SamplesFromFloat32(y, c.Targets, 2)
		if err != nil {
			return fmt.Errorf("%w: %v", ErrInternal, err)
		}
		if math.IsNaN(c.BandwidthFactor) || math.IsInf(c.BandwidthFactor, 0) || c.BandwidthFactor < 0 {
			return fmt.Errorf("%w: bandwidth factor %v: must be finite and ≥ 0", ErrArgument, c.BandwidthFactor)
		}
		sigma := c.Bandwidth
		if sigma == 0 && c.BandwidthFactor > 0 {
			sigma = c.BandwidthFactor * kale.MedianBandwidth(xs, ys)
		}
		f, err := kale.NewMMDFlow(xs, ys, kale.FlowOptions{Step: c.Step, Bandwidth: sigma, Noise: c.Noise,
			NoiseDecay: c.NoiseDecay, Seed: c.Seed})
		if errors.Is(err, kale.ErrNonFinite) {
			return fmt.Errorf("%w: %v", ErrState, err)
		}
		if err != nil {
			return fmt.Errorf("%w: %v", ErrArgument, err)
		}
		if h, err = s.newHandle(); err != nil {
			return err
		}
		s.flows[h] = f
		return nil
	})
	return h, err
}

func (s *Sampler) flow(h Handle) (*kale.MMDFlow, error) {
	if f, ok := s.flows[h]; ok {
		return f, nil
	}
	return nil, fmt.Errorf("%w: no open flow %d", ErrHandle, h)
}

// FlowStep takes steps (0..MaxSteps) steps of flow f and returns its state;
// 0 steps only measures it. A step that would make a particle non-finite
// fails with ErrState, the particles staying where that step found them.
func (s *Sampler) FlowStep(f Handle, steps int) (st FlowState, err error) {
	err = s.call("flow step", func() error {
		fl, err := s.flow(f)
		if err != nil {
			return err
		}
		if steps < 0 || steps > MaxSteps {
			return fmt.Errorf("%w: steps = %d: must be in 0..%d", ErrArgument, steps, MaxSteps)
		}
		for range steps {
			if err := fl.Step(); err != nil {
				return fmt.Errorf("%w: %v", ErrState, err)
			}
		}
		v, err := fl.MMD2()
		if err != nil {
			return fmt.Errorf("%w: %v", ErrInternal, err)
		}
		st = FlowState{Steps: fl.Steps(), MMD2: v, Noise: fl.NoiseLevel(), Bandwidth: fl.Bandwidth()}
		return nil
	})
	return st, err
}

// FlowParticles writes the particles of flow f (N×2, row-major, float32)
// into dst.
func (s *Sampler) FlowParticles(f Handle, dst []float32) ([]float32, error) {
	return s.flowPoints("flow particles", f, dst, (*kale.MMDFlow).Particles)
}

// FlowTargets writes the targets of flow f (M×2, row-major, float32) into
// dst.
func (s *Sampler) FlowTargets(f Handle, dst []float32) ([]float32, error) {
	return s.flowPoints("flow targets", f, dst, (*kale.MMDFlow).Targets)
}

// flowPoints writes the point set that points picks from flow f into dst
// as float32.
func (s *Sampler) flowPoints(what string, f Handle, dst []float32, points func(*kale.MMDFlow) kale.Samples) (out []float32, err error) {
	err = s.call(what, func() error {
		fl, err := s.flow(f)
		if err != nil {
			return err
		}
		out = toFloat32(dst, points(fl).Data)
		return nil
	})
	return out, err
}

// FlowWitnessGrid evaluates the witness f_n of flow f (kale.MMDFlow: the
// kernel mean of the particles minus that of the targets; low where the
// data need more particles) at the points of g, laid out as EnergyGrid's.
func (s *Sampler) FlowWitnessGrid(f Handle, g Grid, dst []float32) (out []float32, err error) {
	err = s.call("flow witness grid", func() error {
		fl, err := s.flow(f)
		if err != nil {
			return err
		}
		if err := g.check(); err != nil {
			return err
		}
		out = grow(dst, g.Res*g.Res)
		dx := (g.XMax - g.XMin) / float64(g.Res-1)
		dy := (g.YMax - g.YMin) / float64(g.Res-1)
		var p [2]float64
		for k := range out {
			i, j := k%g.Res, k/g.Res
			p[0], p[1] = g.XMin+float64(i)*dx, g.YMin+float64(j)*dy
			out[k] = float32(fl.Witness(p[:]))
		}
		return nil
	})
	return out, err
}

func toFloat32(dst []float32, v []float64) []float32 {
	out := grow(dst, len(v))
	for i, t := range v {
		out[i] = float32(t)
	}
	return out
}
