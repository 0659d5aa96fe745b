package sampler

import (
	"errors"
	"strings"
	"testing"

	"github.com/gebm/gebm/shared/model/modeltest"
)

// TestPanicRecovered: a panic inside a call comes back as an error wrapping
// ErrInternal, and the Sampler (its lock included) stays usable.
func TestPanicRecovered(t *testing.T) {
	s := New()
	err := s.call("boom", func() error { panic("deliberate") })
	if !errors.Is(err, ErrInternal) || !strings.Contains(err.Error(), "deliberate") {
		t.Fatalf("err = %v", err)
	}
	var nilMap map[int]int
	err = s.call("nil map", func() error { nilMap[1] = 1; return nil })
	if !errors.Is(err, ErrInternal) {
		t.Fatalf("err = %v", err)
	}
	m, err := s.Open(modeltest.File(modeltest.Toy2D(1)))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Describe(m); err != nil {
		t.Fatal(err)
	}
}

// TestWidth counts the activations of one batch row.
func TestWidth(t *testing.T) {
	g := modeltest.Toy2D(1)
	// base 4 | 32 32 | 32 32 | 2; energy 2 | 32 32 | 32 32 | 1
	if got, want := width(g.Base.Spec())+width(g.Energy.Spec()), 4+32+32+32+32+2+2+32+32+32+32+1; got != want {
		t.Fatalf("width %d, want %d", got, want)
	}
}
