package main

import (
	"bufio"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
)

// TestMain lets the test binary act as gebm for the tests that need a
// process of their own (signals, peak memory): with GEBM_CMD_CHILD=1 it runs
// the command line given as its arguments and exits with its status.
func TestMain(m *testing.M) {
	if os.Getenv("GEBM_CMD_CHILD") == "1" {
		os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
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
