//go:build cgo && !noopenblas

package blas

// void openblas_set_num_threads(int num_threads);
// int openblas_get_num_threads(void);
import "C"

// Threads returns the number of threads OpenBLAS runs one product on: its
// default is one per core (or OPENBLAS_NUM_THREADS), until SetThreads.
func Threads() int { return int(C.openblas_get_num_threads()) }

// SetThreads makes OpenBLAS run each product on n threads (n < 1 counts as
// 1), for the rest of the process. With n = 1 a product runs entirely in
// the calling thread, so several goroutines can each run their own
// products at once; and a product's result then does not depend on the
// machine's number of cores (OpenBLAS splits a product differently among
// 1 and 2 threads, which changes the last bits of some entries).
func SetThreads(n int) { C.openblas_set_num_threads(C.int(max(n, 1))) }
