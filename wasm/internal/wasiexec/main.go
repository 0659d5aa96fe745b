// Command wasiexec runs a GOOS=wasip1 command module (a test binary) in
// wazero's compiler with gebm's SIMD128 kernel as its import gebm.gemm
// (package simdhost): the -exec of `go test -tags wasmsimd` for wasip1,
// standing in for `wazero run` (go_wasip1_wasm_exec), which has no way to
// add a host module:
//
//	go build -o bin/wasiexec ./wasm/internal/wasiexec
//	GOOS=wasip1 GOARCH=wasm go test -tags wasmsimd -exec=bin/wasiexec ./shared/nn/
//
// Like `wazero run -mount /:/ -env-inherit`: the whole file system, the
// environment, the arguments, stdio, clocks and crypto/rand. Compiled code
// is cached in $TMPDIR/wazero-gebm. It exits with the module's exit code.
package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/gebm/gebm/wasm/internal/simdhost"
	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"
	"github.com/tetratelabs/wazero/sys"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: wasiexec module.wasm [arguments]")
		os.Exit(2)
	}
	os.Exit(run(os.Args[1], os.Args[2:]))
}

func run(path string, args []string) int {
	ctx := context.Background()
	wasm, err := os.ReadFile(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, "wasiexec:", err)
		return 1
	}
	rc := wazero.NewRuntimeConfigCompiler()
	if cache, err := wazero.NewCompilationCacheWithDir(filepath.Join(os.TempDir(), "wazero-gebm")); err == nil {
		rc = rc.WithCompilationCache(cache)
	}
	rt := wazero.NewRuntimeWithConfig(ctx, rc)
	defer rt.Close(ctx)
	wasi_snapshot_preview1.MustInstantiate(ctx, rt)
	if _, err := simdhost.Instantiate(ctx, rt); err != nil {
		fmt.Fprintln(os.Stderr, "wasiexec:", err)
		return 1
	}
	guest, err := rt.CompileModule(ctx, wasm)
	if err != nil {
		fmt.Fprintln(os.Stderr, "wasiexec: compiling:", err)
		return 1
	}
	cfg := wazero.NewModuleConfig().
		WithStdin(os.Stdin).WithStdout(os.Stdout).WithStderr(os.Stderr).
		WithRandSource(rand.Reader).
		WithFSConfig(wazero.NewFSConfig().WithDirMount("/", "/")).
		WithSysNanosleep().WithSysNanotime().WithSysWalltime().
		WithArgs(append([]string{filepath.Base(path)}, args...)...)
	for _, kv := range os.Environ() {
		if k, v, ok := strings.Cut(kv, "="); ok {
			cfg = cfg.WithEnv(k, v)
		}
	}
	_, err = rt.InstantiateModule(ctx, guest, cfg) // runs _start
	var exit *sys.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &exit):
		return int(exit.ExitCode())
	default:
		fmt.Fprintln(os.Stderr, "wasiexec:", err)
		return 1
	}
}
