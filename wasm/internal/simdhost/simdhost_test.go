package simdhost

import (
	"context"
	"encoding/binary"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gebm/gebm/wasm/simd"
	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
)

// memoryModule is (module (memory (export "memory") 40)): 2.5 MiB of memory
// for the kernel to work on, as a Go module's would be.
var memoryModule = []byte{0, 97, 115, 109, 1, 0, 0, 0, 5, 3, 1, 0, 40, 7, 10, 1, 6, 'm', 'e', 'm', 'o', 'r', 'y', 2, 0}

// TestKernelWritesOnlyC runs the kernel on a memory full of a pattern and
// the operands, on random shapes, layouts, strides and alpha/beta (beta = 0 over
// NaN), and checks C against the float64 definition and every byte outside
// C against the pattern: the kernel writes nothing but C (no stack, no
// data: the memory it imports is the Go module's own).
func TestKernelWritesOnlyC(t *testing.T) {
	ctx := context.Background()
	rt := wazero.NewRuntimeWithConfig(ctx, wazero.NewRuntimeConfigCompiler())
	defer rt.Close(ctx)
	h, err := Instantiate(ctx, rt)
	if err != nil {
		t.Fatal(err)
	}
	owner, err := rt.InstantiateWithConfig(ctx, memoryModule, wazero.NewModuleConfig().WithName("owner"))
	if err != nil {
		t.Fatal(err)
	}
	k, err := h.kernelFor(ctx, owner)
	if err != nil {
		t.Fatal(err)
	}
	mem := owner.Memory()
	size := mem.Size()
	pattern := func(i uint32) byte { return byte(i*7 + 3) }
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := range 200 {
		buf, _ := mem.Read(0, size)
		for i := range buf {
			buf[i] = pattern(uint32(i))
		}
		m, n, k0 := 1+rng.IntN(20), 1+rng.IntN(40), rng.IntN(600)
		if trial%10 == 0 {
			m, n = 1+rng.IntN(3), 1+rng.IntN(3)
		}
		tB := rng.IntN(2) == 1
		br, bc := k0, n
		if tB {
			br, bc = n, k0
		}
		lda, ldb, ldc := k0+rng.IntN(3), bc+rng.IntN(3), n+rng.IntN(3)
		alpha, beta := float32(rng.NormFloat64()), float32(rng.NormFloat64())
		if trial%4 == 0 {
			beta = 0
		}
		// A, B, C at random 4-byte-aligned places, apart.
		aAt := uint32(4096 + 4*rng.IntN(1000))
		bAt := aAt + uint32(4*(m*lda+7))
		cAt := bAt + uint32(4*(br*ldb+5))
		a := fill(rng, mem, aAt, m*lda)
		b := fill(rng, mem, bAt, br*ldb)
		c := fill(rng, mem, cAt, m*ldc)
		if beta == 0 {
			for i := range c {
				c[i] = float32(math.NaN())
				mem.WriteFloat32Le(cAt+uint32(4*i), c[i])
			}
		}
		snap, _ := mem.Read(0, size)
		snap = append([]byte(nil), snap...)
		stack := []uint64{api.EncodeI32(b2i(tB)), uint64(m), uint64(n), uint64(k0), api.EncodeF32(alpha),
			uint64(aAt), uint64(lda), uint64(bAt), uint64(ldb), api.EncodeF32(beta), uint64(cAt), uint64(ldc)}
		if err := k.fn.CallWithStack(ctx, stack); err != nil {
			t.Fatal(err)
		}
		if stack[0] != 1 {
			t.Fatalf("gemm returned %d", stack[0])
		}
		inC := func(addr uint32) bool {
			if addr < cAt || addr >= cAt+uint32(4*m*ldc) {
				return false
			}
			return (addr-cAt)/4%uint32(ldc) < uint32(n)
		}
		after, _ := mem.Read(0, size)
		for i, v := range after {
			if !inC(uint32(i)) && v != snap[i] {
				t.Fatalf("trial %d: byte %#x outside C changed (C at %#x..%#x)", trial, i, cAt, cAt+uint32(4*m*ldc))
			}
		}
		for i := 0; i < m; i++ {
			for j := 0; j < n; j++ {
				var s, scale float64
				for p := 0; p < k0; p++ {
					var bv float32
					if tB {
						bv = b[j*ldb+p]
					} else {
						bv = b[p*ldb+j]
					}
					s += float64(a[i*lda+p]) * float64(bv)
					scale += math.Abs(float64(a[i*lda+p]) * float64(bv))
				}
				want := float64(alpha) * s
				scale = math.Abs(float64(alpha))*scale + 1e-30
				if beta != 0 {
					want += float64(beta) * float64(c[i*ldc+j])
					scale += math.Abs(float64(beta) * float64(c[i*ldc+j]))
				}
				got := float64(math.Float32frombits(binary.LittleEndian.Uint32(after[cAt+uint32(4*(i*ldc+j)):])))
				if !(math.Abs(got-want) <= float64(k0+3)*scale/(1<<24)) {
					t.Fatalf("trial %d (tB=%v m=%d n=%d k=%d): C[%d][%d] = %v, want %v", trial, tB, m, n, k0, i, j, got, want)
				}
			}
		}
	}
	if h.Calls() != 0 {
		t.Errorf("Calls() = %d for direct calls, want 0 (it counts calls through gebm.gemm)", h.Calls())
	}
	if err := h.Release(ctx, owner); err != nil {
		t.Fatal(err)
	}
	if h.Attached(owner) {
		t.Error("still attached after Release")
	}
}

func fill(rng *rand.Rand, mem api.Memory, at uint32, n int) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(rng.NormFloat64())
		mem.WriteFloat32Le(at+uint32(4*i), x[i])
	}
	return x
}

func b2i(v bool) int32 {
	if v {
		return 1
	}
	return 0
}

// TestNoMemoryNoKernel: a caller that exports no memory named "memory" gets
// no kernel (and gebm.gemm answers 0 to it).
func TestNoMemoryNoKernel(t *testing.T) {
	ctx := context.Background()
	rt := wazero.NewRuntime(ctx)
	defer rt.Close(ctx)
	h, err := Instantiate(ctx, rt)
	if err != nil {
		t.Fatal(err)
	}
	anon := append([]byte(nil), memoryModule...)
	copy(anon[len(anon)-8:], "memorz") // export the memory as "memorz"
	mod, err := rt.InstantiateWithConfig(ctx, anon, wazero.NewModuleConfig().WithName("other"))
	if err != nil {
		t.Fatal(err)
	}
	stack := make([]uint64, 12)
	stack[0] = 7
	h.gemm(ctx, mod, stack)
	if stack[0] != 0 || h.Attached(mod) {
		t.Fatalf("gemm answered %d to a module without memory %q", stack[0], simd.MemoryName)
	}
}
