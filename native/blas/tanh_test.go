//go:build cgo && !noopenblas

package blas

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gebm/gebm/shared/nn"
)

// TestTanhMatchesGo: FastestTanh gives nn.TanhSlice's bits on every 997th
// float32 of [-12, 12] (subnormals, the small-x region where tanh x = x,
// the polynomial's whole range, both clamps), on special values (±0,
// ±Inf, NaN, subnormals, the largest floats), at every length around the
// four-lane blocks, and in place.
func TestTanhMatchesGo(t *testing.T) {
	var x []float32
	// Every 997th float32 from 0 to 12, and its negative.
	for b := uint32(0); b <= math.Float32bits(12); b += 997 {
		v := math.Float32frombits(b)
		x = append(x, v, -v)
	}
	x = append(x, 0, float32(math.Copysign(0, -1)), float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN()),
		math.SmallestNonzeroFloat32, -math.SmallestNonzeroFloat32, math.MaxFloat32, -math.MaxFloat32, 9.5, -9.5,
		math.Nextafter32(9.5, 10), math.Nextafter32(-9.5, -10))
	rng := rand.New(rand.NewPCG(1, 2))
	for range 100000 {
		x = append(x, float32(rng.NormFloat64()*math.Pow(10, float64(rng.IntN(12)-8))))
	}
	check := func(what string, got, want []float32) {
		t.Helper()
		for i := range want {
			if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
				t.Fatalf("%s: tanh(%v) = %v (%#x), Go %v (%#x)", what, x[i], got[i], math.Float32bits(got[i]), want[i], math.Float32bits(want[i]))
			}
		}
	}
	want := make([]float32, len(x))
	nn.TanhSlice(want, x)
	got := make([]float32, len(x))
	FastestTanh()(got, x)
	check("all", got, want)
	for n := range 10 {
		got := make([]float32, n)
		FastestTanh()(got, x[:n])
		check("short", got, want[:n])
	}
	inPlace := append([]float32(nil), x...)
	FastestTanh()(inPlace, inPlace)
	check("in place", inPlace, want)
}

// BenchmarkTanh times FastestTanh against nn.TanhSlice on the values of a
// generator's output layer (normal pre-activations, scale 2), 128×784.
func BenchmarkTanh(b *testing.B) {
	rng := rand.New(rand.NewPCG(3, 4))
	x := make([]float32, 128*784)
	for i := range x {
		x[i] = float32(2 * rng.NormFloat64())
	}
	y := make([]float32, len(x))
	for _, k := range []struct {
		name string
		f    nn.TanhKernel
	}{{"go", nn.TanhSlice}, {"native", FastestTanh()}} {
		b.Run(k.name, func(b *testing.B) {
			b.SetBytes(int64(4 * len(x)))
			for range b.N {
				k.f(y, x)
			}
		})
	}
}
