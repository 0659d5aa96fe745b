package kale

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// eightGaussians returns n points of the mixture of 8 Gaussians (s.d. sd)
// centred evenly on the circle of radius r, the project's 8gaussians shape.
func eightGaussians(rng *rand.Rand, n int, r, sd float64) Samples {
	s := Samples{Data: make([]float64, 2*n), Rows: n, Cols: 2}
	for i := range n {
		th := 2 * math.Pi * float64(rng.IntN(8)) / 8
		s.Data[2*i] = r*math.Cos(th) + sd*rng.NormFloat64()
		s.Data[2*i+1] = r*math.Sin(th) + sd*rng.NormFloat64()
	}
	return s
}

func TestMMDFlowWitnessGradFiniteDifference(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	x := gaussian(rng, 30, []float64{0, 0, 0}, 1)
	y := gaussian(rng, 40, []float64{1, -1, 0.5}, 0.7)
	f, err := NewMMDFlow(x, y, FlowOptions{Step: 1, Bandwidth: 0.9})
	if err != nil {
		t.Fatal(err)
	}
	const h = 1e-6
	for trial := range 5 {
		p := []float64{rng.NormFloat64(), rng.NormFloat64(), rng.NormFloat64()}
		g := f.WitnessGrad(nil, p)
		for k := range p {
			q := slices.Clone(p)
			q[k] += h
			up := f.Witness(q)
			q[k] -= 2 * h
			fd := (up - f.Witness(q)) / (2 * h)
			if math.Abs(fd-g[k]) > 1e-7+1e-5*math.Abs(fd) {
				t.Errorf("point %d coordinate %d: ∇f = %.10g, finite difference %.10g", trial, k, g[k], fd)
			}
		}
	}
}

// flowMMD2 runs steps of the flow and returns MMD²_u before and after.
func flowMMD2(t *testing.T, x, y Samples, o FlowOptions, steps int) (before, after float64) {
	t.Helper()
	f, err := NewMMDFlow(x, y, o)
	if err != nil {
		t.Fatal(err)
	}
	if before, err = f.MMD2(); err != nil {
		t.Fatal(err)
	}
	for range steps {
		if err := f.Step(); err != nil {
			t.Fatal(err)
		}
	}
	if after, err = f.MMD2(); err != nil {
		t.Fatal(err)
	}
	return before, after
}

// A Gaussian cloud at the origin flows to 8gaussians samples: MMD²_u at the
// flow's fixed bandwidth falls by a clear factor, with and without noise.
func TestMMDFlowDecreasesMMD(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	x := gaussian(rng, 200, []float64{0, 0}, 0.5)
	y := eightGaussians(rng, 200, 2, 0.1)
	for _, o := range []FlowOptions{
		{Step: 1, Bandwidth: 0.5},
		{Step: 1, Bandwidth: 0.5, Noise: 0.3, NoiseDecay: 0.5, Seed: 7},
	} {
		before, after := flowMMD2(t, x, y, o, 200)
		t.Logf("%+v: MMD²_u %.5f → %.5f", o, before, after)
		if !(after < before/10) {
			t.Errorf("%+v: MMD²_u %.5f → %.5f after 200 steps, want a fall by more than 10×", o, before, after)
		}
	}
}

func TestMMDFlowDeterministic(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	x := gaussian(rng, 20, []float64{0, 0}, 1)
	y := eightGaussians(rng, 30, 2, 0.1)
	run := func(seed uint64) []float64 {
		f, err := NewMMDFlow(x, y, FlowOptions{Step: 0.5, Noise: 0.2, Seed: seed})
		if err != nil {
			t.Fatal(err)
		}
		for range 10 {
			if err := f.Step(); err != nil {
				t.Fatal(err)
			}
		}
		return slices.Clone(f.Particles().Data)
	}
	a, b, c := run(1), run(1), run(2)
	if !slices.Equal(a, b) {
		t.Error("same seed, different particles")
	}
	if slices.Equal(a, c) {
		t.Error("different seeds, same particles: the noise is not used")
	}
	if x.Data[0] == a[0] {
		t.Error("the flow wrote to, or did not move, the initial particles")
	}
}

func TestMMDFlowNoiseSchedule(t *testing.T) {
	x := Samples{Data: []float64{0, 0}, Rows: 1, Cols: 2}
	f, err := NewMMDFlow(x, x, FlowOptions{Step: 1, Noise: 0.8, NoiseDecay: 0.5, Bandwidth: 1})
	if err != nil {
		t.Fatal(err)
	}
	for n := range 4 {
		if want := 0.8 / math.Sqrt(float64(n+1)); math.Abs(f.NoiseLevel()-want) > 1e-15 {
			t.Errorf("β_%d = %v, want %v", n, f.NoiseLevel(), want)
		}
		if err := f.Step(); err != nil {
			t.Fatal(err)
		}
	}
}

func TestMMDFlowBadInput(t *testing.T) {
	ok := Samples{Data: []float64{0, 0, 1, 1}, Rows: 2, Cols: 2}
	three := Samples{Data: []float64{0, 0, 0}, Rows: 1, Cols: 3}
	nan := Samples{Data: []float64{0, math.NaN()}, Rows: 1, Cols: 2}
	for _, c := range []struct {
		name string
		x, y Samples
		o    FlowOptions
		want error
	}{
		{"γ = 0", ok, ok, FlowOptions{}, ErrOption},
		{"γ < 0", ok, ok, FlowOptions{Step: -1}, ErrOption},
		{"γ = NaN", ok, ok, FlowOptions{Step: math.NaN()}, ErrOption},
		{"σ < 0", ok, ok, FlowOptions{Step: 1, Bandwidth: -1}, ErrOption},
		{"β₀ = Inf", ok, ok, FlowOptions{Step: 1, Noise: math.Inf(1)}, ErrOption},
		{"α < 0", ok, ok, FlowOptions{Step: 1, NoiseDecay: -0.5}, ErrOption},
		{"dims", ok, three, FlowOptions{Step: 1}, ErrDimMismatch},
		{"NaN particle", nan, ok, FlowOptions{Step: 1}, ErrNonFinite},
		{"NaN target", ok, nan, FlowOptions{Step: 1}, ErrNonFinite},
		{"no particles", Samples{Cols: 2}, ok, FlowOptions{Step: 1}, ErrEmpty},
		{"no targets", ok, Samples{Cols: 2}, FlowOptions{Step: 1}, ErrEmpty},
	} {
		if _, err := NewMMDFlow(c.x, c.y, c.o); !errors.Is(err, c.want) {
			t.Errorf("%s: err = %v, want %v", c.name, err, c.want)
		}
	}
}

// Particles that start at one point get the same gradient and move as one
// forever in the plain flow: a local optimum of the particle system far
// from the data. The noise evaluates each particle's gradient at a
// different point, which splits them; after 200 steps MMD² is far lower
// with noise than without. MMD² along both flows is logged.
func TestMMDFlowNoiseSplitsCollapsedParticles(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	x := Samples{Data: make([]float64, 2*100), Rows: 100, Cols: 2} // all at the origin
	y := eightGaussians(rng, 200, 2, 0.1)
	run := func(o FlowOptions) float64 {
		f, err := NewMMDFlow(x, y, o)
		if err != nil {
			t.Fatal(err)
		}
		var trace []float64
		for n := 0; ; n++ {
			if n%50 == 0 {
				v, err := f.MMD2()
				if err != nil {
					t.Fatal(err)
				}
				trace = append(trace, v)
			}
			if n == 200 {
				break
			}
			if err := f.Step(); err != nil {
				t.Fatal(err)
			}
		}
		t.Logf("β₀ = %g, α = %g: MMD²_u at steps 0, 50, ..., 200: %.4f", o.Noise, o.NoiseDecay, trace)
		return trace[len(trace)-1]
	}
	plain := run(FlowOptions{Step: 1, Bandwidth: 0.5})
	noisy := run(FlowOptions{Step: 1, Bandwidth: 0.5, Noise: 0.5, NoiseDecay: 0.5, Seed: 1})
	if !(noisy < plain/4) {
		t.Errorf("collapsed start: MMD²_u after 200 steps %.5f with noise, %.5f without; want the noisy one below a quarter", noisy, plain)
	}
}
