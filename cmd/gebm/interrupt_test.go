package main

import (
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/gebm/gebm/shared/ckpt"
)

// tinyRun is a training run small enough to take thousands of steps a
// second.
var tinyRun = []string{"--data", "8gaussians", "--hidden", "8,8", "--batch", "16", "--warmup", "2",
	"--burst-every", "0", "--checkpoint-every", "0", "--log-every", "0", "--quiet"}

// TestTrainSignalSaves sends SIGINT, then SIGTERM, to a real training
// process: it finishes its step, writes a checkpoint (no temporary file
// left), prints how to resume and exits with 128 + the signal's number; the
// run resumed from there ends bit for bit where an uninterrupted run ends.
func TestTrainSignalSaves(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "run")
			c := startChild(t, append([]string{"train", "--out", dir, "--steps", "1000000000"}, tinyRun...)...)
			c.waitFor(t, "on 8gaussians")
			if err := c.cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			code := c.wait(t)
			out := c.stderr()
			if code != 128+int(sig) || !strings.Contains(out, "continue with: ") ||
				!strings.Contains(out, " train --out "+dir+" --resume") {
				t.Fatalf("after %v: exit status %d, stderr:\n%s\nwant status %d and how to resume", sig, code, out, 128+int(sig))
			}
			b, err := os.ReadFile(filepath.Join(dir, "checkpoint.gebm"))
			if err != nil {
				t.Fatal(err)
			}
			f, err := ckpt.Decode(b)
			if err != nil || f.Resume == nil || f.Training.Steps < 1 {
				t.Fatalf("checkpoint after %v: %v", sig, err)
			}
			if tmps, _ := filepath.Glob(filepath.Join(dir, ".*.tmp*")); len(tmps) > 0 {
				t.Fatalf("temporary files left: %v", tmps)
			}
			if _, err := os.Stat(filepath.Join(dir, "model.gebm")); !os.IsNotExist(err) {
				t.Fatalf("an interrupted run wrote model.gebm: %v", err)
			}
			t.Logf("%v at base step %d", sig, f.Training.Steps)

			steps := strconv.Itoa(f.Training.Steps + 3)
			if code, _, errOut := gebm(t, "train", "--out", dir, "--resume", "--steps", steps, "--quiet"); code != 0 {
				t.Fatalf("resume: %s", errOut)
			}
			whole := filepath.Join(t.TempDir(), "whole")
			if code, _, errOut := gebm(t, append([]string{"train", "--out", whole, "--steps", steps}, tinyRun...)...); code != 0 {
				t.Fatalf("uninterrupted run: %s", errOut)
			}
			a, b2 := loadTensors(t, filepath.Join(whole, "model.gebm")), loadTensors(t, filepath.Join(dir, "model.gebm"))
			for i := range a {
				for j := range a[i].Data {
					if math.Float32bits(a[i].Data[j]) != math.Float32bits(b2[i].Data[j]) {
						t.Fatalf("%s[%d]: %v uninterrupted, %v after %v and --resume", a[i].Name, j, a[i].Data[j], b2[i].Data[j], sig)
					}
				}
			}
		})
	}
}

// TestTrainSecondSignalQuits: a second Ctrl-C while the first is being
// handled ends the process at once, without a checkpoint. The first base
// step here never ends (2e9 warm-up energy steps), so only the second
// signal can end the process.
func TestTrainSecondSignalQuits(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	args := append([]string{"train", "--out", dir, "--steps", "10"}, tinyRun...)
	args = append(args, "--warmup", "2000000000")
	c := startChild(t, args...)
	c.waitFor(t, "on 8gaussians")
	if err := c.cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	c.waitFor(t, "a second signal quits at once")
	if err := c.cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	code := c.wait(t)
	if code != 130 || !strings.Contains(c.stderr(), "quitting without saving") {
		t.Fatalf("after a second SIGINT: exit status %d, stderr:\n%s", code, c.stderr())
	}
	if _, err := os.Stat(filepath.Join(dir, "checkpoint.gebm")); !os.IsNotExist(err) {
		t.Fatalf("checkpoint.gebm after quitting at once: %v", err)
	}
}

func loadTensors(t *testing.T, path string) []ckpt.Tensor {
	t.Helper()
	return loadModelFile(t, path).Tensors()
}
