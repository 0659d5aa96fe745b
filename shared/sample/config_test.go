package sample

import (
	"errors"
	"math"
	"testing"
)

func TestParseMethod(t *testing.T) {
	for _, m := range Methods() {
		got, err := ParseMethod(" " + string(m) + " ")
		if err != nil || got != m {
			t.Errorf("ParseMethod(%q) = %q, %v", m, got, err)
		}
	}
	if got, err := ParseMethod("HMC"); err != nil || got != HMC {
		t.Errorf(`ParseMethod("HMC") = %q, %v`, got, err)
	}
	for _, s := range []string{"", "nuts", "hmc2", "m h"} {
		if _, err := ParseMethod(s); err == nil {
			t.Errorf("ParseMethod(%q): no error", s)
		}
	}
}

// TestValidate checks that Validate accepts sensible configurations and rejects absurd
// values with an error wrapping ErrConfig.
func TestValidate(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	good := []Config{
		{Method: ULA, StepSize: 0.1, Steps: 10},
		{Method: MALA, StepSize: 1e-6, Steps: 10, Warmup: 5, TargetAccept: 0.5},
		{Method: HMC, StepSize: 0.1, Leapfrog: 1},
		{Method: HMC, StepSize: 0.1, Leapfrog: 1, Jitter: 0.5},
		{Method: KLA, StepSize: 0.1, Friction: 0},
		{Method: KLA, StepSize: 0.1, Friction: 10, Thin: 5, Keep: true},
		{Method: MH, StepSize: 3},
		{Method: IMH},                             // IMH has no step size
		{Method: IMH, StepSize: nan},              // ... and ignores it
		{Method: ULA, StepSize: 0.1, Leapfrog: 0}, // Leapfrog unused by ULA
	}
	for _, c := range good {
		if err := c.Validate(); err != nil {
			t.Errorf("%+v: %v", c, err)
		}
	}
	bad := []Config{
		{},
		{Method: "nuts", StepSize: 0.1},
		{Method: ULA},
		{Method: ULA, StepSize: -0.1},
		{Method: MALA, StepSize: nan},
		{Method: MH, StepSize: inf},
		{Method: HMC, StepSize: 0.1},
		{Method: HMC, StepSize: 0.1, Leapfrog: -3},
		{Method: ULA, StepSize: 0.1, Leapfrog: -1},
		{Method: HMC, StepSize: 0.1, Leapfrog: 1, Jitter: 1},
		{Method: HMC, StepSize: 0.1, Leapfrog: 1, Jitter: -0.1},
		{Method: HMC, StepSize: 0.1, Leapfrog: 1, Jitter: nan},
		{Method: KLA, StepSize: 0.1, Friction: -1},
		{Method: KLA, StepSize: 0.1, Friction: nan},
		{Method: KLA, StepSize: 0.1, Friction: inf},
		{Method: ULA, StepSize: 0.1, Steps: -1},
		{Method: ULA, StepSize: 0.1, Thin: -1},
		{Method: ULA, StepSize: 0.1, Warmup: -1},
		{Method: MALA, StepSize: 0.1, TargetAccept: 1},
		{Method: MALA, StepSize: 0.1, TargetAccept: -0.5},
		{Method: MALA, StepSize: 0.1, TargetAccept: nan},
	}
	for _, c := range bad {
		err := c.Validate()
		if err == nil {
			t.Errorf("%+v: no error", c)
			continue
		}
		if !errors.Is(err, ErrConfig) {
			t.Errorf("%+v: error %q does not wrap ErrConfig", c, err)
		}
		t.Logf("%v", err)
	}
}

func TestNewChainsErrors(t *testing.T) {
	p := stdNormal(2)
	cases := []struct {
		p  Potential
		z0 []float32
		n  int
	}{
		{nil, []float32{0, 0}, 1},
		{stdNormal(0), nil, 1},
		{p, []float32{0, 0}, 0},
		{p, []float32{0, 0, 0}, 2},
		{p, nil, 2},
		{p, []float32{0, float32(math.NaN())}, 1},
	}
	for _, c := range cases {
		if _, err := NewChains(c.p, c.z0, c.n); err == nil {
			t.Errorf("NewChains(%v, %v, %d): no error", c.p, c.z0, c.n)
		}
	}
	ch, err := NewChains(p, []float32{1, 2, 3, 4, 5, 6}, 3)
	if err != nil {
		t.Fatal(err)
	}
	if ch.N() != 3 || ch.Dim() != 2 || ch.Z()[4] != 5 || ch.U()[1] != 12.5 {
		t.Errorf("NewChains with one start per chain: N %d Dim %d Z %v U %v", ch.N(), ch.Dim(), ch.Z(), ch.U())
	}
	if _, err := ch.Step(Config{Method: MH, StepSize: 0.1}, nil); err == nil {
		t.Error("Step with a nil rng: no error")
	}
	if _, err := ch.Step(Config{Method: HMC, StepSize: 0.1}, nil); !errors.Is(err, ErrConfig) {
		t.Errorf("Step with Leapfrog 0: %v, want ErrConfig", err)
	}
}
