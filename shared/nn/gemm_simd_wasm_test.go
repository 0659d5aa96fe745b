//go:build wasm && wasmsimd

package nn

import (
	"math"
	"math/rand/v2"
	"testing"
)

// These tests run the WebAssembly SIMD128 kernel, so they need a host that
// provides it (see package wasm/simd: its go_js_wasm_exec for Node, its
// wasiexec for wazero); they fail where the host declines the calls.

// requireKernel fails the test unless every product since before was done
// by the kernel.
func requireKernel(t *testing.T, before SIMDStats, calls int) {
	t.Helper()
	after := SIMDKernelStats()
	if !after.Imported {
		t.Fatal("SIMDKernelStats: not imported in a wasmsimd build")
	}
	if fb := after.Fallback - before.Fallback; fb != 0 {
		t.Fatalf("%d of %d products fell back to TiledGemm: the host provides no SIMD128 kernel", fb, calls)
	}
	if got := after.Kernel - before.Kernel; got != uint64(calls) {
		t.Fatalf("the kernel did %d of %d products", got, calls)
	}
}

// TestSIMDGemm: the kernel against the float64 definition on random shapes,
// transposes, strides and alpha/beta (checkGemm).
func TestSIMDGemm(t *testing.T) {
	before := SIMDKernelStats()
	var counted countingGemm
	counted.g = SIMDGemm{}
	checkGemm(t, &counted)
	requireKernel(t, before, counted.n)
}

type countingGemm struct {
	g Gemm
	n int
}

func (c *countingGemm) Sgemm(tA, tB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, cc []float32, ldc int) {
	c.n++
	c.g.Sgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, cc, ldc)
}

// simdTolerance is how far the kernel's C may be from TiledGemm's, in units
// of 2⁻²⁴ (float32's unit roundoff u) times the entry's scale
// s = |α|·Σₚ|A_ip·B_pj| + |β·C_ij|: each kernel's float32 sum of k rounded
// products, scaled by α and added to β·C, is within (k+3)·u·s of the exact
// value whatever the order of summation, so the two are within 2(k+3)·u·s
// of each other. The tests log the largest difference seen in these units
// (typically far below the bound: rounding errors mostly cancel).
func simdTolerance(k int) float64 { return 2 * float64(k+3) }

// TestSIMDMatchesTiled: at the MNIST model's shapes and batch sizes, both
// products of a linear layer (forward x·Wᵀ, backward dy·W) and a weight
// gradient (dyᵀ·x), the kernel's C equals TiledGemm's within simdTolerance.
func TestSIMDMatchesTiled(t *testing.T) {
	const u = 1.0 / (1 << 24)
	rng := rand.New(rand.NewPCG(5, 6))
	layers := [][2]int{{64, 256}, {256, 512}, {512, 784}, {784, 512}, {512, 256}, {256, 1}}
	before := SIMDKernelStats()
	calls := 0
	worst, worstK, worstRel := 0.0, 0, 0.0
	for _, l := range layers {
		in, out := l[0], l[1]
		w := randomBatch(rng, out, in)
		for _, bsz := range []int{1, 3, 16, 64} {
			x, dy := randomBatch(rng, bsz, in), randomBatch(rng, bsz, out)
			cases := []struct {
				name    string
				tA, tB  bool
				m, n, k int
				a       []float32
				lda     int
				b       []float32
				ldb     int
				beta    float32
				ldc     int
			}{
				{"forward x·Wᵀ", false, true, bsz, out, in, x, in, w, in, 0, out},
				{"backward dy·W", false, false, bsz, in, out, dy, out, w, in, 0, in},
				{"weight gradient dyᵀ·x", true, false, out, in, bsz, dy, out, x, in, 1, in},
			}
			for _, tc := range cases {
				c0 := randomBatch(rng, tc.m, tc.ldc)
				got, want := append([]float32(nil), c0...), append([]float32(nil), c0...)
				SIMDGemm{}.Sgemm(tc.tA, tc.tB, tc.m, tc.n, tc.k, 1, tc.a, tc.lda, tc.b, tc.ldb, tc.beta, got, tc.ldc)
				calls++
				TiledGemm{}.Sgemm(tc.tA, tc.tB, tc.m, tc.n, tc.k, 1, tc.a, tc.lda, tc.b, tc.ldb, tc.beta, want, tc.ldc)
				for i := 0; i < tc.m; i++ {
					for j := 0; j < tc.n; j++ {
						s := math.Abs(float64(tc.beta) * float64(c0[i*tc.ldc+j]))
						for p := 0; p < tc.k; p++ {
							av, bv := elem(tc.a, tc.lda, i, p, tc.tA), elem(tc.b, tc.ldb, p, j, tc.tB)
							s += math.Abs(float64(av) * float64(bv))
						}
						diff := math.Abs(float64(got[i*tc.ldc+j]) - float64(want[i*tc.ldc+j]))
						worstRel = max(worstRel, diff/max(1, math.Abs(float64(want[i*tc.ldc+j]))))
						d := diff / (u * s)
						if s == 0 {
							d = math.Abs(float64(got[i*tc.ldc+j]) - float64(want[i*tc.ldc+j]))
						}
						if !(d <= simdTolerance(tc.k)) {
							t.Fatalf("%s, %d→%d, batch %d: C[%d][%d] = %v, TiledGemm %v: %.1f u·s apart (tolerance %.0f)",
								tc.name, in, out, bsz, i, j, got[i*tc.ldc+j], want[i*tc.ldc+j], d, simdTolerance(tc.k))
						}
						if d/simdTolerance(tc.k) > worst/simdTolerance(max(worstK, 1)) || worstK == 0 {
							worst, worstK = d, tc.k
						}
					}
				}
			}
		}
	}
	requireKernel(t, before, calls)
	t.Logf("largest difference from TiledGemm: %.2f u·s at k = %d (tolerance %.0f u·s there); largest |Δ|/max(1, |C|): %.2g",
		worst, worstK, simdTolerance(worstK), worstRel)
}

// elem is op(X)[i][j] for X stored with stride ld, transposed when trans.
func elem(x []float32, ld, i, j int, trans bool) float32 {
	if trans {
		return x[j*ld+i]
	}
	return x[i*ld+j]
}

// TestEpilogueMatchesGo: the kernel's epilogues (gemm.c) give the bits of
// the Go epilogue (epilogue.apply) applied to the kernel's plain product, for
// every kind with an epilogue, forward (bias, σ) and backward (σ'), at
// shapes with and without leftover rows and columns and with k over one
// block of the backward product (KC = 256), on values that hit tanh's
// clamp, zeros of both signs, infinities and NaN.
func TestEpilogueMatchesGo(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	acts := []*activation{
		{kind: KindReLU}, {kind: KindLeakyReLU, slope: 0.2}, {kind: KindTanh}, {kind: KindFloor, floor: -0.1},
	}
	special := []float32{0, float32(math.Copysign(0, -1)), float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN()), 9.6, -9.6, 1e-9}
	fill := func(x []float32, scale float32) {
		for i := range x {
			x[i] = scale * float32(rng.NormFloat64())
			if rng.IntN(50) == 0 {
				x[i] = special[rng.IntN(len(special))]
			}
		}
	}
	same := func(a, b float32) bool {
		return math.Float32bits(a) == math.Float32bits(b) || (a != a && b != b)
	}
	before := SIMDKernelStats()
	calls := 0
	for _, sh := range [][3]int{{1, 1, 1}, {3, 5, 7}, {64, 256, 64}, {17, 13, 300}, {64, 784, 512}, {5, 9, 0}} {
		m, n, k := sh[0], sh[1], sh[2]
		for _, act := range acts {
			for _, fwd := range []bool{true, false} {
				ldc := n + 3
				a := make([]float32, m*k+1)
				var b []float32
				if fwd {
					b = make([]float32, n*k+1) // n×k, read transposed
				} else {
					b = make([]float32, k*n+1)
				}
				fill(a, 1)
				fill(b, 4/float32(math.Sqrt(float64(k)+1)))
				bias := make([]float32, n)
				fill(bias, 2)
				aux := make([]float32, m*ldc)
				fill(aux, 1)
				if act.kind == KindTanh {
					for i := range aux {
						aux[i] = Tanh32(aux[i])
					}
				}
				ldb := k
				if !fwd {
					ldb = n
				}
				// Go: the kernel's plain product, then apply.
				want := make([]float32, m*ldc)
				wantPre := make([]float32, m*ldc)
				SIMDGemm{}.Sgemm(false, fwd, m, n, k, 1, a, k, b, ldb, 0, want, ldc)
				calls++
				gep := epilogue{act: act, pre: wantPre, aux: aux}
				if fwd {
					gep.bias = bias
				}
				gep.apply(fwd, want, m, n, ldc)
				got := make([]float32, m*ldc)
				gotPre := make([]float32, m*ldc)
				for i := range got {
					got[i], gotPre[i] = 42, 42
				}
				for i := 0; i < m; i++ {
					for j := n; j < ldc; j++ {
						want[i*ldc+j], wantPre[i*ldc+j] = 42, 42 // outside C: untouched
					}
				}
				kep := epilogue{act: act, pre: gotPre, aux: aux}
				if fwd {
					kep.bias = bias
				}
				if !(SIMDGemm{}).sgemmEpilogue(fwd, m, n, k, a, k, b, ldb, got, ldc, &kep) {
					t.Fatal("the host declined the epilogue")
				}
				calls++
				for i := range got {
					if !same(got[i], want[i]) || !same(gotPre[i], wantPre[i]) {
						t.Fatalf("%s fwd=%v %d×%d×%d: entry %d: kernel %v (pre %v), Go %v (pre %v)",
							act.kind, fwd, m, n, k, i, got[i], gotPre[i], want[i], wantPre[i])
					}
				}
			}
		}
	}
	requireKernel(t, before, calls)
}
