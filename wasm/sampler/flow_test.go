package sampler_test

import (
	"errors"
	"math"
	"slices"
	"testing"

	"github.com/gebm/gebm/wasm/sampler"
)

var flowConfig = sampler.FlowConfig{Particles: 150, Targets: 150, Start: "generator", Step: 1, Noise: 0.2, NoiseDecay: 0.5, Bandwidth: 0.5, Seed: 3}

// TestFlowMMDFalls: from the (untrained) generator's samples and from a
// Gaussian, 100 flow steps towards the model's 8gaussians data cut MMD² by
// more than 5×; the witness grid is the kernel mean difference at its
// points; the same seed gives the same particles.
func TestFlowMMDFalls(t *testing.T) {
	s := sampler.New()
	m := open(t, s, toyFile)
	for _, start := range []string{"generator", "gaussian"} {
		c := flowConfig
		c.Start = start
		f, err := s.NewFlow(m, c)
		if err != nil {
			t.Fatal(err)
		}
		st0, err := s.FlowStep(f, 0)
		if err != nil {
			t.Fatal(err)
		}
		st, err := s.FlowStep(f, 100)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: MMD² %.5f → %.5f after %d steps (σ = %g, β_n = %.4f)", start, st0.MMD2, st.MMD2, st.Steps, st.Bandwidth, st.Noise)
		if st.Steps != 100 || !(st.MMD2 < st0.MMD2/5) || st.Bandwidth != 0.5 || math.Abs(st.Noise-0.2/math.Sqrt(101)) > 1e-12 {
			t.Errorf("%s: %+v → %+v", start, st0, st)
		}
		x, err := s.FlowParticles(f, nil)
		if err != nil {
			t.Fatal(err)
		}
		y, err := s.FlowTargets(f, nil)
		if err != nil {
			t.Fatal(err)
		}
		w, err := s.FlowWitnessGrid(f, sampler.Grid{XMin: -1, XMax: 1, YMin: -2, YMax: 2, Res: 3}, nil)
		if err != nil {
			t.Fatal(err)
		}
		k := func(p []float32, a, b float64) float64 {
			var s float64
			for i := 0; i < len(p); i += 2 {
				dx, dy := float64(p[i])-a, float64(p[i+1])-b
				s += math.Exp(-(dx*dx + dy*dy) / (2 * 0.5 * 0.5))
			}
			return s / float64(len(p)/2)
		}
		// Grid point (i, j) = (−1 + i, −2 + 2j); index j·3 + i.
		for _, ij := range [][2]int{{0, 0}, {2, 1}, {1, 2}} {
			a, b := -1+float64(ij[0]), -2+2*float64(ij[1])
			want := k(x, a, b) - k(y, a, b)
			if got := float64(w[ij[1]*3+ij[0]]); math.Abs(got-want) > 1e-5 {
				t.Errorf("%s: witness at (%g, %g) = %g, want %g", start, a, b, got, want)
			}
		}
		if err := s.Free(f); err != nil {
			t.Fatal(err)
		}
		if _, err := s.FlowStep(f, 1); !errors.Is(err, sampler.ErrHandle) {
			t.Errorf("step of a freed flow: %v", err)
		}
	}
	run := func() []float32 {
		f, err := s.NewFlow(m, flowConfig)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.FlowStep(f, 5); err != nil {
			t.Fatal(err)
		}
		x, _ := s.FlowParticles(f, nil)
		return x
	}
	if a, b := run(), run(); !slices.Equal(a, b) {
		t.Error("same seed, different particles")
	}
	// A bandwidth factor scales the median heuristic.
	c := flowConfig
	c.Bandwidth = 0
	f1, err := s.NewFlow(m, c)
	if err != nil {
		t.Fatal(err)
	}
	c.BandwidthFactor = 0.25
	f2, err := s.NewFlow(m, c)
	if err != nil {
		t.Fatal(err)
	}
	st1, _ := s.FlowStep(f1, 0)
	st2, _ := s.FlowStep(f2, 0)
	if math.Abs(st2.Bandwidth-0.25*st1.Bandwidth) > 1e-12*st1.Bandwidth || !(st1.Bandwidth > 0) {
		t.Errorf("bandwidth factor 0.25: σ = %g, median heuristic %g", st2.Bandwidth, st1.Bandwidth)
	}
}

func TestFlowBadArguments(t *testing.T) {
	s := sampler.New()
	m := open(t, s, toyFile)
	img := open(t, s, imageFile)
	for name, c := range map[string]struct {
		m    sampler.Handle
		edit func(*sampler.FlowConfig)
		want error
	}{
		"image model":  {img, func(*sampler.FlowConfig) {}, sampler.ErrArgument},
		"one particle": {m, func(c *sampler.FlowConfig) { c.Particles = 1 }, sampler.ErrArgument},
		"too many":     {m, func(c *sampler.FlowConfig) { c.Targets = sampler.MaxFlowPoints + 1 }, sampler.ErrArgument},
		"start":        {m, func(c *sampler.FlowConfig) { c.Start = "uniform" }, sampler.ErrArgument},
		"dataset":      {m, func(c *sampler.FlowConfig) { c.Dataset = "mnist" }, sampler.ErrArgument},
		"step 0":       {m, func(c *sampler.FlowConfig) { c.Step = 0 }, sampler.ErrArgument},
		"noise NaN":    {m, func(c *sampler.FlowConfig) { c.Noise = math.NaN() }, sampler.ErrArgument},
		"factor < 0":   {m, func(c *sampler.FlowConfig) { c.BandwidthFactor = -1 }, sampler.ErrArgument},
		"not a model":  {99, func(*sampler.FlowConfig) {}, sampler.ErrHandle},
	} {
		cfg := flowConfig
		c.edit(&cfg)
		if _, err := s.NewFlow(c.m, cfg); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", name, err, c.want)
		}
	}
	f, err := s.NewFlow(m, flowConfig)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.FlowStep(f, -1); !errors.Is(err, sampler.ErrArgument) {
		t.Errorf("−1 steps: %v", err)
	}
	if _, err := s.FlowWitnessGrid(f, sampler.Grid{XMin: 1, XMax: 0, YMin: 0, YMax: 1, Res: 4}, nil); !errors.Is(err, sampler.ErrArgument) {
		t.Errorf("empty grid: %v", err)
	}
	if _, err := s.FlowStep(m, 1); !errors.Is(err, sampler.ErrHandle) {
		t.Errorf("a model as a flow: %v", err)
	}
}
