//go:build js && wasm

package main

import (
	"fmt"
	"math"
	"syscall/js"
	"unsafe"

	"github.com/gebm/gebm/wasm/sampler"
)

// args is the arguments of one call, converted with checks that name the
// argument; the first failure is kept and later conversions return zero
// values.
type args struct {
	call string
	v    []js.Value
	err  error
}

func (a *args) fail(i int, name, format string, x ...any) {
	if a.err == nil {
		a.err = fmt.Errorf("gebm.%s: argument %d (%s): %w: %s", a.call, i+1, name, sampler.ErrArgument, fmt.Sprintf(format, x...))
	}
}

func (a *args) get(i int) js.Value {
	if i < len(a.v) {
		return a.v[i]
	}
	return js.Undefined()
}

// number returns argument i, which must be a number (NaN included, so that
// the sampler reports what is wrong with it); def stands in for a missing
// argument when given.
func (a *args) number(i int, name string, def ...float64) float64 {
	v := a.get(i)
	if v.IsUndefined() && len(def) > 0 {
		return def[0]
	}
	if v.Type() != js.TypeNumber {
		a.fail(i, name, "want a number, got %s", v.Type())
		return 0
	}
	return v.Float()
}

// integer returns argument i, a number with an integer value in [lo, hi].
func (a *args) integer(i int, name string, lo, hi float64) int64 {
	f := a.number(i, name)
	if a.err == nil && !(f == math.Trunc(f) && f >= lo && f <= hi) {
		a.fail(i, name, "%v: want an integer in [%v, %v]", f, lo, hi)
		return 0
	}
	return int64(f)
}

// int32 returns argument i, an integer in the int32 range; the sampler
// checks the range that makes sense.
func (a *args) int32(i int, name string) int {
	return int(a.integer(i, name, math.MinInt32, math.MaxInt32))
}

// handle returns argument i as a handle.
func (a *args) handle(i int) sampler.Handle {
	return sampler.Handle(a.int32(i, "handle"))
}

// seed returns argument i, an integer in [0, 2^53] (the integers a number
// holds exactly).
func (a *args) seed(i int) uint64 { return uint64(a.integer(i, "seed", 0, 1<<53)) }

func (a *args) string(i int, name string) string {
	v := a.get(i)
	if v.Type() != js.TypeString {
		a.fail(i, name, "want a string, got %s", v.Type())
		return ""
	}
	return v.String()
}

var (
	uint8Array   = js.Global().Get("Uint8Array")
	float32Array = js.Global().Get("Float32Array")
	float64Array = js.Global().Get("Float64Array")
	arrayBuffer  = js.Global().Get("ArrayBuffer")
)

// bytes returns argument i, a Uint8Array or an ArrayBuffer, copied.
func (a *args) bytes(i int, name string) []byte {
	v := a.get(i)
	switch {
	case v.InstanceOf(arrayBuffer):
		v = uint8Array.New(v)
	case !v.InstanceOf(uint8Array):
		a.fail(i, name, "want a Uint8Array or an ArrayBuffer")
		return nil
	}
	b := make([]byte, v.Length())
	js.CopyBytesToGo(b, v)
	return b
}

// float32s returns argument i, a Float32Array, copied.
func (a *args) float32s(i int, name string) []float32 {
	v := a.get(i)
	if !v.InstanceOf(float32Array) {
		a.fail(i, name, "want a Float32Array")
		return nil
	}
	f := make([]float32, v.Length())
	if len(f) > 0 {
		view := uint8Array.New(v.Get("buffer"), v.Get("byteOffset"), v.Get("byteLength"))
		js.CopyBytesToGo(unsafe.Slice((*byte)(unsafe.Pointer(&f[0])), 4*len(f)), view)
	}
	return f
}

// toFloat32Array copies f into a new Float32Array (WebAssembly and every
// browser are little-endian, so the bytes are the values).
func toFloat32Array(f []float32) js.Value {
	out := float32Array.New(len(f))
	if len(f) > 0 {
		js.CopyBytesToJS(uint8Array.New(out.Get("buffer")), unsafe.Slice((*byte)(unsafe.Pointer(&f[0])), 4*len(f)))
	}
	return out
}

// toFloat64Array copies f into a new Float64Array.
func toFloat64Array(f []float64) js.Value {
	out := float64Array.New(len(f))
	if len(f) > 0 {
		js.CopyBytesToJS(uint8Array.New(out.Get("buffer")), unsafe.Slice((*byte)(unsafe.Pointer(&f[0])), 8*len(f)))
	}
	return out
}
