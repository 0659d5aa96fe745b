//go:build cuda

package cuda_test

import (
	"os"
	"testing"

	"github.com/gebm/gebm/native/blas"
)

// TestMain runs the tests with the CPU side on the matrix product bin/gebm
// uses (OpenBLAS where linked in), chosen here rather than by an import.
func TestMain(m *testing.M) {
	blas.UseFastest()
	os.Exit(m.Run())
}
