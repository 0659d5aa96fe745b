package wasihost

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/gebm/gebm/shared/model/modeltest"
	"github.com/gebm/gebm/wasm/sampler"
)

// TestTrapBeforeInitialize: an export called before _initialize traps (the
// Go runtime is not running); the trapped instance refuses every later call
// with the same error, and a fresh instance works.
func TestTrapBeforeInitialize(t *testing.T) {
	ctx := context.Background()
	bad, err := module.instantiate(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	defer bad.Close()
	file := modeltest.File(modeltest.Toy2D(1))
	_, err = bad.Open(file)
	var te *TrapError
	if !errors.As(err, &te) || !errors.Is(err, ErrTrapped) {
		t.Fatalf("call before _initialize: %v, want a trap", err)
	}
	t.Logf("trap: %v", te.Err)
	if _, err := bad.Describe(1); !errors.Is(err, ErrTrapped) {
		t.Fatalf("call after the trap: %v", err)
	}
	checkFresh(t, file)
}

// TestTrapOutOfMemory: an instance whose memory is capped at 32 MiB runs out
// of memory generating 60,000 samples of a toy model (Generate runs the base
// on all of them at once: about 63 MB of activations, within the sampler's
// own limits); the Go runtime aborts, which traps. A new instance of the
// same compiled module works. (Chains evaluate their potential
// model.EvalBlock at a time, so 60,000 of them fit in 32 MiB.)
func TestTrapOutOfMemory(t *testing.T) {
	ctx := context.Background()
	small, err := Compile(ctx, moduleBytes, Config{MemoryLimitPages: 512})
	if err != nil {
		t.Fatal(err)
	}
	defer small.Close(ctx)
	in, err := small.Instantiate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	file := modeltest.File(modeltest.Toy2D(1))
	m, err := in.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	_, err = in.Generate(m, 60000, 1)
	var te *TrapError
	if !errors.As(err, &te) {
		t.Fatalf("60,000 samples in 32 MiB: %v, want a trap", err)
	}
	if !strings.Contains(te.Stderr, "out of memory") {
		t.Errorf("module stderr does not say out of memory:\n%s", te.Stderr)
	}
	t.Logf("trap: %v; module stderr starts %q", te.Err, firstLine(te.Stderr))
	if _, err := in.NewChains(1, 1, 1, 1); !errors.Is(err, ErrTrapped) {
		t.Fatalf("call after the trap: %v", err)
	}
	fresh, err := small.Instantiate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer fresh.Close()
	m, err = fresh.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	c, err := fresh.NewChains(m, 8, 1, 1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fresh.Step(c, sampler.StepParams{Method: "mala", StepSize: 0.05, Steps: 10}); err != nil {
		t.Fatal(err)
	}
}

// checkFresh shows that a new instance of the shared module samples as the
// native sampler does.
func checkFresh(t *testing.T, file []byte) {
	t.Helper()
	in := instance(t)
	s := sampler.New()
	p := sampler.StepParams{Method: "hmc", StepSize: 0.05, Leapfrog: 4, Steps: 10}
	mw, err := in.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	cw, err := in.NewChains(mw, 4, 2, 1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := in.Step(cw, p); err != nil {
		t.Fatal(err)
	}
	ms, _ := s.Open(file)
	cs, _ := s.NewChains(ms, 4, 2, 1)
	s.Step(cs, p)
	zw, _ := in.Latents(cw)
	zs, _ := s.Latents(cs, nil)
	if d := maxDiff(zw, zs); !(d <= tolerance) {
		t.Fatalf("fresh instance: latents differ from native by %g", d)
	}
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}
