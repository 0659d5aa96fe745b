package model

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/gebm/gebm/shared/ckpt"
)

func smallModel(t *testing.T, sn bool) *GEBM {
	t.Helper()
	g, err := New(Config{Latent: 3, Data: ckpt.DataInfo{Name: "toy", Dim: 2}, BaseHidden: []int{8}, EnergyHidden: []int{8, 8},
		BaseOutput: "tanh", EnergySlope: 0.2, SpectralNorm: sn}, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		t.Fatal(err)
	}
	g.A = 0.5
	return g
}

// TestLoadRoundTrip: a model written and read back computes the same
// energies and samples, bit for bit.
func TestLoadRoundTrip(t *testing.T) {
	for _, sn := range []bool{false, true} {
		g := smallModel(t, sn)
		b, err := g.Encode()
		if err != nil {
			t.Fatal(err)
		}
		h, err := Load(b)
		if err != nil {
			t.Fatal(err)
		}
		if h.A != g.A || h.Latent() != 3 || h.Dim() != 2 {
			t.Fatalf("loaded A=%v latent=%d dim=%d", h.A, h.Latent(), h.Dim())
		}
		z := make([]float32, 5*3)
		SampleLatents(rand.New(rand.NewPCG(3, 3)), z)
		x1, x2 := g.Generate(z, 5, nil), h.Generate(z, 5, nil)
		e1, e2 := g.Energies(x1, 5, nil), h.Energies(x2, 5, nil)
		for i := range x1 {
			if x1[i] != x2[i] {
				t.Fatalf("sample %d differs after reload", i)
			}
		}
		for i := range e1 {
			if e1[i] != e2[i] {
				t.Fatalf("energy %d differs after reload (sn=%v): %v vs %v", i, sn, e1[i], e2[i])
			}
		}
	}
}

// TestPotentialGradient checks ∇U against central differences of U
// (float32 passes: step 1e-2 and a 2% tolerance, far below the size of a
// missing β, a missing prior term or a transposed Jacobian).
func TestPotentialGradient(t *testing.T) {
	g := smallModel(t, true)
	for _, beta := range []float64{1, 10} {
		p := g.Potential(beta)
		n, d := 4, 3
		z := make([]float32, n*d)
		SampleLatents(rand.New(rand.NewPCG(5, 6)), z)
		u, grad := make([]float64, n), make([]float32, n*d)
		p.Eval(z, u, grad)
		want := append([]float32{}, grad...)
		zz := append([]float32{}, z...)
		up, um, gtmp := make([]float64, n), make([]float64, n), make([]float32, n*d)
		const h = 1e-2
		for j := 0; j < d; j++ {
			for i := 0; i < n; i++ {
				zz[i*d+j] = z[i*d+j] + h
			}
			p.Eval(zz, up, gtmp)
			for i := 0; i < n; i++ {
				zz[i*d+j] = z[i*d+j] - h
			}
			p.Eval(zz, um, gtmp)
			for i := 0; i < n; i++ {
				zz[i*d+j] = z[i*d+j]
				fd := (up[i] - um[i]) / (2 * h)
				if math.Abs(fd-float64(want[i*d+j])) > 0.02*math.Max(1, math.Abs(fd)) {
					t.Fatalf("beta %v: dU/dz[%d][%d] = %v, finite difference %v", beta, i, j, want[i*d+j], fd)
				}
			}
		}
		// U itself: ||z||²/2 + β E(B(z)).
		x := g.Generate(z, n, nil)
		e := g.Energies(x, n, nil)
		for i := 0; i < n; i++ {
			var sq float64
			for _, v := range z[i*d : (i+1)*d] {
				sq += float64(v) * float64(v)
			}
			if w := sq/2 + beta*float64(e[i]); math.Abs(u[i]-w) > 1e-5*math.Max(1, math.Abs(w)) {
				t.Fatalf("U = %v, want %v", u[i], w)
			}
		}
	}
}

// TestEnergyFloor: a model with EnergyFloor computes E = max(f, floor) —
// the unclamped model's energies, clamped — its file keeps the floor, and
// the latent potential's gradient has no energy term where E is clamped.
func TestEnergyFloor(t *testing.T) {
	cfg := Config{Latent: 3, Data: ckpt.DataInfo{Name: "toy", Dim: 2}, BaseHidden: []int{8}, EnergyHidden: []int{8, 8},
		EnergySlope: 0.2}
	free, err := New(cfg, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		t.Fatal(err)
	}
	n := 200
	z := make([]float32, n*3)
	SampleLatents(rand.New(rand.NewPCG(3, 4)), z)
	x := append([]float32{}, free.Generate(z, n, nil)...)
	ef := append([]float32{}, free.Energies(x, n, nil)...)
	sorted := append([]float32{}, ef...)
	slices.Sort(sorted)
	floor := float64(sorted[n/2]) // half of the rows clamped
	cfg.EnergyFloor = floor
	g, err := New(cfg, rand.New(rand.NewPCG(1, 2))) // same weights: the floor adds no parameters
	if err != nil {
		t.Fatal(err)
	}
	b, err := g.Encode()
	if err != nil {
		t.Fatal(err)
	}
	if g, err = Load(b); err != nil {
		t.Fatal(err)
	}
	e := g.Energies(x, n, nil)
	clamped := 0
	for i := range e {
		if want := max(ef[i], float32(floor)); e[i] != want {
			t.Fatalf("row %d: E = %v, want max(%v, %v)", i, e[i], ef[i], floor)
		}
		if ef[i] <= float32(floor) {
			clamped++
		}
	}
	if clamped == 0 || clamped == n {
		t.Fatalf("%d of %d rows clamped: the test needs both kinds", clamped, n)
	}
	// Where E is clamped, ∇U = z (the prior's term alone).
	u, grad := make([]float64, n), make([]float32, n*3)
	g.Potential(5).Eval(z, u, grad)
	for i := range n {
		if ef[i] < float32(floor) {
			for j := range 3 {
				if grad[i*3+j] != z[i*3+j] {
					t.Fatalf("row %d (clamped): ∇U = %v, want z = %v", i, grad[i*3:i*3+3], z[i*3:i*3+3])
				}
			}
		}
	}
}
