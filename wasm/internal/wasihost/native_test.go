package wasihost

import (
	"math"
	"reflect"
	"testing"

	"github.com/gebm/gebm/shared/model/modeltest"
	"github.com/gebm/gebm/wasm/sampler"
)

// samplerAPI is what the tests call on either side: the sampler natively, or an
// Instance of the module.
type samplerAPI interface {
	Open([]byte) (sampler.Handle, error)
	NewChains(m sampler.Handle, n int, seed uint64, beta float64) (sampler.Handle, error)
	Step(c sampler.Handle, p sampler.StepParams) (float64, error)
	SetBeta(c sampler.Handle, beta float64) error
	Free(h sampler.Handle) error
}

// state is everything a chain set reports.
type state struct {
	acc      []float64 // mean acceptance of each Step call
	z, x, e  []float32
	accepts  []float64
	gen      []float32
	describe sampler.Description
}

// native adapts *sampler.Sampler to the reading calls of Instance.
type native struct{ *sampler.Sampler }

func (s native) state(c, m sampler.Handle, n int, seed uint64) (st state, err error) {
	if st.z, err = s.Latents(c, nil); err != nil {
		return
	}
	if st.x, err = s.Samples(c, nil); err != nil {
		return
	}
	if st.e, err = s.Energies(c, nil); err != nil {
		return
	}
	if st.accepts, err = s.Accept(c, nil); err != nil {
		return
	}
	st.gen, err = s.Generate(m, n, seed, nil)
	return
}

func instanceState(in *Instance, c, m sampler.Handle, n int, seed uint64) (st state, err error) {
	if st.z, err = in.Latents(c); err != nil {
		return
	}
	if st.x, err = in.Samples(c); err != nil {
		return
	}
	if st.e, err = in.Energies(c); err != nil {
		return
	}
	if st.accepts, err = in.Accept(c); err != nil {
		return
	}
	st.gen, err = in.Generate(m, n, seed)
	return
}

// scenario runs the same calls on either side: chains on model m, steps in
// several calls with a change of β between them, reading every result.
func scenario(t *testing.T, a samplerAPI, m sampler.Handle, n int, seed uint64, p sampler.StepParams, calls int,
	read func(c, m sampler.Handle) (state, error)) state {
	t.Helper()
	c, err := a.NewChains(m, n, seed, 1)
	if err != nil {
		t.Fatal(err)
	}
	var accs []float64
	for i := range calls {
		if i == calls/2 {
			if err := a.SetBeta(c, 2); err != nil {
				t.Fatal(err)
			}
		}
		acc, err := a.Step(c, p)
		if err != nil {
			t.Fatal(err)
		}
		accs = append(accs, acc)
	}
	st, err := read(c, m)
	if err != nil {
		t.Fatal(err)
	}
	st.acc = accs
	if err := a.Free(c); err != nil {
		t.Fatal(err)
	}
	return st
}

// maxDiff is the largest |a_i − b_i| relative to max(1, |b_i|); +Inf if
// the lengths differ or one side is NaN where the other is not.
func maxDiff[T float32 | float64](a, b []T) float64 {
	if len(a) != len(b) {
		return math.Inf(1)
	}
	d := 0.0
	for i := range a {
		x, y := float64(a[i]), float64(b[i])
		if math.IsNaN(x) != math.IsNaN(y) {
			return math.Inf(1)
		}
		d = max(d, math.Abs(x-y)/max(1, math.Abs(y)))
	}
	return d
}

// tolerance is what native and WebAssembly results may differ by, relative
// to max(1, |value|). Both run the same Go code with the same matrix kernel
// and no fused multiply-adds (GOAMD64=v1 and wasm have none), so the only
// possible source of difference is math.Exp and math.Log (the logistic
// activation, the coupling layers' tanh and exp, the accept ratios), which
// run assembly on amd64 and pure Go in wasm: a last-bit difference in a
// float64 that is then rounded to float32, so a float32 output may differ
// by one ulp (6e-8 relative) now and then, and a few steps through a few
// layers can grow that to a few ulps. (The tanh activation is nn.Tanh32,
// plain arithmetic with no fused multiply-adds: the same bits on both.)
// 1e-5 leaves room for that and is still ~1000 times smaller than a step
// of any sampler here (a wrong kernel
// or seed is off by O(0.1)); a flipped accept decision would break it.
// Measured: no difference at all (bit-identical) for every model, method and
// output of TestMatchesNative; the test logs the maxima.
const tolerance = 1e-5

// TestMatchesNative: for every sampler, on a 2-D toy model, a 2-D model
// whose base is a RealNVP flow, a small image model (tanh output, spectral
// normalisation), the MNIST-size model and two DCGAN-like convolutional
// models (modeltest.Conv: batchnorm with running statistics,
// conv_transpose2d, spectrally normalised conv2d; grey 1×16×16 and colour
// 3×16×16), the WASI module in
// wazero gives the same description, latents, samples, energies, acceptance and
// generator samples as the same API called natively, within tolerance.
func TestMatchesNative(t *testing.T) {
	models := []struct {
		name         string
		file         []byte
		n, steps     int
		calls        int
		stepSizeMult float64
	}{
		{"toy2d", modeltest.File(modeltest.Toy2D(11)), 8, 5, 4, 1},
		{"flow2d", modeltest.File(modeltest.Flow2D(14)), 8, 5, 4, 1},
		{"image", modeltest.File(modeltest.Image(12)), 8, 5, 4, 1},
		{"mnist", modeltest.File(modeltest.MNIST(13)), 3, 1, 2, 0.2},
		{"conv-grey", modeltest.File(modeltest.Conv(15, 1, 16)), 4, 2, 2, 1},
		{"conv-colour", modeltest.File(modeltest.Conv(16, 3, 16)), 4, 2, 2, 1},
	}
	in := instance(t)
	worst := 0.0
	for _, md := range models {
		s := native{sampler.New()}
		ms, err := s.Open(md.file)
		if err != nil {
			t.Fatal(err)
		}
		mw, err := in.Open(md.file)
		if err != nil {
			t.Fatal(err)
		}
		dn, err := s.Describe(ms)
		if err != nil {
			t.Fatal(err)
		}
		dw, err := in.Describe(mw)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(dw, dn) {
			t.Errorf("%s: the module describes the model as %+v, the native sampler as %+v", md.name, dw, dn)
		}
		for _, method := range []string{"ula", "mala", "hmc", "kla", "mh", "imh"} {
			p := sampler.StepParams{Method: method, StepSize: 0.05 * md.stepSizeMult, Leapfrog: 3, Friction: 1, Steps: md.steps}
			n, seed, calls := md.n, uint64(99), md.calls
			want := scenario(t, s, ms, n, seed, p, calls, func(c, m sampler.Handle) (state, error) { return s.state(c, m, n, seed) })
			got := scenario(t, in, mw, n, seed, p, calls, func(c, m sampler.Handle) (state, error) { return instanceState(in, c, m, n, seed) })
			diffs := map[string]float64{
				"latents": maxDiff(got.z, want.z), "samples": maxDiff(got.x, want.x), "energies": maxDiff(got.e, want.e),
				"accept": maxDiff(got.accepts, want.accepts), "step acceptance": maxDiff(got.acc, want.acc),
				"generate": maxDiff(got.gen, want.gen),
			}
			var line string
			for _, k := range []string{"latents", "samples", "energies", "accept", "step acceptance", "generate"} {
				d := diffs[k]
				worst = max(worst, d)
				line += " " + k + "=" + formatDiff(d)
				if !(d <= tolerance) {
					t.Errorf("%s/%s: %s differ by %g (tolerance %g)", md.name, method, k, d, tolerance)
				}
			}
			t.Logf("%s/%s: max relative differences:%s", md.name, method, line)
		}
	}
	t.Logf("largest difference over all models, methods and outputs: %g (tolerance %g)", worst, tolerance)
}

func formatDiff(d float64) string {
	if d == 0 {
		return "0"
	}
	return fmtG(d)
}
