package wasihost

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/gebm/gebm/shared/nn"
)

// module is the sampler module, built from ../wasi by TestMain and compiled
// once for every test; simdModule the same built with -tags wasmsimd, which
// does its matrix products in the SIMD128 kernel (simd_test.go).
var (
	moduleBytes []byte
	module      *Module
	simdModule  *Module
)

// TestMain builds the WASI module with the go command that runs the tests
// (GOOS=wasip1 GOARCH=wasm, -buildmode=c-shared) into a temporary folder and
// compiles it with wazero, through the compilation cache. The native
// sampler the tests compare with uses nn.TiledGemm, the matrix kernel of
// WebAssembly builds, so that both sides sum in the same order.
func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	nn.SetDefaultGemm(nn.TiledGemm{})
	dir, err := os.MkdirTemp("", "gebm-wasi-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	ctx := context.Background()
	for _, tags := range []string{"", "wasmsimd"} {
		out := filepath.Join(dir, "gebm-wasi"+tags+".wasm")
		cmd := exec.Command(goTool(), "build", "-buildmode=c-shared", "-tags="+tags, "-o", out, "github.com/gebm/gebm/wasm/internal/wasi")
		cmd.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm")
		if b, err := cmd.CombinedOutput(); err != nil {
			fmt.Fprintf(os.Stderr, "building the wasip1 module (tags %q): %v\n%s", tags, err, b)
			return 1
		}
		b, err := os.ReadFile(out)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		mod, err := Compile(ctx, b, Config{})
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer mod.Close(ctx)
		if tags == "" {
			moduleBytes, module = b, mod
		} else {
			simdModule = mod
		}
	}
	return m.Run()
}

// goTool is the go command of the toolchain running the tests.
func goTool() string {
	if p := filepath.Join(runtime.GOROOT(), "bin", "go"); fileExists(p) {
		return p
	}
	return "go"
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

func instance(t *testing.T) *Instance {
	t.Helper()
	in, err := module.Instantiate(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { in.Close() })
	return in
}
