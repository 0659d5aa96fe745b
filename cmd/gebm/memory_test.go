package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"

	"github.com/gebm/gebm/shared/data"
)

// sampleMemoryBound is the most resident memory gebm sample --n 200000 may
// take on the bundled 2-D model: its output is 1.6 MB (200000 × 2 float32),
// one batch of 2000 chains a few MB, the Go runtime and the binary about
// 50 MB (63 MB measured in all). Before chains ran in batches, all 200000
// went through the networks at once: 1.7 GB.
const sampleMemoryBound = 150 << 20

// TestSampleMemoryBounded runs gebm sample --n 200000 on the bundled
// 8gaussians model in a process of its own, which reports its peak resident
// set size (peakRSS: the kernel's VmHWM).
func TestSampleMemoryBounded(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads the peak resident set size from Linux's /proc")
	}
	model := filepath.Join("..", "..", "www", "models", "8gaussians.gebm")
	dir := t.TempDir()
	out, peakFile := filepath.Join(dir, "x.npy"), filepath.Join(dir, "peak")
	cmd := exec.Command(os.Args[0], "sample", "--model", model, "--n", "200000", "--steps", "2", "--quiet", "--out", out)
	cmd.Env = append(os.Environ(), "GEBM_CMD_CHILD=1", "GEBM_CMD_PEAK_FILE="+peakFile)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("gebm sample: %v\n%s", err, b)
	}
	b, err := os.ReadFile(peakFile)
	if err != nil {
		t.Fatal(err)
	}
	peak, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil || peak <= 0 {
		t.Fatalf("peak RSS %q: %v", b, err)
	}
	t.Logf("peak RSS %.1f MB for 200000 samples", float64(peak)/1e6)
	if peak > sampleMemoryBound {
		t.Errorf("peak RSS %d MB, more than the bound of %d MB", peak>>20, sampleMemoryBound>>20)
	}
	d, err := data.ReadFile(out, 2)
	if err != nil || d.Rows() != 200000 {
		t.Fatalf("output: %v", err)
	}
}
