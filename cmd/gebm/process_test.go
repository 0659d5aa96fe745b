package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/gebm/gebm/native/blas"
)

// TestMain lets the test binary act as gebm for the tests that need a
// process of their own (signals, peak memory): with GEBM_CMD_CHILD=1 it runs
// the command line given as its arguments and exits with its status; with
// GEBM_CMD_PEAK_FILE set too, it first writes its peak resident set size
// there (peakRSS).
func TestMain(m *testing.M) {
	blas.UseFastest() // as run does: tests that skip run multiply alike
	if os.Getenv("GEBM_CMD_CHILD") == "1" {
		code := run(os.Args[1:], os.Stdout, os.Stderr)
		if path := os.Getenv("GEBM_CMD_PEAK_FILE"); path != "" {
			peak, err := peakRSS()
			if err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(3)
			}
			os.WriteFile(path, []byte(strconv.FormatInt(peak, 10)), 0o644)
		}
		os.Exit(code)
	}
	os.Exit(m.Run())
}

// peakRSS returns the process's peak resident set size in bytes: VmHWM in
// /proc/self/status (Linux). getrusage's ru_maxrss, as the parent reads it
// from ProcessState.SysUsage, would not do: Linux carries the high-water
// mark of the memory a process replaces at exec into it, and os/exec's
// child starts in its parent's memory (vfork), so a child's ru_maxrss is at
// least its parent's peak (800 MB in this package's tests).
func peakRSS() (int64, error) {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10, err
		}
	}
	return 0, errors.New("no VmHWM in /proc/self/status")
}

// child is gebm running as a separate process, its stderr read line by line.
type child struct {
	cmd   *exec.Cmd
	lines chan string
	mu    sync.Mutex
	out   strings.Builder // everything read so far
}

// startChild starts gebm with args in a process of its own.
func startChild(t *testing.T, args ...string) *child {
	t.Helper()
	c := &child{cmd: exec.Command(os.Args[0], args...), lines: make(chan string, 1000)}
	c.cmd.Env = append(os.Environ(), "GEBM_CMD_CHILD=1")
	c.cmd.Stdout = io.Discard
	stderr, err := c.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			c.mu.Lock()
			c.out.WriteString(sc.Text() + "\n")
			c.mu.Unlock()
			c.lines <- sc.Text()
		}
		close(c.lines)
	}()
	return c
}

// waitFor reads stderr until a line contains s; it fails the test if the
// process closes stderr (exits) first.
func (c *child) waitFor(t *testing.T, s string) {
	t.Helper()
	for line := range c.lines {
		if strings.Contains(line, s) {
			return
		}
	}
	c.cmd.Wait()
	t.Fatalf("gebm %v ended without printing %q; stderr:\n%s", c.cmd.Args[1:], s, c.stderr())
}

// wait reads the rest of stderr and waits for the process to end; it
// returns the exit status.
func (c *child) wait(t *testing.T) int {
	t.Helper()
	for range c.lines {
	}
	err := c.cmd.Wait()
	if _, ok := err.(*exec.ExitError); err != nil && !ok {
		t.Fatal(err)
	}
	return c.cmd.ProcessState.ExitCode()
}

func (c *child) stderr() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.out.String()
}
