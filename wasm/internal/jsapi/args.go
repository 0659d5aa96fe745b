//go:build js && wasm

package jsapi

import (
	"fmt"
	"math"
	"syscall/js"
	"unsafe"

	"github.com/gebm/gebm/wasm/sampler"
)

// Args is the arguments of one call, converted with checks that name the
// argument; the first failure is kept (Err) and later conversions return
// zero values.
type Args struct {
	call string
	v    []js.Value
	err  error
}

// Err is the first conversion failure, or nil.
func (a *Args) Err() error { return a.err }

// Fail records that argument i (name) is wrong, unless an earlier one was.
func (a *Args) Fail(i int, name, format string, x ...any) {
	if a.err == nil {
		a.err = fmt.Errorf("gebm.%s: argument %d (%s): %w: %s", a.call, i+1, name, sampler.ErrArgument, fmt.Sprintf(format, x...))
	}
}

// Get is argument i, undefined when missing.
func (a *Args) Get(i int) js.Value {
	if i < len(a.v) {
		return a.v[i]
	}
	return js.Undefined()
}

// Number returns argument i, which must be a number (NaN included, so that
// the sampler reports what is wrong with it); def stands in for a missing
// argument when given.
func (a *Args) Number(i int, name string, def ...float64) float64 {
	v := a.Get(i)
	if v.IsUndefined() && len(def) > 0 {
		return def[0]
	}
	if v.Type() != js.TypeNumber {
		a.Fail(i, name, "want a number, got %s", v.Type())
		return 0
	}
	return v.Float()
}

// Integer returns argument i, a number with an integer value in [lo, hi].
func (a *Args) Integer(i int, name string, lo, hi float64) int64 {
	f := a.Number(i, name)
	if a.err == nil && !(f == math.Trunc(f) && f >= lo && f <= hi) {
		a.Fail(i, name, "%v: want an integer in [%v, %v]", f, lo, hi)
		return 0
	}
	return int64(f)
}

// Int32 returns argument i, an integer in the int32 range; the sampler
// checks the range that makes sense.
func (a *Args) Int32(i int, name string) int {
	return int(a.Integer(i, name, math.MinInt32, math.MaxInt32))
}

// Handle returns argument i as a handle.
func (a *Args) Handle(i int) sampler.Handle {
	return sampler.Handle(a.Int32(i, "handle"))
}

// Seed returns argument i, an integer in [0, 2^53] (the integers a number
// holds exactly).
func (a *Args) Seed(i int) uint64 { return uint64(a.Integer(i, "seed", 0, 1<<53)) }

// String returns argument i, which must be a string.
func (a *Args) String(i int, name string) string {
	v := a.Get(i)
	if v.Type() != js.TypeString {
		a.Fail(i, name, "want a string, got %s", v.Type())
		return ""
	}
	return v.String()
}

// The typed-array constructors the conversions use.
var (
	uint8Array   = js.Global().Get("Uint8Array")
	Float32Array = js.Global().Get("Float32Array")
	float64Array = js.Global().Get("Float64Array")
	arrayBuffer  = js.Global().Get("ArrayBuffer")
)

// Bytes returns argument i, a Uint8Array or an ArrayBuffer, copied.
func (a *Args) Bytes(i int, name string) []byte {
	v := a.Get(i)
	switch {
	case v.InstanceOf(arrayBuffer):
		v = uint8Array.New(v)
	case !v.InstanceOf(uint8Array):
		a.Fail(i, name, "want a Uint8Array or an ArrayBuffer")
		return nil
	}
	b := make([]byte, v.Length())
	js.CopyBytesToGo(b, v)
	return b
}

// Float32s returns argument i, a Float32Array, copied.
func (a *Args) Float32s(i int, name string) []float32 { return a.Float32sIn(a.Get(i), i, name) }

// Float32sIn returns v, a Float32Array that argument i holds (name says
// where), copied.
func (a *Args) Float32sIn(v js.Value, i int, name string) []float32 {
	if !v.InstanceOf(Float32Array) {
		a.Fail(i, name, "want a Float32Array")
		return nil
	}
	f := make([]float32, v.Length())
	if len(f) > 0 {
		view := uint8Array.New(v.Get("buffer"), v.Get("byteOffset"), v.Get("byteLength"))
		js.CopyBytesToGo(unsafe.Slice((*byte)(unsafe.Pointer(&f[0])), 4*len(f)), view)
	}
	return f
}

// ToFloat32Array copies f into a new Float32Array (WebAssembly and every
// browser are little-endian, so the bytes are the values).
func ToFloat32Array(f []float32) js.Value {
	out := Float32Array.New(len(f))
	if len(f) > 0 {
		js.CopyBytesToJS(uint8Array.New(out.Get("buffer")), unsafe.Slice((*byte)(unsafe.Pointer(&f[0])), 4*len(f)))
	}
	return out
}

// ToFloat64Array copies f into a new Float64Array.
func ToFloat64Array(f []float64) js.Value {
	out := float64Array.New(len(f))
	if len(f) > 0 {
		js.CopyBytesToJS(uint8Array.New(out.Get("buffer")), unsafe.Slice((*byte)(unsafe.Pointer(&f[0])), 8*len(f)))
	}
	return out
}

// ToUint8Array copies b into a new Uint8Array.
func ToUint8Array(b []byte) js.Value {
	u := uint8Array.New(len(b))
	js.CopyBytesToJS(u, b)
	return u
}
