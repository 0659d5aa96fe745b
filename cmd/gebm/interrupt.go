package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// signalled is the cause of a context cancelled by a signal.
type signalled struct{ sig os.Signal }

func (s signalled) Error() string {
	switch s.sig {
	case os.Interrupt:
		return "SIGINT"
	case syscall.SIGTERM:
		return "SIGTERM"
	}
	return s.sig.String()
}

// exitCode is the conventional status of a process stopped by the signal:
// 128 + its number.
func (s signalled) exitCode() int {
	if n, ok := s.sig.(syscall.Signal); ok {
		return 128 + int(n)
	}
	return 1
}

// exitNow ends the process; a variable so that tests can see the call.
var exitNow = os.Exit

// interruptible returns a context that the first SIGINT or SIGTERM cancels
// (with a signalled cause) after printing that the work in progress is being
// finished and saved (onFirst says how). A second signal prints one line and
// exits at once with status 128 + its number. stop releases the signals to
// their default behaviour.
func interruptible(stderr io.Writer, onFirst string) (ctx context.Context, stop func()) {
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	return watchSignals(sigs, stderr, onFirst, func() { signal.Stop(sigs) })
}

// watchSignals is interruptible's logic over any channel of signals.
func watchSignals(sigs chan os.Signal, stderr io.Writer, onFirst string, release func()) (context.Context, func()) {
	ctx, cancel := context.WithCancelCause(context.Background())
	done := make(chan struct{})
	go func() {
		var first os.Signal
		select {
		case first = <-sigs:
		case <-done:
			return
		}
		fmt.Fprintf(stderr, "\n%v: %s (a second signal quits at once, without saving)\n", signalled{first}, onFirst)
		cancel(signalled{first})
		select {
		case second := <-sigs:
			fmt.Fprintf(stderr, "%v again: quitting without saving\n", signalled{second})
			exitNow(signalled{second}.exitCode())
		case <-done:
		}
	}()
	return ctx, func() {
		release()
		close(done)
		cancel(nil)
	}
}
