package sampler

import (
	"errors"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/gebm/gebm/shared/model"
	"github.com/gebm/gebm/shared/model/modeltest"
	"github.com/gebm/gebm/shared/sample"
)

// TestSIRIsSampleSIR: SIR on a chain set is sample.SIR on the model's latent
// tilt at the set's current β, drawn from the set's random stream after the
// latents NewChains drew from it: the chains' new latents and the result are
// exactly those.
func TestSIRIsSampleSIR(t *testing.T) {
	s := New()
	m, err := s.Open(modeltest.File(modeltest.Image(3)))
	if err != nil {
		t.Fatal(err)
	}
	const n, seed, pool = 7, 11, 9
	c, err := s.NewChains(m, n, seed, 1)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SetBeta(c, 3); err != nil {
		t.Fatal(err)
	}
	res, err := s.SIR(c, pool)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := s.Latents(c, nil)

	g := modeltest.Image(3)
	rng := newRand(seed)
	z0 := make([]float32, n*g.Latent())
	model.SampleLatents(rng, z0)
	var want []float32
	st, err := sample.SIR(g.Tilt(3), sample.SIRConfig{N: n, Pool: pool * n}, rng, func(z []float32) error {
		want = append(want, z...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("latents after SIR:\n%v\nsample.SIR at β=3 from the set's stream:\n%v", got, want)
	}
	if res != (SIRResult{Pool: st.Pool, ESS: st.ESS, LogSumW: st.LogSumW, LogSumW2: st.LogSumW2, Zero: st.Zero, Distinct: st.Distinct}) {
		t.Fatalf("result %+v, sample.SIR's stats %+v", res, st)
	}
}

// TestSIRNoFiniteWeight: when the energy is not finite at any pool latent
// (here a NaN put into the open model's energy after the chains started),
// SIR fails with ErrState and the chains stay where they were.
func TestSIRNoFiniteWeight(t *testing.T) {
	s := New()
	m, err := s.Open(modeltest.File(modeltest.Toy2D(3)))
	if err != nil {
		t.Fatal(err)
	}
	c, err := s.NewChains(m, 4, 1, 1)
	if err != nil {
		t.Fatal(err)
	}
	before, _ := s.Latents(c, nil)
	ps := s.models[m].g.Energy.Params()
	last := ps[len(ps)-1].Value
	last[len(last)-1] = float32(math.NaN())
	_, err = s.SIR(c, 5)
	if !errors.Is(err, ErrState) || !strings.Contains(err.Error(), "no proposal has a finite weight") {
		t.Fatalf("SIR with NaN energies: %v, want ErrState", err)
	}
	if after, _ := s.Latents(c, nil); !slices.Equal(before, after) {
		t.Fatal("the failed SIR moved the chains")
	}
}
