// Package blas selects the fastest matrix product for native binaries.
//
// Importing it (for its side effect) makes shared/nn use OpenBLAS through
// gonum's BLAS interface (gonum.org/v1/netlib, cgo) when the binary is built
// with cgo, which is about 8 times gonum's pure-Go Sgemm at the training
// shapes on this project's machines (see BenchmarkGemm). Built without cgo,
// or with the tag noopenblas, it keeps shared/nn's pure-Go default.
package blas
