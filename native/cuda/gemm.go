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

// KernelGemm is gebm's own tiled SGEMM (gemm.cu): the largest of 128×128,
// 64×64 and 32×32 tiles that keeps the GPU's multiprocessors busy, and
// split-K (partial products over slices of k, then gemm_reduce) when even
// 32×32 tiles are too few for the GPU and k is long; the slices then make
// the blocks, so the tile is as large as C's sides allow.
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
	tile := gemmTile(m, n, k, g.d.sms)
	splits := splitK(blocks(m, tile)*blocks(n, tile), k, g.d.sms)
	name := gemmKernels[b2i(tA)][b2i(tB)][tileIndex(tile)]
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

// gemmTiles are the tile sides of gemm.cu's kernels, smallest first.
var gemmTiles = [...]int{32, 64, 128}

// gemmTile returns the tile side for an m×n×k product on a GPU of sms
// multiprocessors: the largest whose tiles of C number at least sms; when
// none does and split-K will cut k, the largest that C's shorter side
// fills; else the smallest.
func gemmTile(m, n, k, sms int) int {
	for i := len(gemmTiles) - 1; i >= 0; i-- {
		if t := gemmTiles[i]; blocks(m, t)*blocks(n, t) >= sms {
			return t
		}
	}
	if splitK(blocks(m, 32)*blocks(n, 32), k, sms) > 1 {
		for i := len(gemmTiles) - 1; i > 0; i-- {
			if t := gemmTiles[i]; min(m, n) >= t {
				return t
			}
		}
	}
	return gemmTiles[0]
}

func tileIndex(tile int) int {
	for i, t := range gemmTiles {
		if t == tile {
			return i
		}
	}
	panic(fmt.Sprintf("cuda: no %d×%d gemm kernel", tile, tile))
}

// gemmKernels[tA][tB][tile index] names the kernels of gemm.cu.
var gemmKernels = func() (k [2][2][len(gemmTiles)]string) {
	for a := range 2 {
		for b := range 2 {
			for t, tile := range gemmTiles {
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
