package train

import (
	core "github.com/gebm/gebm/shared/train"
	"testing"

	"github.com/gebm/gebm/shared/data"
	"github.com/gebm/gebm/shared/testenv"
)

// TestDefaultsStayFinite trains every built-in data set at its default
// options (the network sizes, penalties, clamp and schedule of Defaults,
// the final energy-only phase included) for a short run from 5 seeds: none
// may stop on a non-finite value (NonFiniteError), and the model must come
// out with finite weights and a finite A.
func TestDefaultsStayFinite(t *testing.T) {
	for _, name := range append(data.ToyNames(), "mnist") {
		t.Run(name, func(t *testing.T) {
			steps, final := 40, 20
			if name == "mnist" {
				if _, err := data.FindMNISTDir(); err != nil {
					testenv.Missing(t, "MNIST files not available: %v", err)
				}
				steps, final = 3, 5
			}
			for seed := uint64(1); seed <= 5; seed++ {
				o := Defaults(name)
				o.Out, o.Seed, o.Steps, o.Quiet, o.CheckpointEvery = t.TempDir(), seed, steps, true, 0
				if o.FinalEnergySteps > 0 {
					o.FinalEnergySteps = final
				}
				tr := run(t, o)
				if err := finiteModel(tr); err != nil {
					t.Errorf("seed %d: %v", seed, err)
				}
			}
		})
	}
}

// finiteModel returns the trainer's own error for the first non-finite
// weight of the trained model, or for a non-finite A.
func finiteModel(tr *Trainer) error {
	if err := core.FiniteParams("base", tr.Model.Base.Params()); err != nil {
		return err
	}
	if err := core.FiniteParams("energy", tr.Model.Energy.Params()); err != nil {
		return err
	}
	return core.Finite("A", tr.Model.A, "", 0)
}
