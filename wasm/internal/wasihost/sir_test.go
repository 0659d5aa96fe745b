package wasihost

import (
	"testing"

	"github.com/gebm/gebm/shared/model/modeltest"
	"github.com/gebm/gebm/wasm/sampler"
)

// TestSIRMatchesNative: SIR draws in the WASI module, at β = 1 and 300 (where the weights are far from equal), between changes of β
// and MALA steps, give the same results (pool, ESS, log-sums, distinct
// latents) and leave the same latents, samples and energies as the sampler
// called natively, within tolerance, on a 2-D toy model, a small image model,
// an MNIST-size one and a colour convolutional one (modeltest.Conv).
func TestSIRMatchesNative(t *testing.T) {
	models := []struct {
		name string
		file []byte
		n    int
	}{
		{"toy2d", modeltest.File(modeltest.Toy2D(11)), 40},
		{"image", modeltest.File(modeltest.Image(12)), 16},
		{"mnist", modeltest.File(modeltest.MNIST(13)), 3},
		{"conv-colour", modeltest.File(modeltest.Conv(16, 3, 16)), 4},
	}
	in := instance(t)
	type draw struct {
		r       sampler.SIRResult
		z, x, e []float32
	}
	for _, md := range models {
		s := native{sampler.New()}
		run := func(open func([]byte) (sampler.Handle, error), newChains func(sampler.Handle, int, uint64, float64) (sampler.Handle, error),
			sir func(sampler.Handle, int) (sampler.SIRResult, error), setBeta func(sampler.Handle, float64) error,
			step func(sampler.Handle, sampler.StepParams) (float64, error), read func(c sampler.Handle) (z, x, e []float32, err error)) []draw {
			t.Helper()
			m, err := open(md.file)
			if err != nil {
				t.Fatal(err)
			}
			c, err := newChains(m, md.n, 5, 1)
			if err != nil {
				t.Fatal(err)
			}
			var out []draw
			for i, beta := range []float64{1, 300, 300} {
				if err := setBeta(c, beta); err != nil {
					t.Fatal(err)
				}
				r, err := sir(c, 6)
				if err != nil {
					t.Fatal(err)
				}
				if i == 1 {
					if _, err := step(c, sampler.StepParams{Method: "mala", StepSize: 0.01, Steps: 2}); err != nil {
						t.Fatal(err)
					}
				}
				z, x, e, err := read(c)
				if err != nil {
					t.Fatal(err)
				}
				out = append(out, draw{r, z, x, e})
			}
			return out
		}
		want := run(s.Open, s.NewChains, s.SIR, s.SetBeta, s.Step, func(c sampler.Handle) (z, x, e []float32, err error) {
			if z, err = s.Latents(c, nil); err != nil {
				return
			}
			if x, err = s.Samples(c, nil); err != nil {
				return
			}
			e, err = s.Energies(c, nil)
			return
		})
		got := run(in.Open, in.NewChains, in.SIR, in.SetBeta, in.Step, func(c sampler.Handle) (z, x, e []float32, err error) {
			if z, err = in.Latents(c); err != nil {
				return
			}
			if x, err = in.Samples(c); err != nil {
				return
			}
			e, err = in.Energies(c)
			return
		})
		for i := range want {
			g, w := got[i], want[i]
			stats := maxDiff([]float64{g.r.ESS, g.r.LogSumW, g.r.LogSumW2}, []float64{w.r.ESS, w.r.LogSumW, w.r.LogSumW2})
			if g.r.Pool != w.r.Pool || g.r.Zero != w.r.Zero || g.r.Distinct != w.r.Distinct || !(stats <= tolerance) {
				t.Errorf("%s, draw %d: wasm %+v, native %+v", md.name, i, g.r, w.r)
			}
			for name, d := range map[string]float64{"latents": maxDiff(g.z, w.z), "samples": maxDiff(g.x, w.x), "energies": maxDiff(g.e, w.e)} {
				if !(d <= tolerance) {
					t.Errorf("%s, draw %d: %s differ by %g (tolerance %g)", md.name, i, name, d, tolerance)
				}
			}
			t.Logf("%s, draw %d: pool %d, ESS %.2f, %d distinct; largest difference of the stats %s", md.name, i, w.r.Pool, w.r.ESS, w.r.Distinct, formatDiff(stats))
		}
	}
}
