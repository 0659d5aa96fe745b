//go:build js && wasm

// Package jsapi is the glue between the browser's GOOS=js modules (the
// sampler, wasm/js, and the trainer, wasm/jstrain) and JavaScript: the
// checked conversion of a call's arguments (Args), the conversion of
// results (ToObject, typed arrays), the registration of a module's calls as
// globalThis.gebm with errors thrown as Errors of the sampler's kinds
// (Register), and the sampler's calls that both modules offer (Calls).
package jsapi

import (
	"errors"
	"fmt"
	"syscall/js"

	"github.com/gebm/gebm/wasm/sampler"
)

// Call is one function of globalThis.gebm: it converts its arguments
// (a.Err() set by a failed conversion takes precedence over the error it
// returns), calls the sampler and converts the result.
type Call func(a *Args) (any, error)

// funcs keeps the registered functions, which must not be released while
// the page may call them.
var funcs []js.Func

// Register sets globalThis.gebm to an object with one function per entry
// of calls. Each is a Go function that returns the Error of a failed call (a
// js.Func cannot throw); globalThis.gebmAPI, defined by www/js/api.js, which
// the loader runs first, turns that object into one whose functions throw
// the Error instead. The wrapper is a script file, not code compiled from a
// string here, so that the page's CSP does without 'unsafe-eval'.
func Register(calls map[string]Call) error {
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
func invoke(name string, f Call, v []js.Value) (result any) {
	defer func() {
		if r := recover(); r != nil {
			result = jsError(fmt.Errorf("gebm.%s: %w: %v", name, sampler.ErrInternal, r))
		}
	}()
	a := &Args{call: name, v: v}
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
