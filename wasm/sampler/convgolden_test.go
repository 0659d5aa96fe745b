package sampler_test

import (
	"hash/fnv"
	"math"
	"testing"

	"github.com/gebm/gebm/shared/nn"
	"github.com/gebm/gebm/wasm/sampler"
)

// withGemm opens file in s with networks that multiply with g (the
// default kernel is restored before returning).
func withGemm(t *testing.T, s *sampler.Sampler, g nn.Gemm, file []byte) sampler.Handle {
	t.Helper()
	prev := nn.DefaultGemm()
	nn.SetDefaultGemm(g)
	defer nn.SetDefaultGemm(prev)
	return open(t, s, file)
}

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
// arithmetic without fused multiply-adds; tanh is nn.Tanh32.) wazero
// against native on the same models is TestMatchesNative
// (wasm/internal/wasihost). A deliberate change to a kernel or a sampler
// changes the hashes: update them then, after the tests of shared/sample.
func TestConvGolden(t *testing.T) {
	want := map[string]uint64{"grey": 0x4d5057de79632644, "colour": 0xe88ddc806fa9fffd}
	for _, md := range convModels {
		s := sampler.New()
		bits := convRun(t, s, withGemm(t, s, nn.TiledGemm{}, md.file))
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

// convKernelTolerance is how far the platform's kernel (nn.DefaultGemm:
// the SIMD128 kernel in a wasmsimd build, gonum's Sgemm natively) may put
// ULA chains from the Go kernel's, relative to max(1, |value|): the
// tolerance docs/RATIONALE.md and wasm/internal/wasihost state for the
// SIMD128 kernel (simdTolerance), which sums each dot product in another
// order, a few float32 roundings per product.
const convKernelTolerance = 1e-5

// TestConvKernelMatchesGo: ULA chains (8 chains, 5 steps of 0.01, twice)
// on the grey and colour convolutional models give the same latents,
// samples and energies with the platform's kernel as with the Go kernel,
// within convKernelTolerance; with TestConvGolden this bounds the SIMD128
// build in Node and wazero against native. In a wasmsimd build the kernel
// must have computed products. The largest difference is logged.
func TestConvKernelMatchesGo(t *testing.T) {
	imported, before := kernelProducts()
	worst := 0.0
	for _, md := range convModels {
		run := func(g nn.Gemm) (z, x, e []float32) {
			s := sampler.New()
			c := newChains(t, s, withGemm(t, s, g, md.file), 8, 3, 1)
			for range 2 {
				if _, err := s.Step(c, sampler.StepParams{Method: "ula", StepSize: 0.01, Steps: 5}); err != nil {
					t.Fatal(err)
				}
			}
			z, _ = s.Latents(c, nil)
			x, _ = s.Samples(c, nil)
			e, _ = s.Energies(c, nil)
			return z, x, e
		}
		gz, gx, ge := run(nn.TiledGemm{})
		pz, px, pe := run(nn.DefaultGemm())
		for _, d := range []struct {
			name string
			a, b []float32
		}{{"latents", pz, gz}, {"samples", px, gx}, {"energies", pe, ge}} {
			if len(d.a) != len(d.b) {
				t.Fatalf("%s: %d %s, want %d", md.name, len(d.a), d.name, len(d.b))
			}
			m := 0.0
			for i := range d.a {
				m = max(m, math.Abs(float64(d.a[i])-float64(d.b[i]))/max(1, math.Abs(float64(d.b[i]))))
			}
			if !(m <= convKernelTolerance) {
				t.Errorf("%s: %s differ by %g between %T and the Go kernel (tolerance %g)", md.name, d.name, m, nn.DefaultGemm(), convKernelTolerance)
			}
			worst = max(worst, m)
		}
	}
	_, after := kernelProducts()
	if imported && after == before {
		t.Fatal("a wasmsimd build, but the SIMD128 kernel computed no product")
	}
	t.Logf("%T against the Go kernel: largest relative difference %g (tolerance %g); %d products in the SIMD128 kernel",
		nn.DefaultGemm(), worst, convKernelTolerance, after-before)
}
