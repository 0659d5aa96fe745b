//go:build js && wasm

package main

import (
	"errors"
	"fmt"
	"syscall/js"

	"github.com/gebm/gebm/shared/tagjson"
	"github.com/gebm/gebm/wasm/sampler"
)

// smp is the module's one sampler: every function works on it.
var smp = sampler.New()

// funcs keeps the registered functions, which must not be released while
// the page may call them.
var funcs []js.Func

// register sets globalThis.gebm to an object with one function per sampler
// call. Each is a Go function that returns the Error of a failed call (a
// js.Func cannot throw); globalThis.gebmAPI, defined by www/js/api.js, which
// the loader runs first, turns that object into one whose functions throw
// the Error instead. The wrapper is a script file, not code compiled from a
// string here, so that the page's CSP does without 'unsafe-eval'.
func register() error {
	wrap := js.Global().Get("gebmAPI")
	if wrap.Type() != js.TypeFunction {
		return errors.New("gebm: globalThis.gebmAPI is not a function: load www/js/api.js before running the module")
	}
	raw := js.Global().Get("Object").New()
	for name, f := range calls {
		fn := js.FuncOf(func(this js.Value, v []js.Value) any { return invoke(name, f, v) })
		funcs = append(funcs, fn)
		raw.Set(name, fn)
	}
	js.Global().Set("gebm", wrap.Invoke(raw))
	return nil
}

// invoke runs one call and returns its result, or a JavaScript Error for
// its error or for a panic anywhere in it.
func invoke(name string, f func(*args) (any, error), v []js.Value) (result any) {
	defer func() {
		if r := recover(); r != nil {
			result = jsError(fmt.Errorf("gebm.%s: %w: %v", name, sampler.ErrInternal, r))
		}
	}()
	a := &args{call: name, v: v}
	out, err := f(a)
	if a.err != nil {
		return jsError(a.err)
	}
	if err != nil {
		return jsError(err)
	}
	return out
}

// jsError is a JavaScript Error with err's text and a kind property naming
// the sampler's error kind.
func jsError(err error) js.Value {
	e := js.Global().Get("Error").New(err.Error())
	kind := "argument"
	switch {
	case errors.Is(err, sampler.ErrHandle):
		kind = "handle"
	case errors.Is(err, sampler.ErrModel):
		kind = "model"
	case errors.Is(err, sampler.ErrState):
		kind = "state"
	case errors.Is(err, sampler.ErrInternal):
		kind = "internal"
	}
	e.Set("kind", kind)
	return e
}

// calls converts each function's arguments, calls the sampler and converts
// the result. An argument error (a.err) takes precedence over the call's.
var calls = map[string]func(a *args) (any, error){
	"open": func(a *args) (any, error) {
		b := a.bytes(0, "bytes")
		if a.err != nil {
			return nil, nil
		}
		h, err := smp.Open(b)
		return int(h), err
	},
	"describe": func(a *args) (any, error) {
		d, err := smp.Describe(a.handle(0))
		if err != nil || a.err != nil {
			return nil, err
		}
		return toObject(d), nil
	},
	"newChains": func(a *args) (any, error) {
		m, n, seed, beta := a.handle(0), a.int32(1, "n"), a.seed(2), a.number(3, "beta", 1)
		if a.err != nil {
			return nil, nil
		}
		h, err := smp.NewChains(m, n, seed, beta)
		return int(h), err
	},
	"step": func(a *args) (any, error) {
		p := sampler.StepParams{Method: a.string(1, "method"), StepSize: a.number(2, "stepSize"),
			Leapfrog: a.int32(3, "leapfrog"), Friction: a.number(4, "friction"),
			Steps: a.int32(5, "steps")}
		c := a.handle(0)
		if a.err != nil {
			return nil, nil
		}
		return smp.Step(c, p)
	},
	"sir": func(a *args) (any, error) {
		c, pool := a.handle(0), a.int32(1, "pool")
		if a.err != nil {
			return nil, nil
		}
		r, err := smp.SIR(c, pool)
		if err != nil {
			return nil, err
		}
		return toObject(r), nil
	},
	"setBeta": func(a *args) (any, error) {
		c, beta := a.handle(0), a.number(1, "beta")
		if a.err != nil {
			return nil, nil
		}
		return js.Undefined(), smp.SetBeta(c, beta)
	},
	"setLatents": func(a *args) (any, error) {
		c, z := a.handle(0), a.float32s(1, "z")
		if a.err != nil {
			return nil, nil
		}
		return js.Undefined(), smp.SetLatents(c, z)
	},
	"chains": func(a *args) (any, error) {
		n, d, D, err := smp.Chains(a.handle(0))
		if err != nil || a.err != nil {
			return nil, err
		}
		return map[string]any{"n": n, "latent": d, "dim": D}, nil
	},
	"latents":  float32Call(func(c sampler.Handle) ([]float32, error) { return smp.Latents(c, nil) }),
	"samples":  float32Call(func(c sampler.Handle) ([]float32, error) { return smp.Samples(c, nil) }),
	"energies": float32Call(func(c sampler.Handle) ([]float32, error) { return smp.Energies(c, nil) }),
	"accept": func(a *args) (any, error) {
		r, err := smp.Accept(a.handle(0), nil)
		if err != nil || a.err != nil {
			return nil, err
		}
		return toFloat64Array(r), nil
	},
	"energyGrid": func(a *args) (any, error) {
		g := sampler.Grid{XMin: a.number(1, "xmin"), XMax: a.number(2, "xmax"), YMin: a.number(3, "ymin"),
			YMax: a.number(4, "ymax"), Res: a.int32(5, "res")}
		m := a.handle(0)
		if a.err != nil {
			return nil, nil
		}
		e, err := smp.EnergyGrid(m, g, nil)
		if err != nil {
			return nil, err
		}
		return toFloat32Array(e), nil
	},
	"generate": func(a *args) (any, error) {
		m, n, seed := a.handle(0), a.int32(1, "n"), a.seed(2)
		if a.err != nil {
			return nil, nil
		}
		x, err := smp.Generate(m, n, seed, nil)
		if err != nil {
			return nil, err
		}
		return toFloat32Array(x), nil
	},
	"newFlow": func(a *args) (any, error) {
		m, cfg := a.handle(0), a.get(1)
		if a.err != nil {
			return nil, nil
		}
		if cfg.Type() != js.TypeObject {
			a.fail(1, "config", "want an object, got %s", cfg.Type())
			return nil, nil
		}
		var c sampler.FlowConfig
		if err := tagjson.Unmarshal([]byte(js.Global().Get("JSON").Call("stringify", cfg).String()), &c); err != nil {
			a.fail(1, "config", "%v", err)
			return nil, nil
		}
		h, err := smp.NewFlow(m, c)
		return int(h), err
	},
	"flowStep": func(a *args) (any, error) {
		f, steps := a.handle(0), a.int32(1, "steps")
		if a.err != nil {
			return nil, nil
		}
		st, err := smp.FlowStep(f, steps)
		if err != nil {
			return nil, err
		}
		return map[string]any{"steps": st.Steps, "mmd2": st.MMD2, "noise": st.Noise, "bandwidth": st.Bandwidth}, nil
	},
	"flowParticles": float32Call(func(f sampler.Handle) ([]float32, error) { return smp.FlowParticles(f, nil) }),
	"flowTargets":   float32Call(func(f sampler.Handle) ([]float32, error) { return smp.FlowTargets(f, nil) }),
	"flowWitnessGrid": func(a *args) (any, error) {
		g := sampler.Grid{XMin: a.number(1, "xmin"), XMax: a.number(2, "xmax"), YMin: a.number(3, "ymin"),
			YMax: a.number(4, "ymax"), Res: a.int32(5, "res")}
		f := a.handle(0)
		if a.err != nil {
			return nil, nil
		}
		w, err := smp.FlowWitnessGrid(f, g, nil)
		if err != nil {
			return nil, err
		}
		return toFloat32Array(w), nil
	},
	"free": func(a *args) (any, error) {
		h := a.handle(0)
		if a.err != nil {
			return nil, nil
		}
		return js.Undefined(), smp.Free(h)
	},
}

// float32Call is a function of a chain set (or a flow) that returns a
// Float32Array.
func float32Call(f func(sampler.Handle) ([]float32, error)) func(a *args) (any, error) {
	return func(a *args) (any, error) {
		c := a.handle(0)
		if a.err != nil {
			return nil, nil
		}
		x, err := f(c)
		if err != nil {
			return nil, err
		}
		return toFloat32Array(x), nil
	}
}
