//go:build js && wasm

package jsapi

import (
	"reflect"
	"strings"
	"syscall/js"

	"github.com/gebm/gebm/shared/tagjson"
)

// ToObject converts v, one of the sampler's result structs, to the
// JavaScript object its JSON form (its json tags) parses to: numbers,
// strings, booleans, slices as arrays (nil as null), nested structs and
// pointers; NaN and infinities stay numbers, where JSON has none. Built
// field by field, not through tagjson.Marshal and JSON.parse, whose
// encoder would cost the module more than this (docs/RATIONALE.md).
func ToObject(v any) js.Value {
	return js.ValueOf(plain(reflect.ValueOf(v)))
}

// plain is v as the values js.ValueOf takes.
func plain(v reflect.Value) any {
	switch v.Kind() {
	case reflect.Bool:
		return v.Bool()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return float64(v.Int())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return float64(v.Uint())
	case reflect.Float32, reflect.Float64:
		return v.Float()
	case reflect.String:
		return v.String()
	case reflect.Pointer:
		if v.IsNil() {
			return nil
		}
		return plain(v.Elem())
	case reflect.Slice:
		if v.IsNil() {
			return nil
		}
		a := make([]any, v.Len())
		for i := range a {
			a[i] = plain(v.Index(i))
		}
		return a
	case reflect.Struct:
		m := map[string]any{}
		for i := range v.NumField() {
			f := v.Type().Field(i)
			name, _, _ := strings.Cut(tagjson.Tag(f), ",")
			switch {
			case !f.IsExported() || name == "-":
				continue
			case name == "":
				name = f.Name
			}
			m[name] = plain(v.Field(i))
		}
		return m
	}
	panic("toObject: a field of type " + v.Type().String()) // a programming error, which invoke reports
}
