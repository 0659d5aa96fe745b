package train

import (
	"fmt"
	"strings"

	"github.com/gebm/gebm/shared/ckpt"
	"github.com/gebm/gebm/shared/nn"
)

// ResumeState returns what a checkpoint holds beyond the model for the run
// to continue where it is: the optimisers' steps, the random stream and the
// schedule position (the header's Resume), and the optimisers' state
// tensors, named by OptTensorName, and the final phase's running mean of
// the energy (average.go) once it has started. Call Sync first.
func (t *Trainer) ResumeState() (*ckpt.ResumeState, []ckpt.Tensor, error) {
	rng, err := t.pcg.MarshalBinary()
	if err != nil {
		return nil, nil, err
	}
	r := &ckpt.ResumeState{EnergyAdamStep: t.optE.Step, BaseAdamStep: t.optB.Step, RNG: rng,
		Schedule: map[string]int64{"base_steps": int64(t.pos.BaseSteps), "energy_steps": int64(t.pos.EnergySteps),
			"final_steps": int64(t.pos.FinalSteps)}}
	var ts []ckpt.Tensor
	for _, part := range t.optimisers() {
		for _, s := range part.opt.StateTensors() {
			ts = append(ts, ckpt.Tensor{Name: OptTensorName(part.prefix, s.Name), Shape: s.Shape, Data: s.Value})
		}
	}
	return r, append(ts, t.averageTensors()...), nil
}

// restore loads the optimiser state, the random stream and the schedule
// position from checkpoint f.
func (t *Trainer) restore(f *ckpt.File) error {
	r := f.Resume
	if r == nil {
		return fmt.Errorf("--resume: the file is a model without the state to resume training")
	}
	steps := map[string]int64{ckpt.PrefixEnergy: r.EnergyAdamStep, ckpt.PrefixBase: r.BaseAdamStep}
	for _, part := range t.optimisers() {
		part.opt.Step = steps[part.prefix]
		for _, s := range part.opt.StateTensors() {
			copy(s.Value, f.Tensor(OptTensorName(part.prefix, s.Name)))
		}
	}
	if err := t.pcg.UnmarshalBinary(r.RNG); err != nil {
		return fmt.Errorf("--resume: random state: %w", err)
	}
	t.pos.BaseSteps = int(r.Schedule["base_steps"])
	t.pos.EnergySteps = int(r.Schedule["energy_steps"])
	t.pos.FinalSteps = int(r.Schedule["final_steps"]) // 0 in files older than the phase
	return t.restoreAverage(f)
}

// optimisers pairs each optimiser with the model-file prefix of the network
// it updates.
func (t *Trainer) optimisers() []struct {
	prefix string
	opt    *nn.Adam
} {
	return []struct {
		prefix string
		opt    *nn.Adam
	}{{ckpt.PrefixEnergy, t.optE}, {ckpt.PrefixBase, t.optB}}
}

// OptTensorName is the checkpoint's name for an optimiser-state tensor of
// the network under prefix: "opt/energy/0.weight.adam_m", and "opt/A.adam_m"
// for the scalar A, which the energy's optimiser updates but no network holds.
func OptTensorName(prefix, state string) string {
	if strings.HasPrefix(state, ckpt.NameA+".") {
		return ckpt.PrefixOpt + state
	}
	return ckpt.PrefixOpt + prefix + state
}
