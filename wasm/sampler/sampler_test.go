package sampler_test

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/gebm/gebm/shared/model/modeltest"
	"github.com/gebm/gebm/wasm/sampler"
)

var (
	toyFile   = modeltest.File(modeltest.Toy2D(1))
	imageFile = modeltest.File(modeltest.Image(2))
)

func open(t *testing.T, s *sampler.Sampler, file []byte) sampler.Handle {
	t.Helper()
	m, err := s.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func newChains(t *testing.T, s *sampler.Sampler, m sampler.Handle, n int, seed uint64, beta float64) sampler.Handle {
	t.Helper()
	c, err := s.NewChains(m, n, seed, beta)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// params is a reasonable setting of each method for the test models.
func params(method string, steps int) sampler.StepParams {
	return sampler.StepParams{Method: method, StepSize: 0.05, Leapfrog: 4, Friction: 1, Steps: steps}
}

var methods = []string{"ula", "mala", "hmc", "kla", "mh", "imh"}

// TestDescribe: the description reports the file's sizes and metadata.
func TestDescribe(t *testing.T) {
	s := sampler.New()
	d, err := s.Describe(open(t, s, imageFile))
	if err != nil {
		t.Fatal(err)
	}
	want := sampler.Description{Dim: 64, Shape: []int{8, 8}, Image: &sampler.ImageShape{Channels: 1, Height: 8, Width: 8}, Latent: 8, A: -0.5, Dataset: "tiny-images",
		TrainingSteps: 40, Scale: 2, Offset: -1,
		Params:       (8*32 + 32) + (32*64 + 64) + (64*64 + 64) + (64*64 + 64) + (64*32 + 32) + (32 + 1),
		FLOPsPerStep: 2 * 2 * (8*32 + 32*64 + 64*64 + 64*64 + 64*32 + 32),
		MaxChains:    sampler.MaxBatchFloats / ((8 + 32 + 32 + 64 + 64 + 64 + 64) + (64 + 64 + 64 + 32 + 32 + 1))}
	if !equalDescription(d, want) {
		t.Fatalf("got  %+v\nwant %+v", d, want)
	}
}

func equalDescription(a, b sampler.Description) bool {
	return slices.Equal(a.Shape, b.Shape) && (a.Image == nil) == (b.Image == nil) && (a.Image == nil || *a.Image == *b.Image) && a.Dim == b.Dim && a.Latent == b.Latent && a.A == b.A &&
		a.Dataset == b.Dataset && a.TrainingSteps == b.TrainingSteps && a.Scale == b.Scale &&
		a.Offset == b.Offset && a.Params == b.Params && a.FLOPsPerStep == b.FLOPsPerStep && a.MaxChains == b.MaxChains
}

// TestOpenRejectsBadFiles: truncated, corrupted and random bytes are refused
// with ErrModel, and the sampler keeps working afterwards.
func TestOpenRejectsBadFiles(t *testing.T) {
	s := sampler.New()
	rng := rand.New(rand.NewPCG(3, 3))
	var bad [][]byte
	bad = append(bad, nil, []byte{}, []byte("GEBM"))
	for _, n := range []int{1, 8, 15, 16, 100, len(toyFile) / 2, len(toyFile) - 5, len(toyFile) - 1} {
		bad = append(bad, toyFile[:n])
	}
	for range 20 {
		b := slices.Clone(toyFile)
		b[rng.IntN(len(b))] ^= byte(1 + rng.IntN(255))
		bad = append(bad, b)
	}
	for range 20 {
		b := make([]byte, rng.IntN(2*len(toyFile)))
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		if rng.IntN(2) == 0 && len(b) > 8 {
			copy(b, "GEBM\x89\r\n\x1a\x01\x00\x00\x00") // a valid magic and version, then noise
		}
		bad = append(bad, b)
	}
	for i, b := range bad {
		if _, err := s.Open(b); !errors.Is(err, sampler.ErrModel) {
			t.Fatalf("bad file %d (%d bytes): err = %v, want ErrModel", i, len(b), err)
		}
	}
	if m, c := s.Count(); m != 0 || c != 0 {
		t.Fatalf("after refused files: %d models, %d chain sets open", m, c)
	}
	c := newChains(t, s, open(t, s, toyFile), 4, 1, 1)
	if _, err := s.Step(c, params("mala", 3)); err != nil {
		t.Fatal(err)
	}
}

// TestDeterministic: for every method, the same seed and calls give the
// same latents, samples, energies and acceptance, bit for bit, in two
// independent samplers; another seed gives other latents.
func TestDeterministic(t *testing.T) {
	run := func(method string, seed uint64) ([]float32, []float32, []float32, []float64, float64) {
		s := sampler.New()
		c := newChains(t, s, open(t, s, imageFile), 5, seed, 1)
		acc, err := s.Step(c, params(method, 6))
		if err != nil {
			t.Fatal(err)
		}
		z, _ := s.Latents(c, nil)
		x, _ := s.Samples(c, nil)
		e, _ := s.Energies(c, nil)
		a, _ := s.Accept(c, nil)
		return z, x, e, a, acc
	}
	for _, m := range methods {
		z1, x1, e1, a1, acc1 := run(m, 7)
		z2, x2, e2, a2, acc2 := run(m, 7)
		if !slices.Equal(z1, z2) || !slices.Equal(x1, x2) || !slices.Equal(e1, e2) || !slices.Equal(a1, a2) || acc1 != acc2 {
			t.Fatalf("%s: two runs with the same seed differ", m)
		}
		if z3, _, _, _, _ := run(m, 8); slices.Equal(z1, z3) {
			t.Fatalf("%s: seeds 7 and 8 give the same latents", m)
		}
		if !(acc1 >= 0 && acc1 <= 1) {
			t.Fatalf("%s: mean acceptance %v", m, acc1)
		}
		for _, r := range a1 {
			if !(r >= 0 && r <= 1) {
				t.Fatalf("%s: acceptance rate %v", m, r)
			}
		}
	}
}

// TestGenerateIsChainStart: Generate(m, n, seed) returns the samples of
// NewChains(m, n, seed, β) before any step, and Samples and Energies agree
// with the model evaluated directly.
func TestGenerateIsChainStart(t *testing.T) {
	s := sampler.New()
	m := open(t, s, imageFile)
	c := newChains(t, s, m, 6, 42, 2)
	gen, err := s.Generate(m, 6, 42, nil)
	if err != nil {
		t.Fatal(err)
	}
	x, _ := s.Samples(c, nil)
	if !slices.Equal(gen, x) {
		t.Fatal("Generate differs from the chains' starting samples")
	}
	z, _ := s.Latents(c, nil)
	g := modeltest.Image(2)
	want := g.Generate(z, 6, nil)
	if !slices.Equal(want, x) {
		t.Fatal("Samples differs from the model's generator")
	}
	e, _ := s.Energies(c, nil)
	if wantE := g.Energies(want, 6, nil); !slices.Equal(wantE, e) {
		t.Fatalf("Energies %v, model %v", e, wantE)
	}
}

// TestEnergyGrid: grid values are the model's energies at the grid points,
// rows running up in y; a model that is not 2-D is refused.
func TestEnergyGrid(t *testing.T) {
	s := sampler.New()
	m := open(t, s, toyFile)
	grid := sampler.Grid{XMin: -2, XMax: 2, YMin: -1, YMax: 3, Res: 5}
	got, err := s.EnergyGrid(m, grid, nil)
	if err != nil {
		t.Fatal(err)
	}
	g := modeltest.Toy2D(1)
	for j := range 5 {
		for i := range 5 {
			x := []float32{float32(-2 + i), float32(-1 + j)}
			if want := g.Energies(x, 1, nil)[0]; got[j*5+i] != want {
				t.Fatalf("E(%v) = %v, grid has %v", x, want, got[j*5+i])
			}
		}
	}
	// A grid larger than one evaluation batch gives the same values.
	big, err := s.EnergyGrid(m, sampler.Grid{XMin: -2, XMax: 2, YMin: -1, YMax: 3, Res: 81}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if big[0] != got[0] || big[81*81-1] != got[24] || big[40*81+20] != got[2*5+1] {
		t.Fatal("a 81×81 grid disagrees with the 5×5 grid at shared points")
	}
	if _, err := s.EnergyGrid(open(t, s, imageFile), grid, nil); !errors.Is(err, sampler.ErrArgument) || !strings.Contains(err.Error(), "2-D") {
		t.Fatalf("grid of a 64-D model: %v", err)
	}
}

// TestSetBeta: at β = 0 the target is N(0, I), which IMH proposes, so every
// IMH move is accepted; β must be finite and non-negative.
func TestSetBeta(t *testing.T) {
	s := sampler.New()
	c := newChains(t, s, open(t, s, imageFile), 8, 1, 1)
	if err := s.SetBeta(c, 0); err != nil {
		t.Fatal(err)
	}
	acc, err := s.Step(c, params("imh", 5))
	if err != nil {
		t.Fatal(err)
	}
	if acc != 1 {
		t.Fatalf("IMH at β = 0 accepted with probability %v, want 1", acc)
	}
	for _, b := range []float64{-1, math.NaN(), math.Inf(1), 2e6} {
		if err := s.SetBeta(c, b); !errors.Is(err, sampler.ErrArgument) {
			t.Fatalf("SetBeta(%v): %v", b, err)
		}
	}
}

// TestSetLatents: chains moved to given latents report them back, for one
// point shared by all chains or one per chain.
func TestSetLatents(t *testing.T) {
	s := sampler.New()
	c := newChains(t, s, open(t, s, toyFile), 3, 1, 1)
	one := []float32{0.5, -1, 2, 0}
	if err := s.SetLatents(c, one); err != nil {
		t.Fatal(err)
	}
	z, _ := s.Latents(c, nil)
	if !slices.Equal(z, slices.Concat(one, one, one)) {
		t.Fatalf("latents %v", z)
	}
	each := []float32{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}
	if err := s.SetLatents(c, each); err != nil {
		t.Fatal(err)
	}
	if z, _ = s.Latents(c, z); !slices.Equal(z, each) {
		t.Fatalf("latents %v", z)
	}
	for _, bad := range [][]float32{nil, {1, 2, 3}, {0, 0, float32(math.NaN()), 0}, {float32(math.Inf(1)), 0, 0, 0}} {
		if err := s.SetLatents(c, bad); !errors.Is(err, sampler.ErrArgument) {
			t.Fatalf("SetLatents(%v): %v", bad, err)
		}
	}
}

// TestFree: freeing a model frees its chain sets; freed handles stay
// invalid and are not reused; the two kinds of handle are not confused.
func TestFree(t *testing.T) {
	s := sampler.New()
	m1, m2 := open(t, s, toyFile), open(t, s, toyFile)
	c1, c2 := newChains(t, s, m1, 2, 1, 1), newChains(t, s, m1, 2, 2, 1)
	c3 := newChains(t, s, m2, 2, 3, 1)
	if _, err := s.Describe(c1); !errors.Is(err, sampler.ErrHandle) || !strings.Contains(err.Error(), "chain set, not a model") {
		t.Fatalf("Describe(chain set): %v", err)
	}
	if _, err := s.Step(m1, params("ula", 1)); !errors.Is(err, sampler.ErrHandle) || !strings.Contains(err.Error(), "model, not a chain set") {
		t.Fatalf("Step(model): %v", err)
	}
	if err := s.Free(c2); err != nil {
		t.Fatal(err)
	}
	if err := s.Free(c2); !errors.Is(err, sampler.ErrHandle) {
		t.Fatalf("second Free: %v", err)
	}
	if err := s.Free(m1); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Latents(c1, nil); !errors.Is(err, sampler.ErrHandle) {
		t.Fatalf("chains of a freed model: %v", err)
	}
	if m, c := s.Count(); m != 1 || c != 1 {
		t.Fatalf("%d models and %d chain sets open, want 1 and 1", m, c)
	}
	if _, err := s.Step(c3, params("mh", 2)); err != nil {
		t.Fatal(err)
	}
	if m3 := open(t, s, toyFile); m3 <= c3 {
		t.Fatalf("handle %d reused", m3)
	}
}

// TestValidation: every argument out of range is an error that wraps the
// right kind and names the argument.
func TestValidation(t *testing.T) {
	s := sampler.New()
	m := open(t, s, toyFile)
	mm := open(t, s, modeltest.File(modeltest.MNIST(1)))
	c := newChains(t, s, m, 2, 1, 1)
	nan := math.NaN()
	check := func(name string, err, kind error, fragment string) {
		t.Helper()
		if !errors.Is(err, kind) || !strings.Contains(err.Error(), fragment) {
			t.Errorf("%s: error %v, want %v mentioning %q", name, err, kind, fragment)
		}
	}
	step := func(p sampler.StepParams) error { _, err := s.Step(c, p); return err }
	newc := func(m sampler.Handle, n int, beta float64) error { _, err := s.NewChains(m, n, 1, beta); return err }
	for _, tc := range []struct {
		name     string
		err      error
		kind     error
		fragment string
	}{
		{"unknown model", newc(99, 2, 1), sampler.ErrHandle, "no open model 99"},
		{"unknown chains", step2(s, 99, params("ula", 1)), sampler.ErrHandle, "no open chain set 99"},
		{"n = 0", newc(m, 0, 1), sampler.ErrArgument, "n = 0"},
		{"n too large", newc(m, sampler.MaxChains+1, 1), sampler.ErrArgument, "n = 65537"},
		{"n too large for the model", newc(mm, 5000, 1), sampler.ErrArgument, "at most"},
		{"NaN beta", newc(m, 2, nan), sampler.ErrArgument, "beta NaN"},
		{"negative beta", newc(m, 2, -1), sampler.ErrArgument, "beta -1"},
		{"unknown method", step(sampler.StepParams{Method: "gibbs", StepSize: 0.1, Steps: 1}), sampler.ErrArgument, `method "gibbs"`},
		{"NaN step size", step(sampler.StepParams{Method: "mala", StepSize: nan, Steps: 1}), sampler.ErrArgument, "step size NaN"},
		{"zero step size", step(sampler.StepParams{Method: "ula", StepSize: 0, Steps: 1}), sampler.ErrArgument, "step size 0"},
		{"infinite step size", step(sampler.StepParams{Method: "mh", StepSize: math.Inf(1), Steps: 1}), sampler.ErrArgument, "step size +Inf"},
		{"no leapfrog", step(sampler.StepParams{Method: "hmc", StepSize: 0.1, Steps: 1}), sampler.ErrArgument, "leapfrog = 0"},
		{"too many leapfrog", step(sampler.StepParams{Method: "hmc", StepSize: 0.1, Leapfrog: 5000, Steps: 1}), sampler.ErrArgument, "leapfrog = 5000"},
		{"NaN friction", step(sampler.StepParams{Method: "kla", StepSize: 0.1, Friction: nan, Steps: 1}), sampler.ErrArgument, "friction NaN"},
		{"zero steps", step(sampler.StepParams{Method: "ula", StepSize: 0.1}), sampler.ErrArgument, "steps = 0"},
		{"too many steps", step(sampler.StepParams{Method: "ula", StepSize: 0.1, Steps: sampler.MaxSteps + 1}), sampler.ErrArgument, "steps = "},
		{"grid NaN", grid(s, m, sampler.Grid{XMin: nan, XMax: 1, YMin: 0, YMax: 1, Res: 3}), sampler.ErrArgument, "xmin NaN"},
		{"grid empty", grid(s, m, sampler.Grid{XMin: 1, XMax: 1, YMin: 0, YMax: 1, Res: 3}), sampler.ErrArgument, "xmin < xmax"},
		{"grid res", grid(s, m, sampler.Grid{XMin: 0, XMax: 1, YMin: 0, YMax: 1, Res: 1}), sampler.ErrArgument, "resolution 1"},
		{"generate n", generate(s, m, -3), sampler.ErrArgument, "n = -3"},
	} {
		check(tc.name, tc.err, tc.kind, tc.fragment)
	}
	// IMH ignores the step size, HMC alone needs leapfrog steps.
	if _, err := s.Step(c, sampler.StepParams{Method: "imh", StepSize: nan, Steps: 1}); err != nil {
		t.Errorf("imh with a NaN step size: %v", err)
	}
	if _, err := s.Step(c, sampler.StepParams{Method: " MALA ", StepSize: 0.1, Leapfrog: -4, Friction: nan, Steps: 1}); err != nil {
		t.Errorf("mala with unused bad leapfrog and friction: %v", err)
	}
}

func step2(s *sampler.Sampler, c sampler.Handle, p sampler.StepParams) error {
	_, err := s.Step(c, p)
	return err
}

func grid(s *sampler.Sampler, m sampler.Handle, g sampler.Grid) error {
	_, err := s.EnergyGrid(m, g, nil)
	return err
}

func generate(s *sampler.Sampler, m sampler.Handle, n int) error {
	_, err := s.Generate(m, n, 1, nil)
	return err
}

// TestDestinationReused: a destination with room is filled in place.
func TestDestinationReused(t *testing.T) {
	s := sampler.New()
	c := newChains(t, s, open(t, s, toyFile), 3, 1, 1)
	buf := make([]float32, 100)
	z, _ := s.Latents(c, buf)
	x, _ := s.Samples(c, buf[20:])
	if &z[0] != &buf[0] || len(z) != 12 || &x[0] != &buf[20] || len(x) != 6 {
		t.Fatal("destination not reused")
	}
}
