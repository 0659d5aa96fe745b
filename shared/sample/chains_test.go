package sample

import (
	"math"
	"math/rand/v2"
	"testing"
)

// kernelConfigs has one configuration per kernel, on the scale of a standard normal.
var kernelConfigs = []Config{
	{Method: ULA, StepSize: 0.1},
	{Method: MALA, StepSize: 0.5},
	{Method: HMC, StepSize: 0.3, Leapfrog: 4},
	{Method: KLA, StepSize: 0.3, Friction: 1},
	{Method: MH, StepSize: 1},
	{Method: IMH},
}

// TestDeterminism: the same seed gives bit-identical chains (latents, momenta, counts,
// energy trace); a different seed gives different ones.
func TestDeterminism(t *testing.T) {
	run := func(cfg Config, seed uint64) (*Chains, *Result) {
		ch, err := NewChains(mixture1D{0.3, -1, 1, 0.5}, []float32{0.1, -0.3, 0.7, 2}, 4)
		if err != nil {
			t.Fatal(err)
		}
		cfg.Steps, cfg.Warmup, cfg.Thin, cfg.Keep = 60, 20, 3, true
		res, err := ch.Run(cfg, rand.New(rand.NewPCG(seed, 77)), nil)
		if err != nil {
			t.Fatal(err)
		}
		return ch, res
	}
	for _, cfg := range kernelConfigs {
		a, ra := run(cfg, 1)
		b, rb := run(cfg, 1)
		c, _ := run(cfg, 2)
		same := func(x, y *Chains) bool {
			for k := range x.z {
				if math.Float32bits(x.z[k]) != math.Float32bits(y.z[k]) || math.Float32bits(x.v[k]) != math.Float32bits(y.v[k]) {
					return false
				}
			}
			for i := range x.accepted {
				if x.accepted[i] != y.accepted[i] || x.proposed[i] != y.proposed[i] {
					return false
				}
			}
			return true
		}
		if !same(a, b) {
			t.Errorf("%s: same seed, different chains: %v vs %v", cfg.Method, a.Z(), b.Z())
		}
		for k := range ra.Energy {
			if math.Float64bits(ra.Energy[k]) != math.Float64bits(rb.Energy[k]) {
				t.Errorf("%s: same seed, different energy trace", cfg.Method)
				break
			}
		}
		if ra.StepSize != rb.StepSize {
			t.Errorf("%s: same seed, different adapted step sizes %v, %v", cfg.Method, ra.StepSize, rb.StepSize)
		}
		if same(a, c) {
			t.Errorf("%s: different seeds, same chains", cfg.Method)
		}
	}
}

// TestCacheConsistent: after every step, the cached U and ∇U are exactly those of the
// chains' current latents, rejections included: in particular HMC never keeps the
// gradient of a rejected trajectory's end point. (After KLA the cache is recomputed on
// demand, which U and Grad do.) The step sizes are large so that many moves are rejected.
func TestCacheConsistent(t *testing.T) {
	p := mixture1D{0.3, -1, 1, 0.4}
	for _, cfg := range kernelConfigs {
		cfg.StepSize *= 3
		const n = 50
		rng := rand.New(rand.NewPCG(3, 3))
		ch, err := NewChains(p, randomStarts(rng, n, 1, 1), n)
		if err != nil {
			t.Fatal(err)
		}
		u := make([]float64, n)
		g := make([]float32, n)
		for s := 0; s < 30; s++ {
			if _, err := ch.Step(cfg, rng); err != nil {
				t.Fatal(err)
			}
			p.Eval(ch.Z(), u, g)
			cu, cg := ch.U(), ch.Grad()
			for i := range u {
				if u[i] != cu[i] || g[i] != cg[i] {
					t.Fatalf("%s, step %d, chain %d: cached U %v ∇U %v, but at z = %v U %v ∇U %v",
						cfg.Method, s, i, cu[i], cg[i], ch.Z()[i], u[i], g[i])
				}
			}
		}
		acc := ch.AcceptRates(nil)
		var mean float64
		for _, a := range acc {
			mean += a / n
		}
		if cfg.Method.Exact() && mean > 0.9 {
			t.Errorf("%s: acceptance %.2f: too few rejections for the test to mean much", cfg.Method, mean)
		}
	}
}

// TestEvalCount counts potential evaluations: one per step for every kernel but HMC,
// which makes L; KLA evaluates at its half-step point only, and Run adds one evaluation
// per recorded KLA step for the energy trace.
func TestEvalCount(t *testing.T) {
	for _, cfg := range kernelConfigs {
		p := &counting{Potential: stdNormal(2)}
		ch, err := NewChains(p, []float32{0.5, 0.5}, 3)
		if err != nil {
			t.Fatal(err)
		}
		rng := rand.New(rand.NewPCG(1, 2))
		per := 1
		if cfg.Method == HMC {
			per = cfg.Leapfrog
		}
		for s := 1; s <= 5; s++ {
			p.calls = 0
			if _, err := ch.Step(cfg, rng); err != nil {
				t.Fatal(err)
			}
			if p.calls != per {
				t.Errorf("%s step %d: %d evaluations, want %d", cfg.Method, s, p.calls, per)
			}
		}
		cfg.Steps, cfg.Thin = 20, 5
		p.calls = 0
		if _, err := ch.Run(cfg, rng, nil); err != nil {
			t.Fatal(err)
		}
		want := 20 * per
		if cfg.Method == KLA {
			want += 20 / 5
		}
		if p.calls != want {
			t.Errorf("%s: Run made %d evaluations, want %d", cfg.Method, p.calls, want)
		}
	}
}

// TestKLAMomentumPersists: the KLA momentum is drawn once and then carried from step to
// step: with no friction and a flat potential the chains move in straight lines.
func TestKLAMomentumPersists(t *testing.T) {
	flat := Pointwise{D: 2, F: func(z, g []float32) float64 { g[0], g[1] = 0, 0; return 0 }}
	ch, err := NewChains(flat, []float32{0, 0}, 4)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 1))
	cfg := Config{Method: KLA, StepSize: 0.25, Friction: 0}
	ch.Step(cfg, rng)
	v := append([]float32(nil), ch.Momentum()...)
	for range 7 {
		ch.Step(cfg, rng)
	}
	for k, x := range ch.Z() {
		if want := 8 * 0.25 * v[k]; math.Abs(float64(x-want)) > 1e-5 || ch.Momentum()[k] != v[k] {
			t.Fatalf("z[%d] = %v after 8 steps of momentum %v, want %v", k, x, v[k], want)
		}
	}
	ch.ResetMomentum()
	ch.Step(cfg, rng)
	if ch.Momentum()[0] == v[0] {
		t.Error("ResetMomentum did not draw a new momentum")
	}
}

// TestStepAllocs: a step allocates nothing, for every kernel.
func TestStepAllocs(t *testing.T) {
	for _, cfg := range kernelConfigs {
		ch, err := NewChains(stdNormal(4), []float32{0.1, 0.2, 0.3, 0.4}, 16)
		if err != nil {
			t.Fatal(err)
		}
		rng := rand.New(rand.NewPCG(1, 2))
		ch.Step(cfg, rng)
		if a := testing.AllocsPerRun(20, func() { ch.Step(cfg, rng) }); a != 0 {
			t.Errorf("%s: %v allocations per step", cfg.Method, a)
		}
	}
}

// BenchmarkStep times one step of each kernel on 64 chains of a 16-dimensional standard
// normal (a trivial potential, so the kernel's own cost shows), with allocations.
func BenchmarkStep(b *testing.B) {
	for _, cfg := range kernelConfigs {
		b.Run(string(cfg.Method), func(b *testing.B) {
			const n, d = 64, 16
			rng := rand.New(rand.NewPCG(1, 2))
			ch, err := NewChains(stdNormal(d), randomStarts(rng, n, d, 1), n)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				ch.Step(cfg, rng)
			}
		})
	}
}
