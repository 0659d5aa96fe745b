package sampler

import (
	"fmt"
	"math/rand/v2"

	"github.com/gebm/gebm/shared/model"
	"github.com/gebm/gebm/shared/sample"
)

// chainSet is n chains on one model's latent potential, with the random
// stream that drives them.
type chainSet struct {
	model Handle
	om    *openModel
	pot   *model.BlockedPotential
	ch    *sample.Chains
	rng   *rand.Rand
	n     int
	z     []float32 // scratch for SetBeta
	rates []float64 // scratch for Accept
}

// seedStream is the PCG stream that seeds turn into random generators: the
// same seed gives the same latents in NewChains and Generate.
const seedStream = 0x67656d62 // "gemb"

func newRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, seedStream)) }

func (om *openModel) checkBatch(n int) error {
	if n < 1 || n > MaxChains {
		return fmt.Errorf("%w: n = %d: must be in 1..%d", ErrArgument, n, MaxChains)
	}
	if n > om.maxBatch() {
		return fmt.Errorf("%w: n = %d: this model allows at most %d at once (%d activations each, limit %d)",
			ErrArgument, n, om.maxBatch(), om.width, MaxBatchFloats)
	}
	return nil
}

// NewChains creates n chains on model m targeting its latent posterior at
// inverse temperature beta, U(z) = ||z||²/2 + β E(B(z)). Chain i starts at
// z_i ~ N(0, I) drawn from seed (the latents Generate(m, n, seed) maps),
// and later steps draw from the same stream, so the same seed and calls
// give the same chains. The chains and their potential are those of gebm
// sample and eval (model.BlockedPotential, model.NewChains), with one
// worker: U is evaluated model.EvalBlock chains at a time.
func (s *Sampler) NewChains(m Handle, n int, seed uint64, beta float64) (h Handle, err error) {
	err = s.call("new chains", func() error {
		om, err := s.model(m)
		if err != nil {
			return err
		}
		if err := om.checkBatch(n); err != nil {
			return err
		}
		if err := checkBeta(beta); err != nil {
			return err
		}
		rng := newRand(seed)
		pot := om.g.BlockedPotential(beta, 1) // one worker: the page runs one sampler per Web Worker
		ch, err := pot.NewChains(rng, n)
		if err != nil {
			return fmt.Errorf("%w: %v", ErrState, err)
		}
		if h, err = s.newHandle(); err != nil {
			return err
		}
		s.chains[h] = &chainSet{model: m, om: om, pot: pot, ch: ch, rng: rng, n: n,
			z: make([]float32, n*om.g.Latent()), rates: make([]float64, n)}
		return nil
	})
	return h, err
}

// SetBeta changes the inverse temperature of chain set c; the chains keep
// their latents. It fails, changing nothing, if the potential at the new β
// is not finite at some chain.
func (s *Sampler) SetBeta(c Handle, beta float64) error {
	return s.call("set beta", func() error {
		cs, err := s.chainSet(c)
		if err != nil {
			return err
		}
		if err := checkBeta(beta); err != nil {
			return err
		}
		old := cs.pot.Beta()
		cs.pot.SetBeta(beta)
		copy(cs.z, cs.ch.Z())
		if err := cs.ch.SetZ(cs.z); err != nil {
			cs.pot.SetBeta(old)
			return fmt.Errorf("%w: %v", ErrState, err)
		}
		return nil
	})
}

// SetLatents moves the chains of c to z: n×d values, one row per chain, or
// d values for all chains alike. The acceptance counts and the KLA momentum
// are kept.
func (s *Sampler) SetLatents(c Handle, z []float32) error {
	return s.call("set latents", func() error {
		cs, err := s.chainSet(c)
		if err != nil {
			return err
		}
		d := cs.ch.Dim()
		if len(z) != d && len(z) != cs.n*d {
			return fmt.Errorf("%w: %d latent values: want %d (one point) or %d (%d chains × %d)",
				ErrArgument, len(z), d, cs.n*d, cs.n, d)
		}
		for i, v := range z {
			if err := checkFinite(fmt.Sprintf("latent value %d", i), float64(v)); err != nil {
				return err
			}
		}
		if err := cs.ch.SetZ(z); err != nil {
			return fmt.Errorf("%w: %v", ErrState, err)
		}
		return nil
	})
}

// Chains reports the number of chains of set c and their latent and data
// sizes: Latents fills n×latent values, Samples n×dim, Energies and Accept n.
func (s *Sampler) Chains(c Handle) (n, latent, dim int, err error) {
	err = s.call("chains", func() error {
		cs, err := s.chainSet(c)
		if err != nil {
			return err
		}
		n, latent, dim = cs.n, cs.ch.Dim(), cs.om.g.Dim()
		return nil
	})
	return n, latent, dim, err
}

// Latents copies the chains' latents z (n×d, row-major) into dst.
func (s *Sampler) Latents(c Handle, dst []float32) (out []float32, err error) {
	err = s.call("latents", func() error {
		cs, err := s.chainSet(c)
		if err != nil {
			return err
		}
		out = grow(dst, len(cs.ch.Z()))
		copy(out, cs.ch.Z())
		return nil
	})
	return out, err
}

// Samples computes the chains' samples x_i = B(z_i) (n×D, row-major) into
// dst.
func (s *Sampler) Samples(c Handle, dst []float32) (out []float32, err error) {
	err = s.call("samples", func() error {
		cs, err := s.chainSet(c)
		if err != nil {
			return err
		}
		g := cs.om.g
		out = g.Generate(cs.ch.Z(), cs.n, grow(dst, cs.n*g.Dim()))
		return nil
	})
	return out, err
}

// Energies computes the energies E(B(z_i)) of the chains' samples (n
// values) into dst: the model's energy, without β and without the prior
// term of U.
func (s *Sampler) Energies(c Handle, dst []float32) (out []float32, err error) {
	err = s.call("energies", func() error {
		cs, err := s.chainSet(c)
		if err != nil {
			return err
		}
		g := cs.om.g
		x := g.Base.Forward(cs.ch.Z(), cs.n)
		out = g.Energies(x, cs.n, grow(dst, cs.n))
		return nil
	})
	return out, err
}

// Accept stores in dst, for each chain, the fraction of its proposals that
// were accepted during the last Step call (0 before the first): accepted
// moves for MALA, HMC, MH and IMH, finite moves for ULA and KLA.
func (s *Sampler) Accept(c Handle, dst []float64) (out []float64, err error) {
	err = s.call("accept", func() error {
		cs, err := s.chainSet(c)
		if err != nil {
			return err
		}
		out = cs.ch.AcceptRates(grow(dst, cs.n))
		return nil
	})
	return out, err
}

// grow returns dst[:n], or a new slice when dst is too short.
func grow[T any](dst []T, n int) []T {
	if cap(dst) < n {
		return make([]T, n)
	}
	return dst[:n]
}
