//go:build js && wasm

package main

import (
	"math"
	"slices"
	"strings"
	"syscall/js"
	"testing"

	"github.com/gebm/gebm/shared/model/modeltest"
	"github.com/gebm/gebm/wasm/internal/jsapi/jstest"
	"github.com/gebm/gebm/wasm/sampler"
)

// These tests run in Node (GOOS=js GOARCH=wasm go test -exec
// go_js_wasm_exec): they call globalThis.gebm as a page would, through
// syscall/js, and compare with the sampler called directly in the same
// process, which must give the same bits.

func TestMain(m *testing.M) { jstest.Main(m, register) }

// TestRegisterNeedsAPI: without www/js/api.js the module registers nothing
// and says which script is missing.
func TestRegisterNeedsAPI(t *testing.T) {
	g := js.Global()
	api, gebm := g.Get("gebmAPI"), g.Get("gebm")
	defer func() { g.Set("gebmAPI", api); g.Set("gebm", gebm) }()
	g.Delete("gebmAPI")
	g.Delete("gebm")
	err := register()
	if err == nil || !strings.Contains(err.Error(), "www/js/api.js") {
		t.Fatalf("register without gebmAPI: %v, want an error naming www/js/api.js", err)
	}
	if !g.Get("gebm").IsUndefined() {
		t.Fatal("register without gebmAPI set globalThis.gebm")
	}
}

// The calls through globalThis.gebm, and typed arrays (jstest).
var (
	call         = jstest.Call
	mustCall     = jstest.MustCall
	uint8ArrayOf = jstest.Uint8ArrayOf
	float32sOf   = jstest.Float32sOf
)

var (
	toyFile   = modeltest.File(modeltest.Toy2D(21))
	imageFile = modeltest.File(modeltest.Image(22))
)

// TestFunctions: globalThis.gebm has every documented function and no
// training function, and nothing can be added to it.
func TestFunctions(t *testing.T) {
	g := js.Global().Get("gebm")
	for _, name := range []string{"open", "describe", "newChains", "step", "sir", "setBeta", "setLatents", "chains",
		"latents", "samples", "energies", "accept", "energyGrid", "generate", "free",
		"newFlow", "flowStep", "flowParticles", "flowTargets", "flowWitnessGrid", "simdKernel", "kernelStats"} {
		if g.Get(name).Type() != js.TypeFunction {
			t.Errorf("gebm.%s is %s", name, g.Get(name).Type())
		}
	}
	// Training lives in the trainer module (wasm/jstrain), not here.
	for _, name := range []string{"newTrainer", "trainSteps", "trainInfo", "trainModel", "trainSnapshot"} {
		if !g.Get(name).IsUndefined() {
			t.Errorf("the sampler module has gebm.%s", name)
		}
	}
	if !js.Global().Get("Object").Call("isFrozen", g).Bool() {
		t.Error("gebm is not frozen")
	}
}

// TestSameAsSampler: for every method, the results through gebm (typed
// arrays in and out) are bit for bit those of the sampler called directly.
func TestSameAsSampler(t *testing.T) {
	s := sampler.New()
	ms, _ := s.Open(imageFile)
	mj := mustCall(t, "open", uint8ArrayOf(imageFile)).Int()
	stepsMatch(t, s, ms, mj)
	// SIR, at a β where the weights differ: the result object and the
	// latents it leaves are the sampler's.
	cs, _ := s.NewChains(ms, 6, 5, 40)
	cj := mustCall(t, "newChains", mj, 6, 5, 40).Int()
	want, err := s.SIR(cs, 7)
	if err != nil {
		t.Fatal(err)
	}
	r := mustCall(t, "sir", cj, 7)
	got := sampler.SIRResult{Pool: r.Get("pool").Int(), ESS: r.Get("ess").Float(), LogSumW: r.Get("logSumW").Float(),
		LogSumW2: r.Get("logSumW2").Float(), Zero: r.Get("zero").Int(), Distinct: r.Get("distinct").Int()}
	if got != want || want.ESS >= 42 {
		t.Fatalf("sir: %+v, sampler %+v (ESS below the pool of 42 expected at β = 40)", got, want)
	}
	zs, _ := s.Latents(cs, nil)
	if !slices.Equal(float32sOf(t, mustCall(t, "latents", cj)), zs) {
		t.Fatal("latents after sir differ from the sampler's")
	}
	gs, _ := s.Generate(ms, 3, 9, nil)
	if !slices.Equal(float32sOf(t, mustCall(t, "generate", mj, 3, 9)), gs) {
		t.Fatal("generate differs from the sampler's")
	}
	d := mustCall(t, "describe", mj)
	if d.Get("dim").Int() != 64 || d.Get("latent").Int() != 8 || d.Get("shape").Length() != 2 ||
		d.Get("dataset").String() != "tiny-images" || d.Get("a").Float() != -0.5 {
		t.Fatalf("describe: %s", js.Global().Get("JSON").Call("stringify", d).String())
	}
}

// stepsMatch: for every method, chains stepped through gebm (model mj)
// give bit for bit the step acceptance, latents, samples, energies and
// per-chain acceptance of the same calls on the sampler s (model ms).
func stepsMatch(t *testing.T, s *sampler.Sampler, ms sampler.Handle, mj int) {
	t.Helper()
	for _, method := range []string{"ula", "mala", "hmc", "kla", "mh", "imh"} {
		cs, err := s.NewChains(ms, 6, 5, 1.5)
		if err != nil {
			t.Fatal(err)
		}
		cj := mustCall(t, "newChains", mj, 6, 5, 1.5).Int()
		p := sampler.StepParams{Method: method, StepSize: 0.03, Leapfrog: 3, Friction: 0.5, Steps: 7}
		want, _ := s.Step(cs, p)
		got := mustCall(t, "step", cj, method, 0.03, 3, 0.5, 7).Float()
		if got != want {
			t.Fatalf("%s: step acceptance %v, sampler %v", method, got, want)
		}
		zs, _ := s.Latents(cs, nil)
		xs, _ := s.Samples(cs, nil)
		es, _ := s.Energies(cs, nil)
		as, _ := s.Accept(cs, nil)
		if !slices.Equal(float32sOf(t, mustCall(t, "latents", cj)), zs) ||
			!slices.Equal(float32sOf(t, mustCall(t, "samples", cj)), xs) ||
			!slices.Equal(float32sOf(t, mustCall(t, "energies", cj)), es) {
			t.Fatalf("%s: latents, samples or energies differ from the sampler's", method)
		}
		acc := mustCall(t, "accept", cj)
		if !acc.InstanceOf(js.Global().Get("Float64Array")) || acc.Length() != len(as) {
			t.Fatalf("%s: accept is %v", method, acc)
		}
		for i, a := range as {
			if acc.Index(i).Float() != a {
				t.Fatalf("%s: accept[%d] = %v, sampler %v", method, i, acc.Index(i).Float(), a)
			}
		}
		mustCall(t, "free", cj)
	}
}

// TestConvThroughGebm: a colour convolutional model (modeltest.Conv,
// 3×12×12) through gebm: describe names its image's channels, height and
// width beside shape [3, 12, 12], and every method's chains are bit for
// bit the sampler's; a 2-D model's image is null.
func TestConvThroughGebm(t *testing.T) {
	file := modeltest.File(modeltest.Conv(23, 3, 12))
	s := sampler.New()
	ms, _ := s.Open(file)
	mj := mustCall(t, "open", uint8ArrayOf(file)).Int()
	d := mustCall(t, "describe", mj)
	im := d.Get("image")
	if d.Get("dim").Int() != 432 || d.Get("shape").Length() != 3 || im.Type() != js.TypeObject ||
		im.Get("channels").Int() != 3 || im.Get("height").Int() != 12 || im.Get("width").Int() != 12 {
		t.Fatalf("describe: %s", js.Global().Get("JSON").Call("stringify", d).String())
	}
	stepsMatch(t, s, ms, mj)
	if d := mustCall(t, "describe", mustCall(t, "open", uint8ArrayOf(toyFile)).Int()); !d.Get("image").IsNull() {
		t.Fatalf("a 2-D model's describe has image %s", js.Global().Get("JSON").Call("stringify", d.Get("image")).String())
	}
}

// TestTypedArraysIn: a model as an ArrayBuffer, and latents in a
// Float32Array that is a view at an offset into a larger buffer, arrive
// intact.
func TestTypedArraysIn(t *testing.T) {
	ab := uint8ArrayOf(toyFile).Get("buffer")
	m := mustCall(t, "open", ab).Int()
	c := mustCall(t, "newChains", m, 2, 1).Int() // beta defaults to 1
	big := js.Global().Get("Float32Array").New(20)
	for i := range 20 {
		big.SetIndex(i, float64(i)/4)
	}
	view := big.Call("subarray", 3, 11) // 8 values: 2 chains × latent 4
	mustCall(t, "setLatents", c, view)
	want := []float32{0.75, 1, 1.25, 1.5, 1.75, 2, 2.25, 2.5}
	if got := float32sOf(t, mustCall(t, "latents", c)); !slices.Equal(got, want) {
		t.Fatalf("latents %v, want %v", got, want)
	}
	info := mustCall(t, "chains", c)
	if info.Get("n").Int() != 2 || info.Get("latent").Int() != 4 || info.Get("dim").Int() != 2 {
		t.Fatalf("chains: n=%v latent=%v dim=%v", info.Get("n"), info.Get("latent"), info.Get("dim"))
	}
	grid := float32sOf(t, mustCall(t, "energyGrid", m, -1, 1, -1, 1, 3))
	s := sampler.New()
	ms, _ := s.Open(toyFile)
	wantGrid, _ := s.EnergyGrid(ms, sampler.Grid{XMin: -1, XMax: 1, YMin: -1, YMax: 1, Res: 3}, nil)
	if !slices.Equal(grid, wantGrid) {
		t.Fatalf("energy grid %v, want %v", grid, wantGrid)
	}
}

// TestErrorsThrown: every failure, from a bad argument type to a corrupt
// model file, is a thrown Error with the sampler's message and a kind; the
// functions keep working afterwards.
func TestErrorsThrown(t *testing.T) {
	m := mustCall(t, "open", uint8ArrayOf(toyFile)).Int()
	c := mustCall(t, "newChains", m, 2, 1, 1).Int()
	corrupt := slices.Clone(toyFile)
	corrupt[len(corrupt)/2] ^= 0x40
	for _, tc := range []struct {
		name, fn string
		args     []any
		kind     string
		fragment string
	}{
		{"corrupt model", "open", []any{uint8ArrayOf(corrupt)}, "model", "invalid model file"},
		{"truncated model", "open", []any{uint8ArrayOf(toyFile[:100])}, "model", "invalid model file"},
		{"not bytes", "open", []any{"model.gebm"}, "argument", "want a Uint8Array or an ArrayBuffer"},
		{"no arguments", "open", nil, "argument", "argument 1 (bytes)"},
		{"unknown handle", "describe", []any{99}, "handle", "no open model 99"},
		{"chains as model", "describe", []any{c}, "handle", "chain set, not a model"},
		{"handle not a number", "latents", []any{"1"}, "argument", "want a number, got string"},
		{"fractional n", "newChains", []any{m, 2.5, 1}, "argument", "want an integer"},
		{"n out of range", "newChains", []any{m, 0, 1}, "argument", "n = 0"},
		{"negative seed", "newChains", []any{m, 2, -1}, "argument", "seed"},
		{"seed too large", "newChains", []any{m, 2, math.Pow(2, 60)}, "argument", "seed"},
		{"NaN beta", "newChains", []any{m, 2, 1, math.NaN()}, "argument", "beta NaN"},
		{"unknown method", "step", []any{c, "gibbs", 0.1, 0, 0, 1}, "argument", `method "gibbs"`},
		{"method not a string", "step", []any{c, 3, 0.1, 0, 0, 1}, "argument", "want a string"},
		{"NaN step size", "step", []any{c, "mala", math.NaN(), 0, 0, 1}, "argument", "step size NaN"},
		{"missing steps", "step", []any{c, "mala", 0.1, 0, 0}, "argument", "argument 6 (steps)"},
		{"latents not Float32Array", "setLatents", []any{c, js.Global().Get("Array").New(1, 2, 3, 4)}, "argument", "want a Float32Array"},
		{"latents wrong size", "setLatents", []any{c, js.Global().Get("Float32Array").New(3)}, "argument", "3 latent values"},
		{"grid of no area", "energyGrid", []any{m, 1, 1, 0, 1, 10}, "argument", "xmin < xmax"},
		{"SIR pool 0", "sir", []any{c, 0}, "argument", "pool = 0 latents per chain"},
		{"SIR pool not a number", "sir", []any{c, "20"}, "argument", "argument 2 (pool): invalid argument: want a number, got string"},
		{"SIR pool fractional", "sir", []any{c, 2.5}, "argument", "want an integer"},
		{"SIR pool missing", "sir", []any{c}, "argument", "argument 2 (pool)"},
		{"SIR of a model", "sir", []any{m, 5}, "handle", "is a model, not a chain set"},
		{"free twice", "free", []any{12345}, "handle", "nothing open with handle 12345"},
	} {
		_, err := call(tc.fn, tc.args...)
		je, ok := err.(js.Error)
		if !ok {
			t.Errorf("%s: gebm.%s returned %v, want a thrown Error", tc.name, tc.fn, err)
			continue
		}
		if !je.Value.InstanceOf(js.Global().Get("Error")) || je.Value.Get("kind").String() != tc.kind ||
			!strings.Contains(je.Value.Get("message").String(), tc.fragment) {
			t.Errorf("%s: Error %q of kind %q, want kind %q mentioning %q", tc.name,
				je.Value.Get("message").String(), je.Value.Get("kind").String(), tc.kind, tc.fragment)
		}
	}
	if acc := mustCall(t, "step", c, "mh", 0.1, 0, 0, 5).Float(); !(acc >= 0 && acc <= 1) {
		t.Fatalf("step after the errors: %v", acc)
	}
}

// TestFlowSameAsSampler: an MMD flow through gebm (a config object in,
// typed arrays and a state object out) is bit for bit the sampler's, and a
// config with an unknown field is an argument error.
func TestFlowSameAsSampler(t *testing.T) {
	cfg := sampler.FlowConfig{Particles: 40, Targets: 50, Start: "generator", Step: 1, Noise: 0.2, NoiseDecay: 0.5, Seed: 6}
	s := sampler.New()
	ms, _ := s.Open(toyFile)
	fs, err := s.NewFlow(ms, cfg)
	if err != nil {
		t.Fatal(err)
	}
	want, err := s.FlowStep(fs, 12)
	if err != nil {
		t.Fatal(err)
	}
	m := mustCall(t, "open", uint8ArrayOf(toyFile)).Int()
	obj := js.Global().Get("Object").New()
	for k, v := range map[string]any{"particles": 40, "targets": 50, "start": "generator", "step": 1, "noise": 0.2, "noiseDecay": 0.5, "seed": 6} {
		obj.Set(k, v)
	}
	f := mustCall(t, "newFlow", m, obj).Int()
	r := mustCall(t, "flowStep", f, 12)
	got := sampler.FlowState{Steps: r.Get("steps").Int(), MMD2: r.Get("mmd2").Float(), Noise: r.Get("noise").Float(), Bandwidth: r.Get("bandwidth").Float()}
	if got != want {
		t.Fatalf("flowStep %+v, sampler %+v", got, want)
	}
	xs, _ := s.FlowParticles(fs, nil)
	ys, _ := s.FlowTargets(fs, nil)
	ws, _ := s.FlowWitnessGrid(fs, sampler.Grid{XMin: -2, XMax: 2, YMin: -2, YMax: 2, Res: 5}, nil)
	if !slices.Equal(float32sOf(t, mustCall(t, "flowParticles", f)), xs) ||
		!slices.Equal(float32sOf(t, mustCall(t, "flowTargets", f)), ys) ||
		!slices.Equal(float32sOf(t, mustCall(t, "flowWitnessGrid", f, -2, 2, -2, 2, 5)), ws) {
		t.Fatal("flow particles, targets or witness grid differ from the sampler's")
	}
	obj.Set("sted", 1)
	res := js.Global().Get("Function").New("f", "m", "c", "try { f(m, c); return null } catch (e) { return e }").Invoke(js.Global().Get("gebm").Get("newFlow"), m, obj)
	if res.IsNull() || res.Get("kind").String() != "argument" || !strings.Contains(res.Get("message").String(), "sted") {
		t.Fatalf("newFlow with an unknown field: %v", res)
	}
}
