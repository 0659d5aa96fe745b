//go:build !cgo || noopenblas

package blas

// Name says which implementation is in use.
const Name = "gonum (pure Go)"

// Available reports whether this build uses OpenBLAS.
func Available() bool { return false }
