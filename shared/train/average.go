package train

import (
	"fmt"
	"math"

	"github.com/gebm/gebm/shared/ckpt"
	"github.com/gebm/gebm/shared/nn"
)

// The final phase's iterate averaging (Options.FinalAverage). Adam at a
// fixed rate keeps the energy's parameters moving around the optimum, and
// at β = 1 the model's errors are those of the last iterate (docs/EVAL.md:
// a tilt of the wells' depths that moves mass between modes). The mean of
// the iterates of the last FinalAverage of the phase keeps the optimum and
// loses most of that noise (Polyak and Juditsky 1992).

// averageFrom is the number of final-phase updates after which averaging
// starts: the mean is over updates averageFrom+1 .. FinalEnergySteps.
func (o *Options) averageFrom() int {
	return o.FinalEnergySteps - int(math.Round(o.FinalAverage*float64(o.FinalEnergySteps)))
}

// averaging reports whether the run averages, and whether the mean holds
// any iterate at the current position.
func (t *Trainer) averaging() (on, started bool) {
	from := t.Opts.averageFrom()
	on = t.Opts.FinalAverage > 0 && from < t.Opts.FinalEnergySteps
	return on, on && t.pos.FinalSteps > from
}

// averagedParams are the parameters the mean is taken of: the energy's and A.
func (t *Trainer) averagedParams() []*nn.Param {
	return append(append([]*nn.Param{}, t.Model.Energy.Params()...), t.a)
}

// avgTensorName is the checkpoint's name of the running mean of averaged
// parameter i (of averagedParams p).
func avgTensorName(p *nn.Param, isA bool) string {
	if isA {
		return ckpt.PrefixAvg + ckpt.NameA
	}
	return ckpt.PrefixAvg + ckpt.PrefixEnergy + p.Name
}

// accumulate adds the current iterate to the running mean, once per final
// update past averageFrom: mean_k = mean_{k-1} + (θ_k − mean_{k−1})/k,
// each value computed in float64 and stored in float32 (so a checkpoint
// holds the mean exactly and a resumed run continues it bit for bit). The
// backend's parameters are brought to the host first (Sync). After the
// phase's last update the model takes the mean (applyAverage).
func (t *Trainer) accumulate() error {
	on, started := t.averaging()
	if !started {
		return nil
	}
	if err := t.Back.Sync(); err != nil {
		return err
	}
	ps := t.averagedParams()
	k := t.pos.FinalSteps - t.Opts.averageFrom()
	if k == 1 || t.avg == nil {
		t.avg = make([][]float32, len(ps))
		for i, p := range ps {
			t.avg[i] = append([]float32(nil), p.Value...)
		}
	} else {
		for i, p := range ps {
			m := t.avg[i]
			for j, v := range p.Value {
				m[j] = float32(float64(m[j]) + (float64(v)-float64(m[j]))/float64(k))
			}
		}
	}
	if on && t.pos.FinalSteps == t.Opts.FinalEnergySteps {
		t.applyAverage()
	}
	return nil
}

// applyAverage sets the energy's parameters and A to the running mean.
func (t *Trainer) applyAverage() {
	for i, p := range t.averagedParams() {
		copy(p.Value, t.avg[i])
	}
	t.Model.A = float64(t.a.Value[0])
}

// Sync brings the model to the host as the run leaves it: the backend's
// Sync, then, once the final phase is over, the averaged parameters (a
// device backend's copy still holds the last iterate, which Sync would
// otherwise bring back). Call it rather than Back.Sync before saving.
func (t *Trainer) Sync() error {
	if err := t.Back.Sync(); err != nil {
		return err
	}
	if on, started := t.averaging(); on && started && t.pos.FinalSteps >= t.Opts.FinalEnergySteps && t.avg != nil {
		t.applyAverage()
	}
	return nil
}

// averageTensors are the running mean's checkpoint tensors (none before
// averaging starts).
func (t *Trainer) averageTensors() []ckpt.Tensor {
	if _, started := t.averaging(); !started || t.avg == nil {
		return nil
	}
	var ts []ckpt.Tensor
	ps := t.averagedParams()
	for i, p := range ps {
		ts = append(ts, ckpt.Tensor{Name: avgTensorName(p, i == len(ps)-1), Shape: p.Shape, Data: t.avg[i]})
	}
	return ts
}

// restoreAverage reads the running mean from checkpoint f when the
// position is past the start of averaging.
func (t *Trainer) restoreAverage(f *ckpt.File) error {
	if _, started := t.averaging(); !started {
		return nil
	}
	ps := t.averagedParams()
	t.avg = make([][]float32, len(ps))
	for i, p := range ps {
		name := avgTensorName(p, i == len(ps)-1)
		v := f.Tensor(name)
		if len(v) != len(p.Value) {
			return fmt.Errorf("--resume: the checkpoint is %d updates into the final phase's averaging but has no running mean %s",
				t.pos.FinalSteps-t.Opts.averageFrom(), name)
		}
		t.avg[i] = append([]float32(nil), v...)
	}
	return nil
}
