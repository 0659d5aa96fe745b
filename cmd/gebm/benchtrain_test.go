package main

import (
	"runtime"
	"strings"
	"testing"

	"github.com/gebm/gebm/native/blas"
)

// TestBenchTrainThreads: --threads runs the benchmark on that many OpenBLAS
// and Go threads, says so, and gives the process its own settings back;
// a negative count is refused.
func TestBenchTrainThreads(t *testing.T) {
	threads, procs := blas.Threads(), runtime.GOMAXPROCS(0)
	code, out, errOut := gebm(t, "bench", "train", "--data", "8gaussians", "--iters", "1", "--threads", "1")
	if code != 0 {
		t.Fatalf("code %d: %s", code, errOut)
	}
	if want := "openblas, 1 threads; Go: 1)"; blas.Name == "openblas" && !strings.Contains(out, want) {
		t.Errorf("the table does not say %q:\n%s", want, out)
	}
	if !strings.Contains(out, "Go: 1)") {
		t.Errorf("the table does not give Go's thread count 1:\n%s", out)
	}
	if blas.Threads() != threads || runtime.GOMAXPROCS(0) != procs {
		t.Errorf("after the benchmark: %d OpenBLAS threads and GOMAXPROCS %d, want %d and %d",
			blas.Threads(), runtime.GOMAXPROCS(0), threads, procs)
	}
	code, _, errOut = gebm(t, "bench", "train", "--threads", "-1")
	if code == 0 || !strings.Contains(errOut, "--threads -1 must be in 0..1024") {
		t.Errorf("--threads -1: code %d, %q", code, errOut)
	}
}
