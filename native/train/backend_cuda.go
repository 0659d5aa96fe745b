//go:build cuda

package train

import (
	"github.com/gebm/gebm/native/cuda"
	"github.com/gebm/gebm/shared/backend"
	"github.com/gebm/gebm/shared/model"
	"github.com/gebm/gebm/shared/nn"
	core "github.com/gebm/gebm/shared/train"
)

// newCUDABackend is NewBackend's "cuda" device in the cuda build: the GPU,
// with the matrix product c.CUDAGemm; every option of backend.Config,
// BaseTilt included, as the CPU backend.
func newCUDABackend(m *model.GEBM, c backend.Config, a *nn.Param, optE, optB *nn.Adam) (backend.Backend, error) {
	t, err := cuda.NewTrainer(m, a, optE, optB, c)
	if err != nil {
		return nil, err
	}
	return &cudaBackend{t: t, m: m, a: a}, nil
}

// cudaBackend runs the steps on the GPU (native/cuda) and applies the CPU
// backend's checks to the numbers that come back, so that a non-finite
// quantity stops training with the same error on both devices. When a
// weight becomes non-finite it brings the model back to the host to name
// the weight.
type cudaBackend struct {
	t *cuda.Trainer
	m *model.GEBM
	a *nn.Param
}

func (c *cudaBackend) Name() string { return c.t.Name() }

func (c *cudaBackend) Sync() error { return c.t.Sync() }

func (c *cudaBackend) EnergyStep(x, z, alpha []float32, lrScale float64) (backend.EnergyStats, error) {
	s, err := c.t.EnergyStep(x, z, alpha, lrScale)
	st := backend.EnergyStats{Loss: s.Loss, EnergyData: s.EnergyData, EnergyGen: s.EnergyGen} // Penalty and GradNorm once checked
	if err != nil {
		return st, err
	}
	if err := core.Finite("energy loss", s.Loss, "A gradient", s.DA); err != nil {
		return st, err
	}
	st.Penalty, st.GradNorm = s.Penalty, s.GradNorm
	if err := core.Finite("gradient penalty", st.Penalty, "energy gradient norm", st.GradNorm); err != nil {
		return st, err
	}
	c.a.Value[0] = float32(s.A)
	c.m.A = s.A
	if !s.ParamsFinite {
		if err := c.t.Sync(); err != nil {
			return st, err
		}
		if err := core.FiniteParams("energy", c.m.Energy.Params()); err != nil {
			return st, err
		}
		return st, core.Finite("A", c.m.A, "", 0)
	}
	return st, nil
}

func (c *cudaBackend) BaseStep(z []float32, lrScale float64) (backend.BaseStats, error) {
	s, err := c.t.BaseStep(z, lrScale)
	st := backend.BaseStats{AHat: s.AHat, ESS: s.ESS}
	if err != nil {
		return st, err
	}
	if err := core.Finite("importance weights", s.WeightSum, "Â", s.AHat); err != nil {
		return st, err
	}
	st.GradNorm = s.GradNorm
	if err := core.Finite("base gradient norm", st.GradNorm, "", 0); err != nil {
		return st, err
	}
	if !s.ParamsFinite {
		if err := c.t.Sync(); err != nil {
			return st, err
		}
		return st, core.FiniteParams("base", c.m.Base.Params())
	}
	return st, nil
}

func (c *cudaBackend) Evaluate(x, z []float32) (backend.EvalStats, error) {
	st, err := c.t.Evaluate(x, z)
	if err != nil {
		return st, err
	}
	return st, core.Finite("held-out KALE", st.KALE, "", 0)
}
