//go:build wasip1

package main

import (
	"encoding/binary"
	"encoding/json"
	"fmt"

	"github.com/gebm/gebm/wasm/sampler"
)

// open loads the model file in the len bytes at ptr and returns its
// handle.
//
//go:wasmexport open
func open(ptr, n uint32) int32 {
	return guard(func() (int32, error) {
		b, err := view(ptr, n)
		if err != nil {
			return 0, err
		}
		h, err := smp.Open(b)
		return int32(h), err
	})
}

// describe writes the description of model m (sampler.Description as
// JSON) into the count bytes at ptr and returns its length.
//
//go:wasmexport describe
func describe(m int32, ptr, count uint32) int32 {
	return guard(func() (int32, error) {
		dst, err := view(ptr, count)
		if err != nil {
			return 0, err
		}
		d, err := smp.Describe(sampler.Handle(m))
		if err != nil {
			return 0, err
		}
		b, err := json.Marshal(d)
		if err != nil {
			return 0, err
		}
		if len(b) > len(dst) {
			return 0, fmt.Errorf("wasi: describe: %w: the buffer holds %d bytes, the description has %d", sampler.ErrArgument, count, len(b))
		}
		return int32(copy(dst, b)), nil
	})
}

// new_chains creates n chains on model m, started from seed, at inverse
// temperature beta; it returns their handle.
//
//go:wasmexport new_chains
func newChains(m, n int32, seed uint64, beta float64) int32 {
	return guard(func() (int32, error) {
		h, err := smp.NewChains(sampler.Handle(m), int(n), seed, beta)
		return int32(h), err
	})
}

// step performs steps transitions of chain set c with the method named by
// the methodLen bytes at methodPtr, and writes the mean acceptance (one
// float64) at accPtr unless accPtr is 0.
//
//go:wasmexport step
func step(c int32, methodPtr, methodLen uint32, stepSize float64, leapfrog int32, friction float64, steps int32, accPtr uint32) int32 {
	return guard(func() (int32, error) {
		method, err := view(methodPtr, methodLen)
		if err != nil {
			return 0, err
		}
		var acc []float64
		if accPtr != 0 {
			if acc, err = float64s(accPtr, 1); err != nil {
				return 0, err
			}
		}
		a, err := smp.Step(sampler.Handle(c), sampler.StepParams{Method: string(method), StepSize: stepSize,
			Leapfrog: int(leapfrog), Friction: friction, Steps: int(steps)})
		if err != nil {
			return 0, err
		}
		if acc != nil {
			acc[0] = a
		}
		return 0, nil
	})
}

// sir redraws the chains of set c by sampling–importance–resampling from a
// pool of pool latents per chain, and writes the result at outPtr unless it
// is 0, as six float64 values: the pool size, the ESS, log Σw, log Σw², the
// number of pool latents of weight 0 and the number of distinct latents
// taken (sampler.SIRResult, in its field order).
//
//go:wasmexport sir
func sir(c, pool int32, outPtr uint32) int32 {
	return guard(func() (int32, error) {
		var out []float64
		if outPtr != 0 {
			var err error
			if out, err = float64s(outPtr, 6); err != nil {
				return 0, err
			}
		}
		r, err := smp.SIR(sampler.Handle(c), int(pool))
		if err != nil {
			return 0, err
		}
		if out != nil {
			copy(out, []float64{float64(r.Pool), r.ESS, r.LogSumW, r.LogSumW2, float64(r.Zero), float64(r.Distinct)})
		}
		return 0, nil
	})
}

// set_beta changes the inverse temperature of chain set c.
//
//go:wasmexport set_beta
func setBeta(c int32, beta float64) int32 {
	return guard(func() (int32, error) { return 0, smp.SetBeta(sampler.Handle(c), beta) })
}

// set_latents moves the chains of c to the count float32 values at ptr (one
// latent per chain, or one for all).
//
//go:wasmexport set_latents
func setLatents(c int32, ptr, count uint32) int32 {
	return guard(func() (int32, error) {
		z, err := float32s(ptr, count)
		if err != nil {
			return 0, err
		}
		return 0, smp.SetLatents(sampler.Handle(c), z)
	})
}

// float32Result calls f with the count float32 values at ptr as its
// destination and returns the number of values f wrote there.
func float32Result(ptr, count uint32, f func(dst []float32) ([]float32, error)) int32 {
	return guard(func() (int32, error) {
		dst, err := float32s(ptr, count)
		if err != nil {
			return 0, err
		}
		out, err := f(dst)
		if err != nil {
			return 0, err
		}
		return fits(len(out), count)
	})
}

// latents writes the latents of chain set c (n×d float32) at ptr.
//
//go:wasmexport latents
func latents(c int32, ptr, count uint32) int32 {
	return float32Result(ptr, count, func(dst []float32) ([]float32, error) { return smp.Latents(sampler.Handle(c), dst) })
}

// samples writes the samples B(z) of chain set c (n×D float32) at ptr.
//
//go:wasmexport samples
func samples(c int32, ptr, count uint32) int32 {
	return float32Result(ptr, count, func(dst []float32) ([]float32, error) { return smp.Samples(sampler.Handle(c), dst) })
}

// energies writes the energies E(B(z)) of chain set c (n float32) at ptr.
//
//go:wasmexport energies
func energies(c int32, ptr, count uint32) int32 {
	return float32Result(ptr, count, func(dst []float32) ([]float32, error) { return smp.Energies(sampler.Handle(c), dst) })
}

// accept writes the per-chain acceptance rates of the last step call of c
// (n float64) at ptr.
//
//go:wasmexport accept
func accept(c int32, ptr, count uint32) int32 {
	return guard(func() (int32, error) {
		dst, err := float64s(ptr, count)
		if err != nil {
			return 0, err
		}
		out, err := smp.Accept(sampler.Handle(c), dst)
		if err != nil {
			return 0, err
		}
		return fits(len(out), count)
	})
}

// energy_grid writes the energies of 2-D model m on a res×res grid
// (float32, see sampler.Grid) at ptr.
//
//go:wasmexport energy_grid
func energyGrid(m int32, xmin, xmax, ymin, ymax float64, res int32, ptr, count uint32) int32 {
	return float32Result(ptr, count, func(dst []float32) ([]float32, error) {
		return smp.EnergyGrid(sampler.Handle(m), sampler.Grid{XMin: xmin, XMax: xmax, YMin: ymin, YMax: ymax, Res: int(res)}, dst)
	})
}

// generate writes n generator samples of model m drawn from seed (n×D
// float32) at ptr.
//
//go:wasmexport generate
func generate(m, n int32, seed uint64, ptr, count uint32) int32 {
	return float32Result(ptr, count, func(dst []float32) ([]float32, error) {
		return smp.Generate(sampler.Handle(m), int(n), seed, dst)
	})
}

// free closes a model (and its chain sets), a chain set, a flow or a
// trainer.
//
//go:wasmexport free
func free(h int32) int32 {
	return guard(func() (int32, error) { return 0, smp.Free(sampler.Handle(h)) })
}

// chains_info writes the size of chain set c at ptr as three int32 values:
// the number of chains n, the latent size d and the data size D.
//
//go:wasmexport chains_info
func chainsInfo(c int32, ptr uint32) int32 {
	return guard(func() (int32, error) {
		b, err := typed(ptr, 3, 4)
		if err != nil {
			return 0, err
		}
		n, d, D, err := smp.Chains(sampler.Handle(c))
		if err != nil {
			return 0, err
		}
		for i, v := range []int{n, d, D} {
			binary.LittleEndian.PutUint32(b[4*i:], uint32(v))
		}
		return 0, nil
	})
}

// new_flow starts an MMD flow on 2-D model m, configured by the cfgLen
// bytes at cfgPtr (sampler.FlowConfig as JSON), and returns its handle.
//
//go:wasmexport new_flow
func newFlow(m int32, cfgPtr, cfgLen uint32) int32 {
	return guard(func() (int32, error) {
		b, err := view(cfgPtr, cfgLen)
		if err != nil {
			return 0, err
		}
		var c sampler.FlowConfig
		if err := json.Unmarshal(b, &c); err != nil {
			return 0, fmt.Errorf("wasi: new_flow: %w: the configuration: %v", sampler.ErrArgument, err)
		}
		h, err := smp.NewFlow(sampler.Handle(m), c)
		return int32(h), err
	})
}

// flow_step takes steps steps of flow f and writes its state at outPtr
// unless it is 0, as four float64 values: the steps taken, MMD², the next
// noise level and the bandwidth (sampler.FlowState, in its field order).
//
//go:wasmexport flow_step
func flowStep(f, steps int32, outPtr uint32) int32 {
	return guard(func() (int32, error) {
		var out []float64
		if outPtr != 0 {
			var err error
			if out, err = float64s(outPtr, 4); err != nil {
				return 0, err
			}
		}
		st, err := smp.FlowStep(sampler.Handle(f), int(steps))
		if err != nil {
			return 0, err
		}
		if out != nil {
			copy(out, []float64{float64(st.Steps), st.MMD2, st.Noise, st.Bandwidth})
		}
		return 0, nil
	})
}

// flow_particles writes the particles of flow f (N×2 float32) at ptr.
//
//go:wasmexport flow_particles
func flowParticles(f int32, ptr, count uint32) int32 {
	return float32Result(ptr, count, func(dst []float32) ([]float32, error) { return smp.FlowParticles(sampler.Handle(f), dst) })
}

// flow_witness_grid writes the witness of flow f on a res×res grid
// (float32, see sampler.Grid) at ptr.
//
//go:wasmexport flow_witness_grid
func flowWitnessGrid(f int32, xmin, xmax, ymin, ymax float64, res int32, ptr, count uint32) int32 {
	return float32Result(ptr, count, func(dst []float32) ([]float32, error) {
		return smp.FlowWitnessGrid(sampler.Handle(f), sampler.Grid{XMin: xmin, XMax: xmax, YMin: ymin, YMax: ymax, Res: int(res)}, dst)
	})
}
