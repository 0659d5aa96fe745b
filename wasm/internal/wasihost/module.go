// Package wasihost runs gebm's WASI sampler module (wasm/internal/wasi) in wazero and
// calls its exports with Go values: the headless host that the tests and the
// benchmark use, and a reference for any other host of the module.
//
// A Module is the compiled code; each Instance is a fresh copy of the
// module's state (its own memory, models and chains). An export that traps
// (the module ran out of memory, or was called before initialisation) makes
// its Instance unusable: close it and instantiate another.
package wasihost

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"

	"github.com/gebm/gebm/wasm/internal/simdhost"
	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"
)

// Config tunes Compile.
type Config struct {
	// CacheDir is where wazero keeps compiled code between processes; ""
	// means DefaultCacheDir(), "-" no cache.
	CacheDir string
	// MemoryLimitPages caps each instance's linear memory, in 64 KiB pages
	// (0: wazero's default, 4 GiB).
	MemoryLimitPages uint32
}

// Module is the compiled sampler module, ready to instantiate.
type Module struct {
	rt       wazero.Runtime
	compiled wazero.CompiledModule
	cache    wazero.CompilationCache
	simd     *simdhost.Host // gebm.gemm, the SIMD128 kernel
}

// DefaultCacheDir is the compilation cache under the user's cache
// directory, in a folder named after the wazero version, whose compiled
// code another version could not read.
func DefaultCacheDir() string {
	dir, err := os.UserCacheDir()
	if err != nil {
		dir = os.TempDir()
	}
	return filepath.Join(dir, "gebm", "wazero-"+wazeroVersion())
}

func wazeroVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			if d.Path == "github.com/tetratelabs/wazero" {
				if d.Replace != nil {
					return d.Replace.Version
				}
				return d.Version
			}
		}
	}
	return "unknown"
}

// Compile compiles the module's bytes with wazero's compiler engine.
func Compile(ctx context.Context, wasm []byte, cfg Config) (*Module, error) {
	rc := wazero.NewRuntimeConfigCompiler()
	var cache wazero.CompilationCache
	if cfg.CacheDir != "-" {
		dir := cfg.CacheDir
		if dir == "" {
			dir = DefaultCacheDir()
		}
		var err error
		if cache, err = wazero.NewCompilationCacheWithDir(dir); err != nil {
			return nil, fmt.Errorf("wasihost: compilation cache: %w", err)
		}
		rc = rc.WithCompilationCache(cache)
	}
	if cfg.MemoryLimitPages > 0 {
		rc = rc.WithMemoryLimitPages(cfg.MemoryLimitPages)
	}
	m := &Module{rt: wazero.NewRuntimeWithConfig(ctx, rc), cache: cache}
	if _, err := wasi_snapshot_preview1.Instantiate(ctx, m.rt); err != nil {
		m.Close(ctx)
		return nil, fmt.Errorf("wasihost: WASI: %w", err)
	}
	var err error
	if m.simd, err = simdhost.Instantiate(ctx, m.rt); err != nil {
		m.Close(ctx)
		return nil, fmt.Errorf("wasihost: %w", err)
	}
	if m.compiled, err = m.rt.CompileModule(ctx, wasm); err != nil {
		m.Close(ctx)
		return nil, fmt.Errorf("wasihost: compile: %w", err)
	}
	for _, name := range exports {
		if _, ok := m.compiled.ExportedFunctions()[name]; !ok {
			m.Close(ctx)
			return nil, fmt.Errorf("wasihost: the module does not export %q: not gebm's sampler module?", name)
		}
	}
	return m, nil
}

// Close releases the runtime, every instance and the cache handle.
func (m *Module) Close(ctx context.Context) error {
	err := m.rt.Close(ctx)
	if m.cache != nil {
		err = errors.Join(err, m.cache.Close(ctx))
	}
	return err
}
