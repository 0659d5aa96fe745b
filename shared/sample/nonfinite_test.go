package sample

import (
	"math"
	"math/rand/v2"
	"testing"
)

// holey is N(0, 1) in 1-D with holes: U = z²/2 on [−1.5, 1); NaN for 1 ≤ z < 2; +Inf for
// z ≥ 2; a finite U but a NaN gradient for z < −1.5. Every move into a hole must be
// rejected, so the exact kernels sample N(0, 1) truncated to [−1.5, 1). It fails the
// test if it is ever called at a non-finite point.
type holey struct{ t *testing.T }

func (holey) Dim() int { return 1 }

func (p holey) Eval(z []float32, u []float64, grad []float32) {
	for i, x32 := range z {
		x := float64(x32)
		switch {
		case math.IsNaN(x) || math.IsInf(x, 0):
			p.t.Errorf("potential called at %v", x)
		case x >= 2:
			u[i], grad[i] = math.Inf(1), 0
		case x >= 1:
			u[i], grad[i] = math.NaN(), float32(x)
		case x < -1.5:
			u[i], grad[i] = x*x/2, float32(math.NaN())
		default:
			u[i], grad[i] = x*x/2, float32(x)
		}
	}
}

// TestNonFinite runs every kernel, with steps large enough to propose into the holes
// often, and checks that no latent, sample or energy is ever NaN, that every chain has
// rejected moves, and, except for KLA, that every recorded state lies outside the holes.
// For the exact kernels it also checks the mean of the truncated normal (4 standard
// errors over independent chains, as in gaussian_test.go): rejection of non-finite
// proposals is what makes them exact here. KLA only evaluates its half-step position, so
// its end points may lie in a hole (they are finite; the next step's check reflects them
// back); the test logs how often.
func TestNonFinite(t *testing.T) {
	phi := func(x float64) float64 { return math.Exp(-x*x/2) / math.Sqrt(2*math.Pi) }
	Phi := func(x float64) float64 { return 0.5 * math.Erfc(-x/math.Sqrt2) }
	const lo, hi = -1.5, 1.0
	truncMean := (phi(lo) - phi(hi)) / (Phi(hi) - Phi(lo))

	cfgs := []Config{
		{Method: ULA, StepSize: 0.5},
		{Method: MALA, StepSize: 0.5},
		{Method: HMC, StepSize: 0.3, Leapfrog: 5},
		{Method: KLA, StepSize: 0.5, Friction: 0.5},
		{Method: MH, StepSize: 1.5},
		{Method: IMH},
	}
	const n = 300
	for _, cfg := range cfgs {
		t.Run(string(cfg.Method), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(4, 4))
			z0 := make([]float32, n)
			for i := range z0 {
				z0[i] = float32(lo + (hi-lo)*rng.Float64())
			}
			ch, err := NewChains(holey{t}, z0, n)
			if err != nil {
				t.Fatal(err)
			}
			cfg.Steps, cfg.Warmup, cfg.Keep = 400, 100, true
			sums := make([]float64, n)
			res, err := ch.Run(cfg, rng, func(_ int, z []float32, _ []float64) {
				for i, x := range z {
					sums[i] += float64(x)
				}
			})
			if err != nil {
				t.Fatal(err)
			}
			outside := 0
			for k, x := range res.Samples {
				if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
					t.Fatalf("sample %d is %v", k, x)
				}
				if x < lo || x >= hi {
					outside++
				}
			}
			for k, e := range res.Energy {
				if math.IsNaN(e) {
					t.Fatalf("energy %d is NaN", k)
				}
			}
			if cfg.Method == KLA {
				t.Logf("KLA: %d of %d recorded end points in a hole", outside, len(res.Samples))
			} else if outside > 0 {
				t.Errorf("%d of %d samples in a hole", outside, len(res.Samples))
			}
			for i, a := range ch.AcceptRates(nil) {
				if !(a < 1) {
					t.Errorf("chain %d: acceptance rate %v: moves into the holes were not rejected", i, a)
					break
				}
			}
			if !cfg.Method.Exact() {
				return
			}
			var s, s2 float64
			for i := range sums {
				m := sums[i] / float64(cfg.Steps)
				s += m
				s2 += m * m
			}
			mean := s / n
			se := math.Sqrt((s2/n - mean*mean) / (n - 1))
			t.Logf("mean %.4f ± %.4f, truncated normal's %.4f", mean, se, truncMean)
			if math.Abs(mean-truncMean) > 4*se {
				t.Errorf("mean %.4f ± %.4f, want the truncated normal's %.4f", mean, se, truncMean)
			}
		})
	}
}

// TestHugeSteps drives every kernel with a step size that overflows float32 at once:
// the latents must stay finite.
func TestHugeSteps(t *testing.T) {
	for _, m := range Methods() {
		ch, err := NewChains(stdNormal(3), []float32{0.1, -0.2, 0.3}, 8)
		if err != nil {
			t.Fatal(err)
		}
		rng := rand.New(rand.NewPCG(1, 1))
		for _, h := range []float64{1e15, 1e30, 1e300} {
			for range 5 {
				if _, err := ch.Step(Config{Method: m, StepSize: h, Leapfrog: 3, Friction: 1}, rng); err != nil {
					t.Fatal(err)
				}
			}
		}
		for k, x := range ch.Z() {
			if !finite32(x) {
				t.Fatalf("%s: z[%d] = %v", m, k, x)
			}
		}
		for i, u := range ch.U() {
			if math.IsNaN(u) {
				t.Fatalf("%s: U[%d] is NaN", m, i)
			}
		}
	}
}

// TestNonFiniteStart: NewChains and SetZ refuse starting points that are not finite or
// whose potential or gradient is not, and SetZ leaves the chains unchanged on error.
func TestNonFiniteStart(t *testing.T) {
	p := holey{t}
	for _, z0 := range [][]float32{{float32(math.NaN())}, {float32(math.Inf(1))}, {1.5}, {3}, {-2}} {
		if _, err := NewChains(p, z0, 2); err == nil {
			t.Errorf("NewChains at %v: no error", z0)
		}
	}
	ch, err := NewChains(p, []float32{0.25, 0.5}, 2)
	if err != nil {
		t.Fatal(err)
	}
	if err := ch.SetZ([]float32{0, 1.5}); err == nil {
		t.Error("SetZ into a hole: no error")
	}
	if z := ch.Z(); z[0] != 0.25 || z[1] != 0.5 {
		t.Errorf("after a failed SetZ, z = %v, want [0.25 0.5]", z)
	}
}
