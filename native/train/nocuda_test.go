//go:build !cuda

package train

import (
	"strings"
	"testing"
)

// TestCUDAWithoutCUDABuild: the default build says how to get CUDA.
func TestCUDAWithoutCUDABuild(t *testing.T) {
	o := small(t, 1)
	o.Device = "cuda"
	_, err := New(o)
	if err == nil || !strings.Contains(err.Error(), "make cuda") {
		t.Fatalf("error %v, want one saying how to get the CUDA build", err)
	}
}
