//go:build js && wasm

package main

import (
	"math"
	"syscall/js"

	"github.com/gebm/gebm/shared/tagjson"
	"github.com/gebm/gebm/wasm/sampler"
)

// trainCalls are the training functions of globalThis.gebm, added to calls:
//
//	tr = gebm.newTrainer({toy: "8gaussians"}, {"steps": 1500, "gp": 0.1})  // or {points: Float32Array, dim: 2}
//	stats = gebm.trainSteps(tr, 50)   // [{step, finalStep, energySteps, loss, kale, penalty, a, aHat, ess, gradNormEnergy, gradNormBase}, ...]
//	info = gebm.trainInfo(tr)         // {step, steps, finalStep, finalSteps, energySteps, finished, stopped, seconds}
//	bytes = gebm.trainModel(tr)       // Uint8Array: a .gebm model file
//	m = gebm.trainSnapshot(tr)        // a model handle: generate, energyGrid, newChains ...
var trainCalls = map[string]func(a *args) (any, error){
	"newTrainer": func(a *args) (any, error) {
		d := a.trainData(0)
		opts := a.get(1)
		if a.err != nil {
			return nil, nil
		}
		var text []byte
		switch opts.Type() {
		case js.TypeUndefined, js.TypeNull:
		case js.TypeObject:
			text = []byte(js.Global().Get("JSON").Call("stringify", opts).String())
		default:
			a.fail(1, "options", "want an object, got %s", opts.Type())
			return nil, nil
		}
		o, err := sampler.ParseTrainOptions(d.Toy, text)
		if err != nil {
			return nil, err
		}
		h, err := smp.NewTrainer(d, o)
		return int(h), err
	},
	"trainSteps": func(a *args) (any, error) {
		tr, n := a.handle(0), a.int32(1, "n")
		if a.err != nil {
			return nil, nil
		}
		st, err := smp.TrainSteps(tr, n, nil)
		if err != nil {
			return nil, err
		}
		return jsonValue(st)
	},
	"trainInfo": func(a *args) (any, error) {
		st, err := smp.TrainInfo(a.handle(0))
		if err != nil || a.err != nil {
			return nil, err
		}
		return jsonValue(st)
	},
	"trainModel": func(a *args) (any, error) {
		f, err := smp.TrainModel(a.handle(0))
		if err != nil || a.err != nil {
			return nil, err
		}
		u := uint8Array.New(len(f))
		js.CopyBytesToJS(u, f)
		return u, nil
	},
	"trainSnapshot": func(a *args) (any, error) {
		h, err := smp.TrainSnapshot(a.handle(0))
		if err != nil || a.err != nil {
			return nil, err
		}
		return int(h), nil
	},
}

func init() {
	for name, f := range trainCalls {
		calls[name] = f
	}
}

// trainData returns argument i, {toy: name} or {points: Float32Array, dim:
// n}, as a sampler.TrainData (the points copied).
func (a *args) trainData(i int) sampler.TrainData {
	var d sampler.TrainData
	v := a.get(i)
	if a.err != nil {
		return d
	}
	if v.Type() != js.TypeObject {
		a.fail(i, "data", "want {toy: name} or {points: Float32Array, dim: n}, got %s", v.Type())
		return d
	}
	toy, pts := v.Get("toy"), v.Get("points")
	switch {
	case toy.Type() == js.TypeString && pts.IsUndefined():
		d.Toy = toy.String()
	case toy.IsUndefined() && pts.InstanceOf(float32Array) && v.Get("dim").Type() == js.TypeNumber:
		dim := v.Get("dim").Float()
		if dim != math.Trunc(dim) || dim < 0 || dim > math.MaxInt32 {
			a.fail(i, "data", "dim %v: want a whole number", dim)
			return d
		}
		sub := &args{call: a.call, v: make([]js.Value, i+1)}
		sub.v[i] = pts
		d.Points, d.Dim = sub.float32s(i, "data.points"), int(dim)
	default:
		a.fail(i, "data", "want {toy: name} or {points: Float32Array, dim: n}")
	}
	return d
}

// jsonValue is v as a JavaScript value, through JSON.
func jsonValue(v any) (any, error) {
	b, err := tagjson.Marshal(v)
	if err != nil {
		return nil, err
	}
	return js.Global().Get("JSON").Call("parse", string(b)), nil
}
