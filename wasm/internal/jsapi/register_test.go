//go:build js && wasm

package jsapi

import (
	"strings"
	"syscall/js"
	"testing"
)

// TestPanicBecomesError: a panic inside a call (here a deliberate one in a
// function that is not registered) reaches JavaScript as an Error of kind
// "internal", never as a Go panic.
func TestPanicBecomesError(t *testing.T) {
	v, ok := invoke("boom", func(*Args) (any, error) { panic("deliberate") }, nil).(js.Value)
	if !ok || !v.InstanceOf(js.Global().Get("Error")) || v.Get("kind").String() != "internal" ||
		!strings.Contains(v.Get("message").String(), "deliberate") {
		t.Fatalf("invoke of a panicking call returned %v", v)
	}
	var nilSlice []js.Value
	v, _ = invoke("index", func(a *Args) (any, error) { return nilSlice[3], nil }, nil).(js.Value)
	if v.Get("kind").String() != "internal" {
		t.Fatalf("index out of range: %v", v)
	}
}
