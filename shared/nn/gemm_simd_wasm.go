//go:build wasm && wasmsimd

package nn

import (
	"fmt"
	"runtime"
	"unsafe"
)

// platformGemm is the SIMD128 kernel in builds with -tags wasmsimd.
func platformGemm() Gemm { return SIMDGemm{} }

const simdImported = true

// simdGemm is the kernel of wasm/simd (gemm.c), which the host instantiates
// on this module's memory and makes callable as gebm.gemm: see package
// wasm/simd. a, b and c are byte addresses in this module's memory; it
// returns 1 when it computed C, anything else (a host without the kernel
// returns 0) when it did nothing.
//
//go:wasmimport gebm gemm
func simdGemm(tB int32, m, n, k int32, alpha float32, a uint32, lda int32, b uint32, ldb int32, beta float32, c uint32, ldc int32) int32

// SIMDGemm is Gemm through the WebAssembly SIMD128 kernel of wasm/simd,
// called through the import gebm.gemm (only in builds for GOOS=js or wasip1
// with -tags wasmsimd; every host of such a module must provide the import).
// A call that the host declines (it has no SIMD128, or no kernel) is done by
// TiledGemm instead; SIMDStats counts both.
//
// The kernel reads A in place when it is not transposed (a transposed A is
// packed here first) and B in place in either layout, and sums in another
// order than TiledGemm: results agree with TiledGemm's within float32
// rounding of the dot products (see TestSIMDMatchesTiled), not bit for bit.
type SIMDGemm struct{}

var simdStats SIMDStats

// Sgemm implements Gemm.
func (SIMDGemm) Sgemm(tA, tB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	if m == 0 || n == 0 {
		return
	}
	// The kernel reads and writes memory unchecked: check here what Go's
	// bounds checks would catch in TiledGemm.
	ar, ac := m, k
	if tA {
		ar, ac = k, m
	}
	br, bc := k, n
	if tB {
		br, bc = n, k
	}
	checkOperand("A", a, ar, ac, lda)
	checkOperand("B", b, br, bc, ldb)
	checkOperand("C", c, m, n, ldc)
	if max(m, n, k, lda, ldb, ldc) > 1<<30 {
		panic(fmt.Sprintf("nn: SIMDGemm: dimensions %d×%d×%d too large for the kernel", m, n, k))
	}
	var bufp *[]float32
	if tA && k > 0 {
		bufp = packPool.Get().(*[]float32)
		if cap(*bufp) < m*k {
			*bufp = make([]float32, m*k)
		}
		ap := (*bufp)[:m*k]
		pack(ap, a, lda, m, k, true)
		a, lda = ap, k
	}
	r := simdGemm(b2i(tB), int32(m), int32(n), int32(k), alpha, addr(a), int32(lda), addr(b), int32(ldb), beta, addr(c), int32(ldc))
	runtime.KeepAlive(a)
	runtime.KeepAlive(b)
	runtime.KeepAlive(c)
	if r == 1 {
		simdStats.Kernel++
	} else {
		simdStats.Fallback++
		if bufp != nil { // a is op(A), packed
			tA = false
		}
		TiledGemm{}.Sgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
	}
	if bufp != nil {
		packPool.Put(bufp)
	}
}

// sgemmEpilogue implements epilogueGemm: the kernel reads ep's words, which
// hold the addresses of its bias, pre and aux and of tanhCoef, and answers
// 2 when it applied them. It reports false where the host declined.
func (SIMDGemm) sgemmEpilogue(tB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int, ep *epilogue) bool {
	if m == 0 || n == 0 {
		return true
	}
	br, bc := k, n
	if tB {
		br, bc = n, k
	}
	checkOperand("A", a, m, k, lda)
	checkOperand("B", b, br, bc, ldb)
	checkOperand("C", c, m, n, ldc)
	if max(m, n, k, lda, ldb, ldc) > 1<<30 {
		panic(fmt.Sprintf("nn: SIMDGemm: dimensions %d×%d×%d too large for the kernel", m, n, k))
	}
	kind, param, ok := ep.act.epilogueKind()
	if !ok {
		panic(fmt.Sprintf("nn: no epilogue for %s", ep.act.kind))
	}
	w := &ep.words
	*w = epilogueWords{kind: kind, param: param, coefs: uint32(uintptr(unsafe.Pointer(&tanhCoef[0])))}
	if tB && ep.bias != nil {
		checkOperand("bias", ep.bias, 1, n, n)
		w.bias = addr(ep.bias)
	}
	if ep.pre != nil {
		checkOperand("pre", ep.pre, m, n, ldc)
		w.pre = addr(ep.pre)
	}
	if !tB {
		checkOperand("aux", ep.aux, m, n, ldc)
		w.aux = addr(ep.aux)
	}
	op := uint32(uintptr(unsafe.Pointer(w)))
	if op&7 != 0 {
		panic("nn: SIMDGemm: epilogue words not 8-byte aligned")
	}
	if tB {
		op |= 1
	}
	r := simdGemm(int32(op), int32(m), int32(n), int32(k), 1, addr(a), int32(lda), addr(b), int32(ldb), 0, addr(c), int32(ldc))
	runtime.KeepAlive(a)
	runtime.KeepAlive(b)
	runtime.KeepAlive(c)
	runtime.KeepAlive(ep)
	switch r {
	case 2:
		simdStats.Kernel++
		return true
	case 1:
		panic("nn: SIMDGemm: the SIMD128 kernel does not apply epilogues: it is older than this module")
	}
	return false // the fallback is counted by the Sgemm that follows
}

// checkOperand panics unless x holds a rows×cols matrix with row stride ld.
func checkOperand(name string, x []float32, rows, cols, ld int) {
	if rows == 0 || cols == 0 {
		return
	}
	if ld < cols || len(x) < (rows-1)*ld+cols {
		panic(fmt.Sprintf("nn: SIMDGemm: %s: %d values with stride %d for a %d×%d matrix", name, len(x), ld, rows, cols))
	}
}

// addr is the linear-memory address of x's first element (0 for none).
func addr(x []float32) uint32 {
	if len(x) == 0 {
		return 0
	}
	return uint32(uintptr(unsafe.Pointer(unsafe.SliceData(x))))
}

func b2i(v bool) int32 {
	if v {
		return 1
	}
	return 0
}
