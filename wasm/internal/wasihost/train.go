package wasihost

import (
	"encoding/binary"
	"math"

	"github.com/tetratelabs/wazero/api"

	"github.com/gebm/gebm/wasm/sampler"
)

// NewTrainer starts a training run on data d (a toy set, or points) with
// the options of the JSON object opts (gebm train's flag names; nil or
// empty for the defaults).
func (in *Instance) NewTrainer(d sampler.TrainData, opts []byte) (sampler.Handle, error) {
	toy := []byte(d.Toy)
	pts := make([]byte, 4*len(d.Points))
	for i, v := range d.Points {
		binary.LittleEndian.PutUint32(pts[4*i:], math.Float32bits(v))
	}
	// One buffer: the points (aligned at its start), the name, the options.
	buf := append(append(pts, toy...), opts...)
	ptr, err := in.buffer(len(buf))
	if err != nil {
		return 0, err
	}
	if err := in.write(ptr, buf); err != nil {
		return 0, err
	}
	toyPtr, optsPtr := ptr+uint32(len(pts)), ptr+uint32(len(pts)+len(toy))
	h, err := in.call("new_trainer", api.EncodeU32(toyPtr), api.EncodeU32(uint32(len(toy))), api.EncodeU32(ptr),
		api.EncodeU32(uint32(len(d.Points))), api.EncodeI32(int32(d.Dim)), api.EncodeU32(optsPtr), api.EncodeU32(uint32(len(opts))))
	return sampler.Handle(h), err
}

// TrainSteps makes up to n steps of trainer tr and returns their
// statistics.
func (in *Instance) TrainSteps(tr sampler.Handle, n int) ([]sampler.TrainStat, error) {
	count := 0
	if n > 0 && n <= sampler.MaxTrainSteps {
		count = n * sampler.TrainStatFields
	}
	ptr, err := in.buffer(8 * max(count, 1))
	if err != nil {
		return nil, err
	}
	made, err := in.call("train_steps", api.EncodeI32(int32(tr)), api.EncodeI32(int32(n)), api.EncodeU32(ptr), api.EncodeU32(uint32(count)))
	if err != nil {
		return nil, err
	}
	v := in.readFloat64s(ptr, int(made)*sampler.TrainStatFields)
	st := make([]sampler.TrainStat, made)
	for i := range st {
		f := v[i*sampler.TrainStatFields:]
		st[i] = sampler.TrainStat{Step: int(f[0]), FinalStep: int(f[1]), EnergySteps: int(f[2]), Loss: f[3], KALE: f[4],
			Penalty: f[5], A: f[6], AHat: f[7], ESS: f[8], GradNormEnergy: f[9], GradNormBase: f[10]}
	}
	return st, nil
}

// TrainInfo reports where trainer tr stands (Stopped is left empty: the
// failed TrainSteps call's error carries it).
func (in *Instance) TrainInfo(tr sampler.Handle) (sampler.TrainState, error) {
	var st sampler.TrainState
	ptr, err := in.buffer(7 * 8)
	if err != nil {
		return st, err
	}
	if _, err := in.call("train_info", api.EncodeI32(int32(tr)), api.EncodeU32(ptr)); err != nil {
		return st, err
	}
	v := in.readFloat64s(ptr, 7)
	return sampler.TrainState{Step: int(v[0]), Steps: int(v[1]), FinalStep: int(v[2]), FinalSteps: int(v[3]),
		EnergySteps: int(v[4]), Finished: v[5] == 1, Seconds: v[6]}, nil
}

// TrainModel returns trainer tr's current model as a model file.
func (in *Instance) TrainModel(tr sampler.Handle) ([]byte, error) {
	ptr, err := in.buffer(8)
	if err != nil {
		return nil, err
	}
	if _, err := in.call("train_model", api.EncodeI32(int32(tr)), api.EncodeU32(ptr)); err != nil {
		return nil, err
	}
	packed := binary.LittleEndian.Uint64(in.read(ptr, 8))
	return append([]byte(nil), in.read(uint32(packed>>32), uint32(packed))...), nil
}

// TrainSnapshot opens trainer tr's current model as a model.
func (in *Instance) TrainSnapshot(tr sampler.Handle) (sampler.Handle, error) {
	h, err := in.call("train_snapshot", api.EncodeI32(int32(tr)))
	return sampler.Handle(h), err
}
