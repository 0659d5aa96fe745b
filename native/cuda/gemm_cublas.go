//go:build cuda && !nocublas && !cudaemu

package cuda

import (
	"fmt"
	"unsafe"

	gblas "gonum.org/v1/gonum/blas"
	cublas "gorgonia.org/cu/blas"
)

// HaveCublas reports whether this build links cuBLAS (it does unless built
// with the nocublas tag).
const HaveCublas = true

// Cublas is cuBLAS's SGEMM on the legacy default stream. cuBLAS is
// column-major: the row-major product C = op(A) op(B) is computed as the
// column-major Cᵀ = op(B)ᵀ op(A)ᵀ, i.e. with A and B swapped, m and n
// swapped and the same transpose flags.
type Cublas struct {
	d    *Device
	impl *cublas.Standard
}

func newCublas(d *Device) (g Gemm, err error) {
	defer d.bind()()
	defer func() {
		if r := recover(); r != nil { // cublas.New panics when cublasCreate fails
			err = fmt.Errorf("cuda: cuBLAS: %v", r)
		}
	}()
	return &Cublas{d: d, impl: cublas.New()}, nil
}

func (*Cublas) Name() string { return "cublas" }

// Err returns cuBLAS's recorded error. cu/blas keeps the first error and
// then skips every later call, so a failure stays reported.
func (g *Cublas) Err() error {
	if err := g.impl.Err(); err != nil {
		return fmt.Errorf("cuda: cuBLAS: %w", err)
	}
	return nil
}

func (g *Cublas) Sgemm(tA, tB bool, m, n, k int, alpha float32, a Buffer, lda int, b Buffer, ldb int, beta float32, c Buffer, ldc int) {
	if m == 0 || n == 0 {
		return
	}
	g.impl.Sgemm(trans(tB), trans(tA), n, m, k, alpha, hostView(b), ldb, hostView(a), lda, beta, hostView(c), ldc)
}

func trans(t bool) gblas.Transpose {
	if t {
		return gblas.Trans
	}
	return gblas.NoTrans
}

// hostView dresses a device pointer as a []float32, the form cu/blas takes
// (it passes &x[0] to cuBLAS and never reads the memory from Go). The
// address lies outside the Go heap, so the garbage collector ignores it.
func hostView(b Buffer) []float32 {
	h := struct {
		data     uintptr
		len, cap int
	}{uintptr(b.ptr), b.n, b.n}
	return *(*[]float32)(unsafe.Pointer(&h))
}
