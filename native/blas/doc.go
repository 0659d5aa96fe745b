// Package blas selects the fastest matrix product for native binaries.
//
// Fastest returns OpenBLAS through gonum's BLAS interface
// (gonum.org/v1/netlib, cgo) when the binary is built with cgo, which is
// about 8 times gonum's pure-Go Sgemm at the training shapes on this
// project's machines (see BenchmarkGemm); built without cgo, or with the tag
// noopenblas, shared/nn's pure-Go default. FastestAdam is the optimiser's
// update in C with SSE2 in the same builds, bit for bit nn.AdamStep.
// Importing the package changes nothing: the caller picks the kernels,
// e.g. cmd/gebm with blas.UseFastest() before it builds a network.
package blas
