// Package simdhost provides gebm's SIMD128 matrix kernel (package wasm/simd)
// to Go WebAssembly modules run in wazero: the host module "gebm" with the
// function "gemm" that modules built with -tags wasmsimd import. On the
// first call from a module it instantiates the kernel on that module's
// exported memory ("memory", as GOOS=wasip1 exports it) and from then on
// forwards every call to it; a module that does not export its memory gets
// 0, which makes its Go code fall back to its own kernel.
//
// wazero's compiler runs the kernel's SIMD instructions natively (amd64,
// arm64); its interpreter runs them too, slowly.
package simdhost

import (
	"context"
	"fmt"
	"sync"

	"github.com/gebm/gebm/wasm/simd"
	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/experimental"
)

// Host is the instantiated host module of one wazero.Runtime.
type Host struct {
	rt     wazero.Runtime
	kernel wazero.CompiledModule

	mu      sync.Mutex
	kernels map[api.Module]*kernel
	calls   uint64 // calls the kernel computed
}

type kernel struct {
	mod api.Module // the kernel's instance
	fn  api.Function
}

var i32, f32 = api.ValueTypeI32, api.ValueTypeF32

// signature of gebm.gemm: (op, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc) → i32.
var params = []api.ValueType{i32, i32, i32, i32, f32, i32, i32, i32, i32, f32, i32, i32}

// Instantiate compiles the kernel and instantiates the host module "gebm"
// in rt, before any module that imports it.
func Instantiate(ctx context.Context, rt wazero.Runtime) (*Host, error) {
	compiled, err := rt.CompileModule(ctx, simd.Kernel)
	if err != nil {
		return nil, fmt.Errorf("simdhost: compiling the kernel: %w", err)
	}
	h := &Host{rt: rt, kernel: compiled, kernels: map[api.Module]*kernel{}}
	_, err = rt.NewHostModuleBuilder(simd.ImportModule).
		NewFunctionBuilder().
		WithGoModuleFunction(api.GoModuleFunc(h.gemm), params, []api.ValueType{i32}).
		WithParameterNames("tB", "m", "n", "k", "alpha", "a", "lda", "b", "ldb", "beta", "c", "ldc").
		Export(simd.ImportName).
		Instantiate(ctx)
	if err != nil {
		compiled.Close(ctx)
		return nil, fmt.Errorf("simdhost: instantiating the host module %q: %w", simd.ImportModule, err)
	}
	return h, nil
}

// gemm is gebm.gemm: it forwards the call to the caller's kernel, and
// answers 0 where there is none.
func (h *Host) gemm(ctx context.Context, caller api.Module, stack []uint64) {
	k, err := h.kernelFor(ctx, caller)
	if err != nil {
		stack[0] = 0
		return
	}
	if err := k.fn.CallWithStack(ctx, stack); err != nil {
		// The kernel traps only on an address outside memory, which the Go
		// side's checks rule out: let the caller trap too.
		panic(fmt.Errorf("simdhost: kernel: %w", err))
	}
	h.mu.Lock()
	h.calls++
	h.mu.Unlock()
}

// kernelFor returns caller's kernel instance, instantiating it on the
// caller's memory the first time.
func (h *Host) kernelFor(ctx context.Context, caller api.Module) (*kernel, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if k, ok := h.kernels[caller]; ok {
		if k == nil {
			return nil, fmt.Errorf("simdhost: no kernel for %q", caller.Name())
		}
		return k, nil
	}
	if _, ok := caller.ExportedMemoryDefinitions()[simd.MemoryName]; !ok {
		h.kernels[caller] = nil // remembered: no memory, no kernel
		return nil, fmt.Errorf("simdhost: module %q exports no memory %q", caller.Name(), simd.MemoryName)
	}
	resolve := experimental.WithImportResolver(ctx, func(name string) api.Module {
		if name == simd.MemoryModule {
			return caller
		}
		return nil
	})
	mod, err := h.rt.InstantiateModule(resolve, h.kernel, wazero.NewModuleConfig().WithName("").WithStartFunctions())
	if err != nil {
		h.kernels[caller] = nil
		return nil, fmt.Errorf("simdhost: instantiating the kernel on %q's memory: %w", caller.Name(), err)
	}
	k := &kernel{mod: mod, fn: mod.ExportedFunction(simd.Export)}
	h.kernels[caller] = k
	return k, nil
}

// Attached reports whether mod has called gebm.gemm and got the kernel.
func (h *Host) Attached(mod api.Module) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.kernels[mod] != nil
}

// Calls is the number of products the kernel has computed, over all
// modules.
func (h *Host) Calls() uint64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.calls
}

// Release closes mod's kernel instance, if any; call it when closing mod.
func (h *Host) Release(ctx context.Context, mod api.Module) error {
	h.mu.Lock()
	k, ok := h.kernels[mod]
	delete(h.kernels, mod)
	h.mu.Unlock()
	if !ok || k == nil {
		return nil
	}
	return k.mod.Close(ctx)
}
