package wasihost

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"sync"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
)

// exports are the functions of the sampler module that Instance calls.
var exports = []string{"mem_alloc", "mem_free", "last_error", "open", "describe", "new_chains", "step",
	"sir", "set_beta", "set_latents", "chains_info", "latents", "samples", "energies", "accept", "energy_grid",
	"generate", "free", "new_flow", "flow_step", "flow_particles", "flow_witness_grid",
	"new_trainer", "train_steps", "train_info", "train_model", "train_snapshot"}

// Instance is one instantiation of the module: its own memory, models and
// chains. It holds one scratch buffer in the module's memory, reused for
// every array it passes. An Instance is not safe for concurrent use (nor is
// a WebAssembly instance).
type Instance struct {
	ctx     context.Context
	module  *Module
	mod     api.Module
	fns     map[string]api.Function
	stderr  *tail
	trapped error // the first trap; every later call returns it

	scratch, scratchLen uint32 // a buffer from mem_alloc
}

// Instantiate creates a fresh instance and runs its _initialize export (the
// Go runtime's start-up). The context is used for every call.
func (m *Module) Instantiate(ctx context.Context) (*Instance, error) {
	return m.instantiate(ctx, true)
}

func (m *Module) instantiate(ctx context.Context, initialize bool) (*Instance, error) {
	stderr := &tail{max: 64 << 10}
	cfg := wazero.NewModuleConfig().WithName("").WithStdout(stderr).WithStderr(stderr).WithStartFunctions()
	if initialize {
		cfg = cfg.WithStartFunctions("_initialize")
	}
	mod, err := m.rt.InstantiateModule(ctx, m.compiled, cfg)
	if err != nil {
		return nil, fmt.Errorf("wasihost: instantiate: %w (stderr: %s)", err, stderr)
	}
	in := &Instance{ctx: ctx, module: m, mod: mod, fns: map[string]api.Function{}, stderr: stderr}
	for _, name := range exports {
		in.fns[name] = mod.ExportedFunction(name)
	}
	return in, nil
}

// Close releases the instance (and its kernel instance, if any).
func (in *Instance) Close() error {
	return errors.Join(in.module.simd.Release(in.ctx, in.mod), in.mod.Close(in.ctx))
}

// SIMD reports whether the instance's matrix products run in the SIMD128
// kernel: the module was built with -tags wasmsimd and has called it (so,
// after its first matrix product; before that, false).
func (in *Instance) SIMD() bool { return in.module.simd.Attached(in.mod) }

// MemoryPages is the size of the instance's linear memory in 64 KiB pages.
func (in *Instance) MemoryPages() uint32 { return in.mod.Memory().Size() / 65536 }

// Trapped reports the trap that made the instance unusable, or nil.
func (in *Instance) Trapped() error { return in.trapped }

// Output returns the end of what the module wrote to stdout and stderr.
func (in *Instance) Output() string { return in.stderr.String() }

// raw calls an export and returns its single result; an error is a trap.
func (in *Instance) raw(name string, params ...uint64) (uint64, error) {
	if in.trapped != nil {
		return 0, in.trapped
	}
	res, err := in.fns[name].Call(in.ctx, params...)
	if err != nil {
		in.trapped = &TrapError{Call: name, Err: err, Stderr: in.stderr.String()}
		return 0, in.trapped
	}
	return res[0], nil
}

// call calls an export whose int32 result is a status code when negative.
func (in *Instance) call(name string, params ...uint64) (int32, error) {
	r, err := in.raw(name, params...)
	if err != nil {
		return 0, err
	}
	v := api.DecodeI32(r)
	if v < 0 {
		return 0, in.statusError(name, v)
	}
	return v, nil
}

func (in *Instance) statusError(name string, code int32) error {
	msg := "(no error text)"
	if r, err := in.raw("last_error"); err == nil {
		msg = string(in.read(uint32(r>>32), uint32(r)))
	}
	return &StatusError{Call: name, Code: code, Message: msg}
}

// LastError returns the text of the module's most recent failure.
func (in *Instance) LastError() (string, error) {
	r, err := in.raw("last_error")
	if err != nil {
		return "", err
	}
	return string(in.read(uint32(r>>32), uint32(r))), nil
}

// read copies n bytes at ptr out of the module's memory.
func (in *Instance) read(ptr, n uint32) []byte {
	b, ok := in.mod.Memory().Read(ptr, n)
	if !ok {
		return nil
	}
	return append([]byte(nil), b...)
}

func (in *Instance) write(ptr uint32, b []byte) error {
	if !in.mod.Memory().Write(ptr, b) {
		return fmt.Errorf("wasihost: write of %d bytes at %#x outside memory", len(b), ptr)
	}
	return nil
}

// buffer returns the address of a scratch buffer of at least n bytes,
// replacing the current one when it is too small.
func (in *Instance) buffer(n int) (uint32, error) {
	if n <= int(in.scratchLen) {
		return in.scratch, nil
	}
	size := max(uint32(n), 2*in.scratchLen, 1024)
	r, err := in.raw("mem_alloc", api.EncodeU32(size))
	if err != nil {
		return 0, err
	}
	if uint32(r) == 0 {
		return 0, in.statusError("mem_alloc", -1)
	}
	if in.scratch != 0 {
		if _, err := in.call("mem_free", api.EncodeU32(in.scratch)); err != nil {
			return 0, err
		}
	}
	in.scratch, in.scratchLen = uint32(r), size
	return in.scratch, nil
}

func (in *Instance) readFloat32s(ptr uint32, n int) []float32 {
	b := in.read(ptr, uint32(4*n))
	out := make([]float32, n)
	for i := range out {
		out[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return out
}

func (in *Instance) readFloat64s(ptr uint32, n int) []float64 {
	b := in.read(ptr, uint32(8*n))
	out := make([]float64, n)
	for i := range out {
		out[i] = math.Float64frombits(binary.LittleEndian.Uint64(b[8*i:]))
	}
	return out
}

// tail is an io.Writer that keeps the last max bytes written.
type tail struct {
	mu  sync.Mutex
	max int
	b   []byte
}

func (t *tail) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.b = append(t.b, p...)
	if len(t.b) > t.max {
		t.b = append(t.b[:0], t.b[len(t.b)-t.max:]...)
	}
	return len(p), nil
}

func (t *tail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.b)
}
