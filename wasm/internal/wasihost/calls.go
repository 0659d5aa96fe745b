package wasihost

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"

	"github.com/gebm/gebm/wasm/sampler"
	"github.com/tetratelabs/wazero/api"
)

// The methods below mirror package sampler's API, call for call, through
// the module's exports; errors are *StatusError or *TrapError.

// Open loads a model file into the instance.
func (in *Instance) Open(file []byte) (sampler.Handle, error) {
	ptr, err := in.buffer(len(file))
	if err != nil {
		return 0, err
	}
	if err := in.write(ptr, file); err != nil {
		return 0, err
	}
	h, err := in.call("open", api.EncodeU32(ptr), api.EncodeU32(uint32(len(file))))
	return sampler.Handle(h), err
}

// Describe returns the description of model m.
func (in *Instance) Describe(m sampler.Handle) (sampler.Description, error) {
	var d sampler.Description
	const size = 4096 // a description is a few hundred bytes
	ptr, err := in.buffer(size)
	if err != nil {
		return d, err
	}
	n, err := in.call("describe", api.EncodeI32(int32(m)), api.EncodeU32(ptr), api.EncodeU32(size))
	if err != nil {
		return d, err
	}
	if err := json.Unmarshal(in.read(ptr, uint32(n)), &d); err != nil {
		return d, fmt.Errorf("wasihost: describe: %w", err)
	}
	return d, nil
}

// NewChains creates n chains on model m.
func (in *Instance) NewChains(m sampler.Handle, n int, seed uint64, beta float64) (sampler.Handle, error) {
	h, err := in.call("new_chains", api.EncodeI32(int32(m)), api.EncodeI32(int32(n)), seed, api.EncodeF64(beta))
	return sampler.Handle(h), err
}

// Step performs p.Steps transitions of chain set c and returns the mean
// acceptance.
func (in *Instance) Step(c sampler.Handle, p sampler.StepParams) (float64, error) {
	ptr, err := in.buffer(8 + len(p.Method))
	if err != nil {
		return 0, err
	}
	if err := in.write(ptr+8, []byte(p.Method)); err != nil {
		return 0, err
	}
	_, err = in.call("step", api.EncodeI32(int32(c)), api.EncodeU32(ptr+8), api.EncodeU32(uint32(len(p.Method))),
		api.EncodeF64(p.StepSize), api.EncodeI32(int32(p.Leapfrog)), api.EncodeF64(p.Friction),
		api.EncodeI32(int32(p.Steps)), api.EncodeU32(ptr))
	if err != nil {
		return 0, err
	}
	return in.readFloat64s(ptr, 1)[0], nil
}

// SIR redraws the chains of set c by sampling–importance–resampling from a
// pool of pool latents per chain.
func (in *Instance) SIR(c sampler.Handle, pool int) (sampler.SIRResult, error) {
	var r sampler.SIRResult
	ptr, err := in.buffer(6 * 8)
	if err != nil {
		return r, err
	}
	if _, err := in.call("sir", api.EncodeI32(int32(c)), api.EncodeI32(int32(pool)), api.EncodeU32(ptr)); err != nil {
		return r, err
	}
	v := in.readFloat64s(ptr, 6)
	return sampler.SIRResult{Pool: int(v[0]), ESS: v[1], LogSumW: v[2], LogSumW2: v[3], Zero: int(v[4]), Distinct: int(v[5])}, nil
}

// SetBeta changes the inverse temperature of chain set c.
func (in *Instance) SetBeta(c sampler.Handle, beta float64) error {
	_, err := in.call("set_beta", api.EncodeI32(int32(c)), api.EncodeF64(beta))
	return err
}

// SetLatents moves the chains of c to z.
func (in *Instance) SetLatents(c sampler.Handle, z []float32) error {
	ptr, err := in.buffer(4 * len(z))
	if err != nil {
		return err
	}
	b := make([]byte, 4*len(z))
	for i, v := range z {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(v))
	}
	if err := in.write(ptr, b); err != nil {
		return err
	}
	_, err = in.call("set_latents", api.EncodeI32(int32(c)), api.EncodeU32(ptr), api.EncodeU32(uint32(len(z))))
	return err
}

// Chains returns the number of chains of set c and their latent and data
// sizes.
func (in *Instance) Chains(c sampler.Handle) (n, latent, dim int, err error) {
	ptr, err := in.buffer(12)
	if err != nil {
		return 0, 0, 0, err
	}
	if _, err := in.call("chains_info", api.EncodeI32(int32(c)), api.EncodeU32(ptr)); err != nil {
		return 0, 0, 0, err
	}
	b := in.read(ptr, 12)
	return int(binary.LittleEndian.Uint32(b)), int(binary.LittleEndian.Uint32(b[4:])), int(binary.LittleEndian.Uint32(b[8:])), nil
}

// float32s calls an export that writes count float32 values into a buffer
// (its last two parameters) and returns them.
func (in *Instance) float32s(name string, count int, params ...uint64) ([]float32, error) {
	ptr, err := in.buffer(4 * count)
	if err != nil {
		return nil, err
	}
	params = append(params, api.EncodeU32(ptr), api.EncodeU32(uint32(count)))
	n, err := in.call(name, params...)
	if err != nil {
		return nil, err
	}
	return in.readFloat32s(ptr, int(n)), nil
}

// Latents returns the latents of chain set c (n×d).
func (in *Instance) Latents(c sampler.Handle) ([]float32, error) {
	n, d, _, err := in.Chains(c)
	if err != nil {
		return nil, err
	}
	return in.float32s("latents", n*d, api.EncodeI32(int32(c)))
}

// Samples returns the samples B(z) of chain set c (n×D).
func (in *Instance) Samples(c sampler.Handle) ([]float32, error) {
	n, _, D, err := in.Chains(c)
	if err != nil {
		return nil, err
	}
	return in.float32s("samples", n*D, api.EncodeI32(int32(c)))
}

// Energies returns the energies E(B(z)) of chain set c (n).
func (in *Instance) Energies(c sampler.Handle) ([]float32, error) {
	n, _, _, err := in.Chains(c)
	if err != nil {
		return nil, err
	}
	return in.float32s("energies", n, api.EncodeI32(int32(c)))
}

// Accept returns the per-chain acceptance rates of the last Step of c.
func (in *Instance) Accept(c sampler.Handle) ([]float64, error) {
	n, _, _, err := in.Chains(c)
	if err != nil {
		return nil, err
	}
	ptr, err := in.buffer(8 * n)
	if err != nil {
		return nil, err
	}
	k, err := in.call("accept", api.EncodeI32(int32(c)), api.EncodeU32(ptr), api.EncodeU32(uint32(n)))
	if err != nil {
		return nil, err
	}
	return in.readFloat64s(ptr, int(k)), nil
}

// EnergyGrid returns the energies of 2-D model m on grid g.
func (in *Instance) EnergyGrid(m sampler.Handle, g sampler.Grid) ([]float32, error) {
	count := 0
	if g.Res > 0 && g.Res <= sampler.MaxGridRes {
		count = g.Res * g.Res
	}
	return in.float32s("energy_grid", count, api.EncodeI32(int32(m)), api.EncodeF64(g.XMin), api.EncodeF64(g.XMax),
		api.EncodeF64(g.YMin), api.EncodeF64(g.YMax), api.EncodeI32(int32(g.Res)))
}

// Generate returns n generator samples of model m drawn from seed (n×D).
func (in *Instance) Generate(m sampler.Handle, n int, seed uint64) ([]float32, error) {
	d, err := in.Describe(m)
	if err != nil {
		return nil, err
	}
	count := 0
	if n > 0 && n <= sampler.MaxChains {
		count = n * d.Dim
	}
	return in.float32s("generate", count, api.EncodeI32(int32(m)), api.EncodeI32(int32(n)), seed)
}

// Free closes a model (and its chain sets), a chain set or a flow.
func (in *Instance) Free(h sampler.Handle) error {
	_, err := in.call("free", api.EncodeI32(int32(h)))
	return err
}

// NewFlow starts an MMD flow on 2-D model m.
func (in *Instance) NewFlow(m sampler.Handle, c sampler.FlowConfig) (sampler.Handle, error) {
	b, err := json.Marshal(c)
	if err != nil {
		return 0, err
	}
	ptr, err := in.buffer(len(b))
	if err != nil {
		return 0, err
	}
	if err := in.write(ptr, b); err != nil {
		return 0, err
	}
	h, err := in.call("new_flow", api.EncodeI32(int32(m)), api.EncodeU32(ptr), api.EncodeU32(uint32(len(b))))
	return sampler.Handle(h), err
}

// FlowStep takes steps steps of flow f and returns its state.
func (in *Instance) FlowStep(f sampler.Handle, steps int) (sampler.FlowState, error) {
	var st sampler.FlowState
	ptr, err := in.buffer(4 * 8)
	if err != nil {
		return st, err
	}
	if _, err := in.call("flow_step", api.EncodeI32(int32(f)), api.EncodeI32(int32(steps)), api.EncodeU32(ptr)); err != nil {
		return st, err
	}
	v := in.readFloat64s(ptr, 4)
	return sampler.FlowState{Steps: int(v[0]), MMD2: v[1], Noise: v[2], Bandwidth: v[3]}, nil
}

// FlowParticles returns the n particles of flow f (n×2).
func (in *Instance) FlowParticles(f sampler.Handle, n int) ([]float32, error) {
	return in.float32s("flow_particles", 2*n, api.EncodeI32(int32(f)))
}

// FlowWitnessGrid returns the witness of flow f on grid g.
func (in *Instance) FlowWitnessGrid(f sampler.Handle, g sampler.Grid) ([]float32, error) {
	count := 0
	if g.Res > 0 && g.Res <= sampler.MaxGridRes {
		count = g.Res * g.Res
	}
	return in.float32s("flow_witness_grid", count, api.EncodeI32(int32(f)), api.EncodeF64(g.XMin), api.EncodeF64(g.XMax),
		api.EncodeF64(g.YMin), api.EncodeF64(g.YMax), api.EncodeI32(int32(g.Res)))
}
