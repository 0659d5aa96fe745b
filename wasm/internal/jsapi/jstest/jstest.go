//go:build js && wasm

// Package jstest helps the GOOS=js modules' tests (run in Node) call
// globalThis.gebm as a page would: it runs the page's www/js/api.js, calls
// the functions with thrown Errors returned as errors, and converts typed
// arrays.
package jstest

import (
	"errors"
	"os"
	"path/filepath"
	"syscall/js"
	"testing"
	"unsafe"
)

// apiJS is the path of www/js/api.js in the module that holds the working
// directory (go test runs a package's tests in its folder).
func apiJS() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "www", "js", "api.js"), nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("jstest: no go.mod above the working directory, so no www/js/api.js")
		}
		dir = parent
	}
}

// Main is a module's TestMain: it loads the API wrapper (LoadAPI),
// registers the module's calls on globalThis.gebm with register, and runs
// the tests; it exits with status 1, saying why, if either step fails.
func Main(m *testing.M, register func() error) {
	for _, step := range []func() error{LoadAPI, register} {
		if err := step(); err != nil {
			println(err.Error())
			os.Exit(1)
		}
	}
	os.Exit(m.Run())
}

// LoadAPI runs the page's www/js/api.js, which defines globalThis.gebmAPI,
// unless the runner did already (wasm/simd/go_js_wasm_exec does; Go's own
// go_js_wasm_exec does not). The tests run in Node, where compiling a
// string is allowed.
func LoadAPI() error {
	if js.Global().Get("gebmAPI").Type() == js.TypeFunction {
		return nil
	}
	path, err := apiJS()
	if err != nil {
		return err
	}
	src, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	js.Global().Get("Function").New(string(src)).Invoke()
	return nil
}

// Call calls gebm[name]; a thrown exception comes back as a js.Error.
func Call(name string, args ...any) (v js.Value, err error) {
	defer func() {
		if r := recover(); r != nil {
			e, ok := r.(js.Error)
			if !ok {
				panic(r)
			}
			err = e
		}
	}()
	return js.Global().Get("gebm").Call(name, args...), nil
}

// MustCall is Call, failing t on a thrown Error.
func MustCall(t *testing.T, name string, args ...any) js.Value {
	t.Helper()
	v, err := Call(name, args...)
	if err != nil {
		t.Fatalf("gebm.%s: %v", name, err)
	}
	return v
}

// Uint8ArrayOf copies b into a new Uint8Array.
func Uint8ArrayOf(b []byte) js.Value {
	u := js.Global().Get("Uint8Array").New(len(b))
	js.CopyBytesToJS(u, b)
	return u
}

// Float32sOf copies v, which must be a Float32Array, out.
func Float32sOf(t *testing.T, v js.Value) []float32 {
	t.Helper()
	if !v.InstanceOf(js.Global().Get("Float32Array")) {
		t.Fatalf("%v is not a Float32Array", v)
	}
	f := make([]float32, v.Length())
	if len(f) > 0 {
		js.CopyBytesToGo(unsafe.Slice((*byte)(unsafe.Pointer(&f[0])), 4*len(f)), js.Global().Get("Uint8Array").New(v.Get("buffer")))
	}
	return f
}
