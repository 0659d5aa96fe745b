package nn

// Gemm multiplies row-major float32 matrices:
//
//	C = alpha * op(A) * op(B) + beta * C
//
// where op(X) is X or its transpose as tA/tB say, op(A) is m×k, op(B) is k×n
// and C is m×n. lda, ldb and ldc are the row strides of A, B and C as stored.
// Every matrix product in gebm goes through this one interface, so that each
// platform can use its fastest implementation: OpenBLAS natively
// (native/blas), a hand-tiled Go kernel in WebAssembly, gonum's pure-Go
// kernel elsewhere.
type Gemm interface {
	Sgemm(tA, tB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int)
}

// defaultGemm is the implementation new networks use; see SetDefaultGemm.
var defaultGemm Gemm = platformGemm()

// DefaultGemm returns the implementation that new networks use.
func DefaultGemm() Gemm { return defaultGemm }

// SetDefaultGemm replaces the implementation that networks created after the
// call use. Native entry points (cmd/gebm's run, benchmark mains, test
// mains) call it once with native/blas's Fastest; it is not meant to be
// called while networks are running.
func SetDefaultGemm(g Gemm) {
	if g == nil {
		panic("nn: SetDefaultGemm(nil)")
	}
	defaultGemm = g
}
