package sampler_test

import (
	"errors"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/gebm/gebm/shared/model/modeltest"
	"github.com/gebm/gebm/wasm/sampler"
)

// TestSIR: at β = 0 the weights are equal (ESS = the pool, exactly, and
// every chain takes a different pool latent); at β > 0 the ESS is below the
// pool; every draw moves the chains, and Samples and Energies are those of
// the new latents. Two samplers given the same seed and calls agree bit for
// bit.
func TestSIR(t *testing.T) {
	run := func() ([][]float32, []sampler.SIRResult) {
		s := sampler.New()
		m := open(t, s, imageFile)
		c := newChains(t, s, m, 12, 5, 0)
		var zs [][]float32
		var rs []sampler.SIRResult
		z, _ := s.Latents(c, nil)
		zs = append(zs, z)
		for _, beta := range []float64{0, 0, 1, 50} {
			if err := s.SetBeta(c, beta); err != nil {
				t.Fatal(err)
			}
			r, err := s.SIR(c, 10)
			if err != nil {
				t.Fatal(err)
			}
			z, _ := s.Latents(c, nil)
			zs, rs = append(zs, z), append(rs, r)
			x, _ := s.Samples(c, nil)
			e, _ := s.Energies(c, nil)
			g := modeltest.Image(2)
			if want := g.Generate(z, 12, nil); !slices.Equal(x, want) {
				t.Fatal("Samples after SIR are not B of the latents")
			} else if we := g.Energies(want, 12, nil); !slices.Equal(e, we) {
				t.Fatal("Energies after SIR are not E(B(z)) of the latents")
			}
		}
		return zs, rs
	}
	zs, rs := run()
	for i, r := range rs {
		if r.Pool != 120 || r.Zero != 0 || !(r.ESS >= 1 && r.ESS <= 120) || r.Distinct < 1 || r.Distinct > 12 ||
			math.Abs(math.Exp(2*r.LogSumW-r.LogSumW2)-r.ESS) > 1e-9*r.ESS {
			t.Errorf("draw %d: %+v", i, r)
		}
		if slices.Equal(zs[i], zs[i+1]) {
			t.Errorf("draw %d left the latents unchanged", i)
		}
	}
	if rs[0].ESS != 120 || rs[0].Distinct != 12 || rs[1].ESS != 120 || !(rs[2].ESS < 120) || !(rs[3].ESS < rs[2].ESS) {
		t.Errorf("ESS at β = 0, 0, 1, 50: %v, %v, %v, %v; want 120, 120, below 120, lower still", rs[0].ESS, rs[1].ESS, rs[2].ESS, rs[3].ESS)
	}
	zs2, rs2 := run()
	if !slices.Equal(rs, rs2) {
		t.Fatalf("same seed and calls, different results: %+v and %+v", rs, rs2)
	}
	for i := range zs {
		if !slices.Equal(zs[i], zs2[i]) {
			t.Fatalf("same seed and calls, different latents after draw %d", i)
		}
	}
}

// TestSIRBadArguments: a pool out of range, a pool too large in all, and
// handles that name no chain set are errors of their kind; the set keeps
// working.
func TestSIRBadArguments(t *testing.T) {
	s := sampler.New()
	m := open(t, s, toyFile)
	c := newChains(t, s, m, 5000, 1, 1)
	for _, tc := range []struct {
		name     string
		h        sampler.Handle
		pool     int
		kind     error
		fragment string
	}{
		{"zero pool", c, 0, sampler.ErrArgument, "pool = 0 latents per chain: must be in 1..1000"},
		{"negative pool", c, -3, sampler.ErrArgument, "pool = -3"},
		{"pool per chain too large", c, 1001, sampler.ErrArgument, "pool = 1001"},
		{"pool too large in all", c, 900, sampler.ErrArgument, "at most 4194304 latents in all"},
		{"a model", m, 10, sampler.ErrHandle, "is a model, not a chain set"},
		{"nothing", 999, 10, sampler.ErrHandle, "no open chain set 999"},
	} {
		_, err := s.SIR(tc.h, tc.pool)
		if !errors.Is(err, tc.kind) || !strings.Contains(err.Error(), tc.fragment) {
			t.Errorf("%s: %v, want %v mentioning %q", tc.name, err, tc.kind, tc.fragment)
		}
	}
	if r, err := s.SIR(c, 2); err != nil || r.Pool != 10000 {
		t.Fatalf("after the refusals: %+v, %v", r, err)
	}
}
