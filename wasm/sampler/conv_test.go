package sampler_test

import (
	"errors"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/gebm/gebm/shared/ckpt"
	"github.com/gebm/gebm/shared/model"
	"github.com/gebm/gebm/shared/model/modeltest"
	"github.com/gebm/gebm/shared/nn"
	"github.com/gebm/gebm/wasm/sampler"
)

// convModels are the DCGAN-like convolutional models of the conv tests
// (modeltest.Conv): grey 1×16×16 and colour 3×12×12 images.
var convModels = []struct {
	name           string
	g              *model.GEBM
	channels, side int
	wantShape      []int
	file           []byte
}{
	{name: "grey", g: modeltest.Conv(21, 1, 16), channels: 1, side: 16, wantShape: []int{16, 16}},
	{name: "colour", g: modeltest.Conv(22, 3, 12), channels: 3, side: 12, wantShape: []int{3, 12, 12}},
}

func init() {
	for i := range convModels {
		convModels[i].file = modeltest.File(convModels[i].g)
	}
}

// finite reports whether every value is a finite number.
func finite[T float32 | float64](v []T) bool {
	for _, x := range v {
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			return false
		}
	}
	return true
}

// TestConvSamplers runs every sampler of Step (ULA, MALA, HMC, KLA, MH,
// IMH) and SIR on the grey and the colour convolutional model (batchnorm
// with running statistics, transposed convolutions, spectrally normalised
// convolutions): the latents move and stay finite, every chain's sample is
// B(z) of its latent, an image of channels×side×side values in [−1, 1]
// (the tanh output), and its energy is E(B(z)), both as the model computes
// them outside the sampler, bit for bit; acceptance rates are in [0, 1].
// It checks shapes and plumbing; the samplers' distributions are tested on
// simple models in shared/sample.
func TestConvSamplers(t *testing.T) {
	const n = 4
	for _, md := range convModels {
		dim := md.channels * md.side * md.side
		for _, method := range append(slices.Clone(methods), "sir") {
			s := sampler.New()
			m := open(t, s, md.file)
			c := newChains(t, s, m, n, 7, 1)
			z0, err := s.Latents(c, nil)
			if err != nil {
				t.Fatal(err)
			}
			var acc float64
			if method == "sir" {
				r, err := s.SIR(c, 8)
				if err != nil {
					t.Fatalf("%s/%s: %v", md.name, method, err)
				}
				if r.Pool != 8*n || !(r.ESS >= 1 && r.ESS <= float64(r.Pool)) || r.Distinct < 1 {
					t.Errorf("%s/sir: %+v", md.name, r)
				}
				acc = 1
			} else {
				p := params(method, 3)
				p.StepSize = 0.02
				if acc, err = s.Step(c, p); err != nil {
					t.Fatalf("%s/%s: %v", md.name, method, err)
				}
			}
			z, _ := s.Latents(c, nil)
			x, _ := s.Samples(c, nil)
			e, _ := s.Energies(c, nil)
			a, _ := s.Accept(c, nil)
			if len(z) != n*md.g.Latent() || len(x) != n*dim || len(e) != n || len(a) != n {
				t.Fatalf("%s/%s: %d latents, %d sample values, %d energies, %d accept rates; want %d, %d, %d, %d",
					md.name, method, len(z), len(x), len(e), len(a), n*md.g.Latent(), n*dim, n, n)
			}
			if !finite(z) || !finite(x) || !finite(e) || !finite(a) || !(acc >= 0 && acc <= 1) {
				t.Fatalf("%s/%s: a value is not finite (acceptance %v)", md.name, method, acc)
			}
			if slices.Equal(z, z0) {
				t.Errorf("%s/%s: no chain moved (acceptance %v)", md.name, method, acc)
			}
			for i, v := range x {
				if v < -1 || v > 1 {
					t.Fatalf("%s/%s: sample value %d is %v, outside the tanh output's [−1, 1]", md.name, method, i, v)
				}
			}
			for i, v := range a {
				if !(v >= 0 && v <= 1) {
					t.Fatalf("%s/%s: chain %d's acceptance rate is %v", md.name, method, i, v)
				}
			}
			if want := md.g.Generate(z, n, nil); !slices.Equal(x, want) {
				t.Fatalf("%s/%s: the samples are not B of the latents", md.name, method)
			}
			if want := md.g.Energies(x, n, nil); !slices.Equal(e, want) {
				t.Fatalf("%s/%s: energies %v, E(B(z)) is %v", md.name, method, e, want)
			}
		}
	}
}

// TestConvDescribe: a convolutional model's description reports its image
// shape (grey [H W], colour [C H W]) with its channels, height and width,
// its parameters (batchnorm's γ and β count, its running statistics do
// not), and a chain bound from the widths of all its layers.
func TestConvDescribe(t *testing.T) {
	for _, md := range convModels {
		s := sampler.New()
		d, err := s.Describe(open(t, s, md.file))
		if err != nil {
			t.Fatal(err)
		}
		params, width := 0, 0
		for _, net := range []*model.GEBM{md.g} {
			for _, p := range append(net.Base.Params(), net.Energy.Params()...) {
				params += len(p.Value)
			}
			for _, w := range append(net.Base.Spec().Widths(), net.Energy.Spec().Widths()...) {
				width += w
			}
		}
		want := sampler.ImageShape{Channels: md.channels, Height: md.side, Width: md.side}
		if !slices.Equal(d.Shape, md.wantShape) || d.Image == nil || *d.Image != want ||
			d.Dim != md.channels*md.side*md.side || d.Latent != 16 || d.Params != params ||
			d.MaxChains != min(sampler.MaxChains, sampler.MaxBatchFloats/width) || d.Dataset != md.g.Data.Name {
			t.Errorf("%s: %+v (image %v); want shape %v, image %+v, %d parameters, at most %d chains",
				md.name, d, d.Image, md.wantShape, want, params, min(sampler.MaxChains, sampler.MaxBatchFloats/width))
		}
	}
	s := sampler.New()
	d, err := s.Describe(open(t, s, toyFile))
	if err != nil {
		t.Fatal(err)
	}
	if d.Image != nil {
		t.Errorf("a 2-D model's description has image %+v", *d.Image)
	}
}

// TestOpenRefusesHugeConvBuffers: a model file of 0.3 MB whose
// convolution would need a column matrix of 1 GiB (modeltest.HugeColumns,
// far above MaxScratchFloats) is refused with ErrModel before anything is
// built, and the sampler still opens a convolutional model afterwards.
func TestOpenRefusesHugeConvBuffers(t *testing.T) {
	file := modeltest.HugeColumns()
	f, err := ckpt.Decode(file)
	if err != nil {
		t.Fatal(err)
	}
	if g := f.Base.Layers[0].ConvGeometry(); g.C*g.K*g.K*g.OH*g.OW <= sampler.MaxScratchFloats {
		t.Fatalf("the test's column matrix, %d floats, is within the limit %d", g.C*g.K*g.K*g.OH*g.OW, sampler.MaxScratchFloats)
	}
	s := sampler.New()
	_, err = s.Open(file)
	if !errors.Is(err, sampler.ErrModel) || !strings.Contains(err.Error(), "column buffers need 268435456 float32s (1024 MiB)") {
		t.Fatalf("a model needing a 1 GiB column buffer: err = %v, want ErrModel naming the column buffers", err)
	}
	if m, c := s.Count(); m != 0 || c != 0 {
		t.Fatalf("after the refused file: %d models, %d chain sets open", m, c)
	}
	newChains(t, s, open(t, s, convModels[0].file), 2, 1, 1)
}

// openWithGemm opens file in s with networks that multiply with g (the
// default kernel is restored before returning).
func openWithGemm(t *testing.T, s *sampler.Sampler, g nn.Gemm, file []byte) (h sampler.Handle) {
	t.Helper()
	withGemm(g, func() { h = open(t, s, file) })
	return h
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
			c := newChains(t, s, openWithGemm(t, s, g, md.file), 8, 3, 1)
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
