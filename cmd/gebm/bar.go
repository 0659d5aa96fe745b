package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// bar reports the progress of a long loop of total steps: a progress bar
// (schollz/progressbar) when stderr is a terminal, a plain line every few
// seconds otherwise, nothing when quiet. The returned function takes the
// current step and a short description (a loss, an acceptance rate).
func bar(stderr io.Writer, total int, what string, quiet bool) func(step int, desc string) {
	if quiet || total <= 0 {
		return func(int, string) {}
	}
	if f, ok := stderr.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		b := progressbar.NewOptions(total, progressbar.OptionSetWriter(stderr), progressbar.OptionShowIts(),
			progressbar.OptionSetItsString(what), progressbar.OptionShowCount(), progressbar.OptionSetWidth(30),
			progressbar.OptionThrottle(200*time.Millisecond), progressbar.OptionOnCompletion(func() { fmt.Fprintln(stderr) }))
		return func(step int, desc string) {
			b.Describe(desc)
			b.Set(step)
		}
	}
	var start, last time.Time // set at the first step: set-up time is not progress
	return func(step int, desc string) {
		if start.IsZero() {
			start, last = time.Now(), time.Now()
		}
		if time.Since(last) < 5*time.Second && step != total {
			return
		}
		last = time.Now()
		el := time.Since(start).Seconds()
		rate := float64(step) / el
		eta := time.Duration(float64(total-step)/rate) * time.Second
		fmt.Fprintf(stderr, "%s %d/%d  %.1f %s/s  ETA %s  %s\n", what, step, total, rate, what, eta.Round(time.Second), desc)
	}
}
