//go:build wasip1

package main

import (
	"encoding/binary"
	"fmt"

	"github.com/gebm/gebm/wasm/sampler"
)

// exported holds the model file of the latest train_model call, kept alive
// for the host to read.
var exported []byte

// new_trainer starts a training run and returns its handle. The data are
// the toy set named by the toyLen bytes at toyPtr, or, when toyLen is 0,
// the count float32 values at pointsPtr as rows of dim values. The options
// are the JSON object in the optsLen bytes at optsPtr (gebm train's flag
// names over its defaults for the data; optsLen 0 takes the defaults).
//
//go:wasmexport new_trainer
func newTrainer(toyPtr, toyLen, pointsPtr, count uint32, dim int32, optsPtr, optsLen uint32) int32 {
	return guard(func() (int32, error) {
		var d sampler.TrainData
		if toyLen > 0 {
			b, err := view(toyPtr, toyLen)
			if err != nil {
				return 0, err
			}
			d.Toy = string(b)
		} else {
			pts, err := float32s(pointsPtr, count)
			if err != nil {
				return 0, err
			}
			d.Points, d.Dim = pts, int(dim)
		}
		var js []byte
		if optsLen > 0 {
			var err error
			if js, err = view(optsPtr, optsLen); err != nil {
				return 0, err
			}
		}
		o, err := sampler.ParseTrainOptions(d.Toy, js)
		if err != nil {
			return 0, err
		}
		h, err := smp.NewTrainer(d, o)
		return int32(h), err
	})
}

// train_steps makes up to n steps of trainer tr and returns the number
// made; unless outPtr is 0, it writes each step's statistics at outPtr as
// sampler.TrainStatFields float64 values (sampler.TrainStat.Values), in a
// buffer of count float64 values that must hold n steps.
//
//go:wasmexport train_steps
func trainSteps(tr, n int32, outPtr, count uint32) int32 {
	return guard(func() (int32, error) {
		var out []float64
		if outPtr != 0 {
			if n >= 1 && int64(count) < int64(n)*sampler.TrainStatFields {
				return 0, fmt.Errorf("wasi: train_steps: %w: %d steps need %d float64 values, the buffer holds %d",
					sampler.ErrArgument, n, int64(n)*sampler.TrainStatFields, count)
			}
			var err error
			if out, err = float64s(outPtr, count); err != nil {
				return 0, err
			}
		}
		st, err := smp.TrainSteps(sampler.Handle(tr), int(n), nil)
		if err != nil {
			return 0, err
		}
		for i, s := range st {
			if out != nil {
				v := s.Values()
				copy(out[i*sampler.TrainStatFields:], v[:])
			}
		}
		return int32(len(st)), nil
	})
}

// train_info writes where trainer tr stands at ptr as seven float64
// values: base steps done and planned, final-phase steps done and planned,
// energy updates done, 1 if finished (else 0), and seconds spent training
// (sampler.TrainState in its field order, without Stopped, which a failed
// train_steps reports through last_error).
//
//go:wasmexport train_info
func trainInfo(tr int32, ptr uint32) int32 {
	return guard(func() (int32, error) {
		out, err := float64s(ptr, 7)
		if err != nil {
			return 0, err
		}
		st, err := smp.TrainInfo(sampler.Handle(tr))
		if err != nil {
			return 0, err
		}
		fin := 0.0
		if st.Finished {
			fin = 1
		}
		copy(out, []float64{float64(st.Step), float64(st.Steps), float64(st.FinalStep), float64(st.FinalSteps),
			float64(st.EnergySteps), fin, st.Seconds})
		return 0, nil
	})
}

// train_model encodes trainer tr's current model as a model file and
// writes where it lies at ptr, as one uint64, pointer<<32 | length. The
// bytes stay valid until the next train_model call.
//
//go:wasmexport train_model
func trainModel(tr int32, ptr uint32) int32 {
	return guard(func() (int32, error) {
		b, err := typed(ptr, 1, 8)
		if err != nil {
			return 0, err
		}
		f, err := smp.TrainModel(sampler.Handle(tr))
		if err != nil {
			return 0, err
		}
		exported = f
		binary.LittleEndian.PutUint64(b, packText(f))
		return 0, nil
	})
}

// train_snapshot opens trainer tr's current model as a model and returns
// its handle.
//
//go:wasmexport train_snapshot
func trainSnapshot(tr int32) int32 {
	return guard(func() (int32, error) {
		h, err := smp.TrainSnapshot(sampler.Handle(tr))
		return int32(h), err
	})
}
