//go:build js && wasm

package jsapi

import (
	"syscall/js"

	"github.com/gebm/gebm/shared/tagjson"
	"github.com/gebm/gebm/wasm/sampler"
)

// Calls returns the sampler's functions on smp (open, describe, newChains,
// step, ..., free; the list is wasm/js's doc) and the SIMD128 kernel's
// (simd.go), for Register.
func Calls(smp *sampler.Sampler) map[string]Call {
	calls := map[string]Call{
		"open": func(a *Args) (any, error) {
			b := a.Bytes(0, "bytes")
			if a.Err() != nil {
				return nil, nil
			}
			h, err := smp.Open(b)
			return int(h), err
		},
		"describe": func(a *Args) (any, error) {
			d, err := smp.Describe(a.Handle(0))
			if err != nil || a.Err() != nil {
				return nil, err
			}
			return ToObject(d), nil
		},
		"newChains": func(a *Args) (any, error) {
			m, n, seed, beta := a.Handle(0), a.Int32(1, "n"), a.Seed(2), a.Number(3, "beta", 1)
			if a.Err() != nil {
				return nil, nil
			}
			h, err := smp.NewChains(m, n, seed, beta)
			return int(h), err
		},
		"step": func(a *Args) (any, error) {
			p := sampler.StepParams{Method: a.String(1, "method"), StepSize: a.Number(2, "stepSize"),
				Leapfrog: a.Int32(3, "leapfrog"), Friction: a.Number(4, "friction"),
				Steps: a.Int32(5, "steps")}
			c := a.Handle(0)
			if a.Err() != nil {
				return nil, nil
			}
			return smp.Step(c, p)
		},
		"sir": func(a *Args) (any, error) {
			c, pool := a.Handle(0), a.Int32(1, "pool")
			if a.Err() != nil {
				return nil, nil
			}
			r, err := smp.SIR(c, pool)
			if err != nil {
				return nil, err
			}
			return ToObject(r), nil
		},
		"setBeta": func(a *Args) (any, error) {
			c, beta := a.Handle(0), a.Number(1, "beta")
			if a.Err() != nil {
				return nil, nil
			}
			return js.Undefined(), smp.SetBeta(c, beta)
		},
		"setLatents": func(a *Args) (any, error) {
			c, z := a.Handle(0), a.Float32s(1, "z")
			if a.Err() != nil {
				return nil, nil
			}
			return js.Undefined(), smp.SetLatents(c, z)
		},
		"chains": func(a *Args) (any, error) {
			n, d, D, err := smp.Chains(a.Handle(0))
			if err != nil || a.Err() != nil {
				return nil, err
			}
			return map[string]any{"n": n, "latent": d, "dim": D}, nil
		},
		"latents":  float32Call(func(c sampler.Handle) ([]float32, error) { return smp.Latents(c, nil) }),
		"samples":  float32Call(func(c sampler.Handle) ([]float32, error) { return smp.Samples(c, nil) }),
		"energies": float32Call(func(c sampler.Handle) ([]float32, error) { return smp.Energies(c, nil) }),
		"accept": func(a *Args) (any, error) {
			r, err := smp.Accept(a.Handle(0), nil)
			if err != nil || a.Err() != nil {
				return nil, err
			}
			return ToFloat64Array(r), nil
		},
		"energyGrid": func(a *Args) (any, error) {
			g := sampler.Grid{XMin: a.Number(1, "xmin"), XMax: a.Number(2, "xmax"), YMin: a.Number(3, "ymin"),
				YMax: a.Number(4, "ymax"), Res: a.Int32(5, "res")}
			m := a.Handle(0)
			if a.Err() != nil {
				return nil, nil
			}
			e, err := smp.EnergyGrid(m, g, nil)
			if err != nil {
				return nil, err
			}
			return ToFloat32Array(e), nil
		},
		"generate": func(a *Args) (any, error) {
			m, n, seed := a.Handle(0), a.Int32(1, "n"), a.Seed(2)
			if a.Err() != nil {
				return nil, nil
			}
			x, err := smp.Generate(m, n, seed, nil)
			if err != nil {
				return nil, err
			}
			return ToFloat32Array(x), nil
		},
		"newFlow": func(a *Args) (any, error) {
			m, cfg := a.Handle(0), a.Get(1)
			if a.Err() != nil {
				return nil, nil
			}
			if cfg.Type() != js.TypeObject {
				a.Fail(1, "config", "want an object, got %s", cfg.Type())
				return nil, nil
			}
			var c sampler.FlowConfig
			if err := tagjson.Unmarshal([]byte(js.Global().Get("JSON").Call("stringify", cfg).String()), &c); err != nil {
				a.Fail(1, "config", "%v", err)
				return nil, nil
			}
			h, err := smp.NewFlow(m, c)
			return int(h), err
		},
		"flowStep": func(a *Args) (any, error) {
			f, steps := a.Handle(0), a.Int32(1, "steps")
			if a.Err() != nil {
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
		"flowWitnessGrid": func(a *Args) (any, error) {
			g := sampler.Grid{XMin: a.Number(1, "xmin"), XMax: a.Number(2, "xmax"), YMin: a.Number(3, "ymin"),
				YMax: a.Number(4, "ymax"), Res: a.Int32(5, "res")}
			f := a.Handle(0)
			if a.Err() != nil {
				return nil, nil
			}
			w, err := smp.FlowWitnessGrid(f, g, nil)
			if err != nil {
				return nil, err
			}
			return ToFloat32Array(w), nil
		},
		"free": func(a *Args) (any, error) {
			h := a.Handle(0)
			if a.Err() != nil {
				return nil, nil
			}
			return js.Undefined(), smp.Free(h)
		},
	}
	addSIMD(calls)
	return calls
}

// float32Call is a function of a chain set (or a flow) that returns a
// Float32Array.
func float32Call(f func(sampler.Handle) ([]float32, error)) Call {
	return func(a *Args) (any, error) {
		c := a.Handle(0)
		if a.Err() != nil {
			return nil, nil
		}
		x, err := f(c)
		if err != nil {
			return nil, err
		}
		return ToFloat32Array(x), nil
	}
}
