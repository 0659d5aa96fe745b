package wasihost

import (
	"context"
	"testing"

	"github.com/gebm/gebm/shared/model/modeltest"
	"github.com/gebm/gebm/wasm/sampler"
)

// simdTolerance is what the SIMD128 build's results may differ by from the
// Go kernel's (natively or in wasm alike), relative to max(1, |value|).
// The kernel sums each dot product in another order (four lanes, then
// across), so every matrix product differs by float32 rounding, a few
// units of 6e-8 times the sum of the absolute products
// (shared/nn.TestSIMDMatchesTiled), which layers and steps carry forward.
// Measured: at most 2.1e-7 here (MNIST-size samples); 1e-5, as for
// native against wasm, leaves a factor of ~50 and is ~1000 times smaller
// than a sampler step (a wrong kernel is off by O(0.1)). Only ULA is
// compared: methods with an accept test could flip a decision on such a
// difference (rarely, but then by O(1)).
const simdTolerance = 1e-5

func simdInstance(t *testing.T) *Instance {
	t.Helper()
	in, err := simdModule.Instantiate(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { in.Close() })
	return in
}

// TestSIMDMatchesNative: the -tags wasmsimd module, its products in the
// SIMD128 kernel through simdhost, gives the latents, samples and energies
// of ULA chains and the generator's samples of the native sampler (Go
// kernel) within simdTolerance, on a 2-D toy, a small image model, the
// MNIST-size model and the grey and colour convolutional models
// (modeltest.Conv, whose convolutions run their im2col products in the
// kernel); and the kernel did the products.
func TestSIMDMatchesNative(t *testing.T) {
	in := simdInstance(t)
	if in.SIMD() {
		t.Fatal("SIMD() before any product")
	}
	before := simdModule.simd.Calls()
	worst := 0.0
	for _, md := range []struct {
		name     string
		file     []byte
		n, steps int
	}{
		{"toy2d", modeltest.File(modeltest.Toy2D(11)), 16, 20},
		{"image", modeltest.File(modeltest.Image(12)), 16, 10},
		{"mnist", modeltest.File(modeltest.MNIST(13)), 8, 5},
		{"conv-grey", modeltest.File(modeltest.Conv(15, 1, 16)), 8, 5},
		{"conv-colour", modeltest.File(modeltest.Conv(16, 3, 16)), 8, 5},
	} {
		s := native{sampler.New()}
		ms, err := s.Open(md.file)
		if err != nil {
			t.Fatal(err)
		}
		mw, err := in.Open(md.file)
		if err != nil {
			t.Fatal(err)
		}
		p := sampler.StepParams{Method: "ula", StepSize: 0.01, Steps: md.steps}
		const seed = 5
		want := scenario(t, s, ms, md.n, seed, p, 2, func(c, m sampler.Handle) (state, error) { return s.state(c, m, md.n, seed) })
		got := scenario(t, in, mw, md.n, seed, p, 2, func(c, m sampler.Handle) (state, error) { return instanceState(in, c, m, md.n, seed) })
		var line string
		for _, d := range []struct {
			name string
			v    float64
		}{
			{"latents", maxDiff(got.z, want.z)}, {"samples", maxDiff(got.x, want.x)},
			{"energies", maxDiff(got.e, want.e)}, {"generate", maxDiff(got.gen, want.gen)},
		} {
			worst = max(worst, d.v)
			line += " " + d.name + "=" + formatDiff(d.v)
			if !(d.v <= simdTolerance) {
				t.Errorf("%s: %s differ by %g (tolerance %g)", md.name, d.name, d.v, simdTolerance)
			}
		}
		t.Logf("%s/ula: max relative differences from native:%s", md.name, line)
	}
	if !in.SIMD() {
		t.Fatal("the SIMD module did not attach the kernel")
	}
	if simdModule.simd.Calls() == before {
		t.Fatal("the kernel computed no product")
	}
	t.Logf("largest difference: %g (tolerance %g); %d products in the kernel", worst, simdTolerance, simdModule.simd.Calls()-before)
}

// TestPlainModuleHasNoKernel: the module built without the tag runs its Go
// kernel (and so matches native bit for bit: TestMatchesNative).
func TestPlainModuleHasNoKernel(t *testing.T) {
	in := instance(t)
	m, err := in.Open(modeltest.File(modeltest.Toy2D(3)))
	if err != nil {
		t.Fatal(err)
	}
	c, err := in.NewChains(m, 4, 1, 1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := in.Step(c, sampler.StepParams{Method: "ula", StepSize: 0.01, Steps: 2}); err != nil {
		t.Fatal(err)
	}
	if in.SIMD() {
		t.Fatal("the plain module uses the SIMD kernel")
	}
}
