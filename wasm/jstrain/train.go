//go:build js && wasm

package main

import (
	"math"
	"syscall/js"

	"github.com/gebm/gebm/shared/tagjson"
	"github.com/gebm/gebm/wasm/internal/jsapi"
	"github.com/gebm/gebm/wasm/sampler"
)

// trainCalls returns the training functions of globalThis.gebm on smp:
//
//	tr = gebm.newTrainer({toy: "8gaussians"}, {"steps": 1500, "gp": 0.1})  // or {points: Float32Array, dim: 2}
//	stats = gebm.trainSteps(tr, 50)   // [{step, finalStep, energySteps, loss, kale, penalty, a, aHat, ess, gradNormEnergy, gradNormBase}, ...]
//	info = gebm.trainInfo(tr)         // {step, steps, finalStep, finalSteps, energySteps, finished, stopped, seconds}
//	bytes = gebm.trainModel(tr)       // Uint8Array: a .gebm model file
//	m = gebm.trainSnapshot(tr)        // a model handle: generate, energyGrid, newChains ...
func trainCalls(smp *sampler.Sampler) map[string]jsapi.Call {
	return map[string]jsapi.Call{
		"newTrainer": func(a *jsapi.Args) (any, error) {
			d := trainData(a, 0)
			opts := a.Get(1)
			if a.Err() != nil {
				return nil, nil
			}
			var text []byte
			switch opts.Type() {
			case js.TypeUndefined, js.TypeNull:
			case js.TypeObject:
				text = []byte(js.Global().Get("JSON").Call("stringify", opts).String())
			default:
				a.Fail(1, "options", "want an object, got %s", opts.Type())
				return nil, nil
			}
			o, err := sampler.ParseTrainOptions(d.Toy, text)
			if err != nil {
				return nil, err
			}
			h, err := smp.NewTrainer(d, o)
			return int(h), err
		},
		"trainSteps": func(a *jsapi.Args) (any, error) {
			tr, n := a.Handle(0), a.Int32(1, "n")
			if a.Err() != nil {
				return nil, nil
			}
			st, err := smp.TrainSteps(tr, n, nil)
			if err != nil {
				return nil, err
			}
			return jsonValue(st)
		},
		"trainInfo": func(a *jsapi.Args) (any, error) {
			st, err := smp.TrainInfo(a.Handle(0))
			if err != nil || a.Err() != nil {
				return nil, err
			}
			return jsonValue(st)
		},
		"trainModel": func(a *jsapi.Args) (any, error) {
			f, err := smp.TrainModel(a.Handle(0))
			if err != nil || a.Err() != nil {
				return nil, err
			}
			return jsapi.ToUint8Array(f), nil
		},
		"trainSnapshot": func(a *jsapi.Args) (any, error) {
			h, err := smp.TrainSnapshot(a.Handle(0))
			if err != nil || a.Err() != nil {
				return nil, err
			}
			return int(h), nil
		},
	}
}

// trainData returns argument i, {toy: name} or {points: Float32Array, dim:
// n}, as a sampler.TrainData (the points copied).
func trainData(a *jsapi.Args, i int) sampler.TrainData {
	var d sampler.TrainData
	v := a.Get(i)
	if a.Err() != nil {
		return d
	}
	if v.Type() != js.TypeObject {
		a.Fail(i, "data", "want {toy: name} or {points: Float32Array, dim: n}, got %s", v.Type())
		return d
	}
	toy, pts := v.Get("toy"), v.Get("points")
	switch {
	case toy.Type() == js.TypeString && pts.IsUndefined():
		d.Toy = toy.String()
	case toy.IsUndefined() && pts.InstanceOf(jsapi.Float32Array) && v.Get("dim").Type() == js.TypeNumber:
		dim := v.Get("dim").Float()
		if dim != math.Trunc(dim) || dim < 0 || dim > math.MaxInt32 {
			a.Fail(i, "data", "dim %v: want a whole number", dim)
			return d
		}
		d.Points, d.Dim = a.Float32sIn(pts, i, "data.points"), int(dim)
	default:
		a.Fail(i, "data", "want {toy: name} or {points: Float32Array, dim: n}")
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
