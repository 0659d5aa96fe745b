package model

import (
	"strings"
	"testing"
)

// TestIdentical: two models built alike are identical; one flipped bit in a
// weight, or another A, is named.
func TestIdentical(t *testing.T) {
	a, b := smallModel(t, true), smallModel(t, true)
	if err := a.Identical(b); err != nil {
		t.Fatal(err)
	}
	w := b.Energy.Params()[2]
	w.Value[3] = -w.Value[3]
	if err := a.Identical(b); err == nil || !strings.Contains(err.Error(), w.Name+"[3]") {
		t.Fatalf("flipped %s[3]: %v", w.Name, err)
	}
	w.Value[3] = -w.Value[3]
	b.A++
	if err := a.Identical(b); err == nil || !strings.HasPrefix(err.Error(), "A:") {
		t.Fatalf("another A: %v", err)
	}
}
