package testenv

import (
	"testing"
)

// recorder is a testing.TB that records whether Fatal or Skip was called,
// without stopping the goroutine (both of testing.T's would).
type recorder struct {
	testing.TB
	fatal, skip bool
	msg         string
}

func (r *recorder) Helper()                      {}
func (r *recorder) Fatalf(f string, args ...any) { r.fatal, r.msg = true, f }
func (r *recorder) Skip(args ...any)             { r.skip = true }

func TestMissing(t *testing.T) {
	for _, c := range []struct {
		env         string
		fatal, skip bool
	}{{"true", true, false}, {"1", true, false}, {"", false, true}, {"false", false, true}} {
		t.Setenv("CI", c.env)
		r := &recorder{TB: t}
		Missing(r, "no %s", "chromium")
		if r.fatal != c.fatal || r.skip != c.skip {
			t.Errorf("CI=%q: fatal %v skip %v, want fatal %v skip %v", c.env, r.fatal, r.skip, c.fatal, c.skip)
		}
	}
}
