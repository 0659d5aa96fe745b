//go:build wasm || (amd64 && !amd64.v3)

package sampler_test

import (
	"hash/fnv"
	"math"
	"testing"

	"github.com/gebm/gebm/shared/nn"
	"github.com/gebm/gebm/wasm/sampler"
)

// convRun is the fixed-seed run of TestConvGolden on one model: for every
// method of Step, 3 chains (seed 11) take 4 steps at β = 1 and 4 at β = 2;
// then SIR at β = 3 with a pool of 5 per chain. It returns the bits of
// every latent, sample, energy, per-chain acceptance, step acceptance and
// SIR statistic, in order.
func convRun(t *testing.T, s *sampler.Sampler, m sampler.Handle) (bits []uint64) {
	t.Helper()
	f32 := func(v []float32) {
		for _, x := range v {
			bits = append(bits, uint64(math.Float32bits(x)))
		}
	}
	f64 := func(v ...float64) {
		for _, x := range v {
			bits = append(bits, math.Float64bits(x))
		}
	}
	read := func(c sampler.Handle) {
		z, _ := s.Latents(c, nil)
		x, _ := s.Samples(c, nil)
		e, _ := s.Energies(c, nil)
		a, _ := s.Accept(c, nil)
		f32(z)
		f32(x)
		f32(e)
		f64(a...)
	}
	for _, method := range methods {
		c := newChains(t, s, m, 3, 11, 1)
		p := params(method, 4)
		p.StepSize = 0.02
		for _, beta := range []float64{1, 2} {
			if err := s.SetBeta(c, beta); err != nil {
				t.Fatal(err)
			}
			acc, err := s.Step(c, p)
			if err != nil {
				t.Fatalf("%s: %v", method, err)
			}
			f64(acc)
		}
		read(c)
	}
	c := newChains(t, s, m, 3, 11, 3)
	r, err := s.SIR(c, 5)
	if err != nil {
		t.Fatal(err)
	}
	f64(r.ESS, r.LogSumW, r.LogSumW2, float64(r.Pool), float64(r.Zero), float64(r.Distinct))
	read(c)
	return bits
}

// TestConvGolden pins the exact results of every sampler on the grey and
// the colour convolutional models with the Go kernel (nn.TiledGemm,
// WebAssembly's kernel without -tags wasmsimd), as a hash of their bits.
// The same constants pass natively, in Node (GOOS=js, make test-wasm) and
// in the wasmsimd builds in Node and wazero (make test-wasm-simd, which
// still multiply with TiledGemm here): the chains of a conv model are
// bit-identical on every platform. (Batchnorm's running-statistics
// normalisation uses float64 sqrt and division, exact on every platform;
// the convolutions are im2col, the Go kernel and col2im, plain
// arithmetic without fused multiply-adds; tanh is nn.Tanh32.) Natively
// that holds on amd64 without FMA (GOAMD64 v1 and v2, the default); where
// the compiler may fuse x·y + z (arm64, GOAMD64=v3 and up) the last bits
// differ, so the file is built for amd64 below v3 and WebAssembly only. wazero
// against native on the same models is TestMatchesNative
// (wasm/internal/wasihost). A deliberate change to a kernel or a sampler
// changes the hashes: update them then, after the tests of shared/sample.
func TestConvGolden(t *testing.T) {
	want := map[string]uint64{"grey": 0x40414115c1b28d7e, "colour": 0x5304c1ef6633b279}
	for _, md := range convModels {
		s := sampler.New()
		bits := convRun(t, s, openWithGemm(t, s, nn.TiledGemm{}, md.file))
		h := fnv.New64a()
		for _, b := range bits {
			var buf [8]byte
			for i := range buf {
				buf[i] = byte(b >> (8 * i))
			}
			h.Write(buf[:])
		}
		if got := h.Sum64(); got != want[md.name] {
			t.Errorf("%s: hash of %d results %#x, want %#x", md.name, len(bits), got, want[md.name])
		}
	}
}
