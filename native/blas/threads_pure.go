//go:build !cgo || noopenblas

package blas

// Threads returns 1: without OpenBLAS there are no BLAS threads (gonum's
// Sgemm spreads a large product over goroutines itself, with results that do
// not depend on how many).
func Threads() int { return 1 }

// SetThreads does nothing without OpenBLAS.
func SetThreads(int) {}
