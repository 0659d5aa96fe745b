//go:build cuda

package cuda

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// These tests need a GPU: a cuda-tagged test binary exits in
// gorgonia.org/cu's init on a machine without one. Elsewhere they run in
// the CPU emulation of the kernels (tags cuda,cudaemu; add -short there).

// testDevice opens device 0 and binds its context to the test's thread.
func testDevice(t testing.TB) *Device {
	t.Helper()
	d, err := Open(0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.bind())
	return d
}

// testGemms returns every matrix product this build has.
func testGemms(t testing.TB, d *Device) []Gemm {
	gs := []Gemm{&KernelGemm{d: d}}
	if HaveCublas {
		g, err := NewGemm(d, "cublas")
		if err != nil {
			t.Fatal(err)
		}
		gs = append(gs, g)
	}
	return gs
}

func upload(t testing.TB, d *Device, x []float32) Buffer {
	t.Helper()
	b := d.Alloc(len(x))
	d.Upload(b, x)
	t.Cleanup(func() { d.Free(b) })
	return b
}

func download(t testing.TB, d *Device, b Buffer) []float32 {
	t.Helper()
	x := make([]float32, b.n)
	d.Download(x, b)
	if err := d.check(); err != nil {
		t.Fatal(err)
	}
	return x
}

func downloadD(t testing.TB, d *Device, b Doubles) []float64 {
	t.Helper()
	x := make([]float64, b.n)
	d.downloadDoubles(x, b)
	if err := d.check(); err != nil {
		t.Fatal(err)
	}
	return x
}

func randn(rng *rand.Rand, n int, scale float64) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(rng.NormFloat64() * scale)
	}
	return x
}

// sameBits requires got and want to be identical, bit for bit (NaNs of any
// payload count as equal).
func sameBits(t testing.TB, what string, got, want []float32) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	for i := range got {
		g, w := got[i], want[i]
		if math.Float32bits(g) != math.Float32bits(w) && !(g != g && w != w) && !(g == 0 && w == 0) {
			t.Fatalf("%s[%d] = %v (%#x), want %v (%#x)", what, i, g, math.Float32bits(g), w, math.Float32bits(w))
		}
	}
}

// ulps is the distance between a and b in units in the last place.
func ulps(a, b float32) int64 {
	ia, ib := int64(int32(math.Float32bits(a))), int64(int32(math.Float32bits(b)))
	if ia < 0 {
		ia = math.MinInt32 - ia
	}
	if ib < 0 {
		ib = math.MinInt32 - ib
	}
	d := ia - ib
	if d < 0 {
		d = -d
	}
	return d
}

// withinULPs requires every element within maxULP units in the last place
// (for results through a math library: CUDA's exp and tanh against Go's).
func withinULPs(t testing.TB, what string, got, want []float32, maxULP int64) {
	t.Helper()
	for i := range want {
		if got[i] != got[i] && want[i] != want[i] {
			continue
		}
		if u := ulps(got[i], want[i]); u > maxULP {
			t.Fatalf("%s[%d] = %v, want %v (%d ulp apart, at most %d)", what, i, got[i], want[i], u, maxULP)
		}
	}
}

// relErr is max_i |got_i - want_i| / max(max_i |want_i|, tiny): the error
// relative to the size of the whole tensor, the scale on which float32
// sums in a different order differ.
func relErr(got, want []float32) (float64, int) {
	var scale, worst float64
	at := -1
	for _, w := range want {
		scale = math.Max(scale, math.Abs(float64(w)))
	}
	scale = math.Max(scale, 1e-30)
	for i := range want {
		e := math.Abs(float64(got[i])-float64(want[i])) / scale
		if e > worst || math.IsNaN(e) {
			worst, at = e, i
			if math.IsNaN(e) {
				return math.Inf(1), i
			}
		}
	}
	return worst, at
}

func near(t testing.TB, what string, got, want []float32, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	if e, i := relErr(got, want); e > tol {
		t.Fatalf("%s: relative error %.3g at [%d] (%v vs %v), tolerance %.3g", what, e, i, got[i], want[i], tol)
	}
}

// nearF requires |got - want| <= tol·max(1, |want|), or both the same
// non-finite value.
func nearF(t testing.TB, what string, got, want, tol float64) {
	t.Helper()
	if math.IsNaN(want) || math.IsInf(want, 0) {
		if math.IsNaN(want) && math.IsNaN(got) || got == want {
			return
		}
		t.Fatalf("%s = %v, want %v", what, got, want)
	}
	if math.Abs(got-want) > tol*math.Max(1, math.Abs(want)) {
		t.Fatalf("%s = %.17g, want %.17g (tolerance %.3g)", what, got, want, tol)
	}
}

func name(parts ...any) string { return fmt.Sprint(parts...) }
