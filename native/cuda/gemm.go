//go:build cuda

package cuda

import "fmt"

// Gemm multiplies row-major float32 matrices on the device, with the
// meaning of shared/nn's Gemm:
//
//	C = alpha op(A) op(B) + beta C,  op(A) m×k, op(B) k×n, C m×n,
//
// lda, ldb, ldc being the row strides as stored.
type Gemm interface {
	Sgemm(tA, tB bool, m, n, k int, alpha float32, a Buffer, lda int, b Buffer, ldb int, beta float32, c Buffer, ldc int)
	// Name says which implementation this is ("cublas", "kernel").
	Name() string
	// Err returns the first error since the last call.
	Err() error
}

// NewGemm returns the implementation called name: "cublas" (cuBLAS,
// unavailable in builds with the nocublas tag), "kernel" (gemm.cu), or ""
// for the build's default (cuBLAS when it is linked in).
func NewGemm(d *Device, name string) (Gemm, error) {
	switch name {
	case "":
		if HaveCublas {
			return newCublas(d)
		}
		return &KernelGemm{d: d}, nil
	case "cublas":
		return newCublas(d)
	case "kernel":
		return &KernelGemm{d: d}, nil
	}
	return nil, fmt.Errorf("cuda: unknown matrix product %q (cublas or kernel)", name)
}

// KernelGemm is gebm's own tiled SGEMM (gemm.cu): 64×64 tiles, or 32×32
// when 64×64 ones would leave most of the GPU's multiprocessors idle, and
// split-K (partial products over slices of k, then gemm_reduce) when even
// those are too few for the GPU and k is long.
type KernelGemm struct {
	d    *Device
	work Buffer // split-K's partial products, grown as needed
}

func (*KernelGemm) Name() string { return "kernel" }

func (g *KernelGemm) Err() error { return nil } // launch errors are the Device's

// splitKMin is the shortest k that split-K cuts (shorter ones keep one
// pass), and splitKSlice the shortest slice it makes.
const splitKMin, splitKSlice = 2048, 512

// splitK returns the number of k slices for a product with tiles tiles of
// C: enough for about two blocks per multiprocessor, each slice at least
// splitKSlice long; 1 (no split) when C fills the GPU or k is short.
func splitK(tiles, k, sms int) int {
	if tiles >= sms || k < splitKMin {
		return 1
	}
	return max(1, min(blocks(2*sms, tiles), k/splitKSlice))
}

func (g *KernelGemm) Sgemm(tA, tB bool, m, n, k int, alpha float32, a Buffer, lda int, b Buffer, ldb int, beta float32, c Buffer, ldc int) {
	if m == 0 || n == 0 {
		return
	}
	tile := 64
	if blocks(m, 64)*blocks(n, 64) < g.d.sms {
		tile = 32
	}
	splits := splitK(blocks(m, tile)*blocks(n, tile), k, g.d.sms)
	name := gemmKernels[b2i(tA)][b2i(tB)][b2i(tile == 64)]
	if splits == 1 {
		g.d.launch2D(name, blocks(n, tile), blocks(m, tile), 256, i64(m), i64(n), i64(k), f64(float64(alpha)),
			ptr(a), i64(lda), ptr(b), i64(ldb), f64(float64(beta)), ptr(c), i64(ldc), i64(1), 0)
		return
	}
	if need := splits * m * n; g.work.Len() < need {
		g.d.Free(g.work)
		g.work = g.d.Alloc(need)
	}
	g.d.launch2D(name, blocks(n, tile), splits*blocks(m, tile), 256, i64(m), i64(n), i64(k), f64(1),
		ptr(a), i64(lda), ptr(b), i64(ldb), f64(0), ptr(c), i64(ldc), i64(splits), ptr(g.work))
	g.d.elementwise("gemm_reduce", m*n, ptr(g.work), i64(splits), i64(m), i64(n), f64(float64(alpha)),
		f64(float64(beta)), ptr(c), i64(ldc))
}

// gemmKernels[tA][tB][tile 64] names the kernels of gemm.cu.
var gemmKernels = func() (k [2][2][2]string) {
	for a := range 2 {
		for b := range 2 {
			for t, tile := range []int{32, 64} {
				k[a][b][t] = fmt.Sprintf("sgemm_%c%c_%d", op(a == 1), op(b == 1), tile)
			}
		}
	}
	return k
}()

func b2i(v bool) int {
	if v {
		return 1
	}
	return 0
}

func op(t bool) byte {
	if t {
		return 't'
	}
	return 'n'
}
