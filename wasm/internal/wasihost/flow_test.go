package wasihost

import (
	"testing"

	"github.com/gebm/gebm/shared/model/modeltest"
	"github.com/gebm/gebm/wasm/sampler"
)

// TestFlowMatchesNative: an MMD flow in the WASI module, from the
// generator's samples and from a Gaussian, with noise, gives the same
// particles, MMD² and witness grid as the sampler called natively, within
// tolerance, after 0, 1 and 30 more steps; and MMD² falls along it.
func TestFlowMatchesNative(t *testing.T) {
	file := modeltest.File(modeltest.Toy2D(11))
	in := instance(t)
	s := native{sampler.New()}
	grid := sampler.Grid{XMin: -3, XMax: 3, YMin: -3, YMax: 3, Res: 16}
	for _, start := range []string{"generator", "gaussian"} {
		c := sampler.FlowConfig{Particles: 60, Targets: 80, Start: start, Step: 1, Noise: 0.3, NoiseDecay: 0.5, Seed: 4}
		wm, err := s.Open(file)
		if err != nil {
			t.Fatal(err)
		}
		gm, err := in.Open(file)
		if err != nil {
			t.Fatal(err)
		}
		wf, err := s.NewFlow(wm, c)
		if err != nil {
			t.Fatal(err)
		}
		gf, err := in.NewFlow(gm, c)
		if err != nil {
			t.Fatal(err)
		}
		var first float64
		for i, steps := range []int{0, 1, 30} {
			want, err := s.FlowStep(wf, steps)
			if err != nil {
				t.Fatal(err)
			}
			got, err := in.FlowStep(gf, steps)
			if err != nil {
				t.Fatal(err)
			}
			if got.Steps != want.Steps || got.Bandwidth != want.Bandwidth || got.Noise != want.Noise ||
				!(maxDiff([]float64{got.MMD2}, []float64{want.MMD2}) <= tolerance) {
				t.Errorf("%s, call %d: wasm %+v, native %+v", start, i, got, want)
			}
			wx, err := s.FlowParticles(wf, nil)
			if err != nil {
				t.Fatal(err)
			}
			gx, err := in.FlowParticles(gf, c.Particles)
			if err != nil {
				t.Fatal(err)
			}
			ww, err := s.FlowWitnessGrid(wf, grid, nil)
			if err != nil {
				t.Fatal(err)
			}
			gw, err := in.FlowWitnessGrid(gf, grid)
			if err != nil {
				t.Fatal(err)
			}
			dx, dw := maxDiff(gx, wx), maxDiff(gw, ww)
			if !(dx <= tolerance) || !(dw <= tolerance) {
				t.Errorf("%s, call %d: particles differ by %g, witness grid by %g (tolerance %g)", start, i, dx, dw, tolerance)
			}
			t.Logf("%s, %d steps: MMD² %.5f; largest differences: particles %s, witness %s", start, want.Steps, want.MMD2, formatDiff(dx), formatDiff(dw))
			if i == 0 {
				first = want.MMD2
			} else if i == 2 && !(want.MMD2 < first/2) {
				t.Errorf("%s: MMD² %g → %g after %d steps, want at least halved", start, first, want.MMD2, want.Steps)
			}
		}
	}
	if _, err := in.NewFlow(1, sampler.FlowConfig{Particles: 1}); err == nil {
		t.Error("a flow of one particle: no error from the module")
	}
}
