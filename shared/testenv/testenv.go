// Package testenv decides what a test does when something it needs is not on
// the machine (a browser, a compiler, a data file, a build product): on a
// developer's machine it skips, saying what is missing; in CI (the environment
// variable CI is set, as .ci/run does) it fails, because CI installs and
// builds everything the tests need, and a skip there would read as a pass.
package testenv

import (
	"fmt"
	"os"
	"testing"
)

// InCI reports whether the tests run in CI: the environment variable CI is set
// to anything but "" or "false".
func InCI() bool {
	v := os.Getenv("CI")
	return v != "" && v != "false"
}

// Missing stops t because something it needs is missing: t.Fatal in CI,
// t.Skip elsewhere. The message says what is missing and how to get it.
func Missing(t testing.TB, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if InCI() {
		t.Fatalf("%s (CI is set, so a missing prerequisite is a failure)", msg)
		return
	}
	t.Skip(msg)
}
