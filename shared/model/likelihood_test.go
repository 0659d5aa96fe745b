package model

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/gebm/gebm/shared/ckpt"
)

func flowModel(t *testing.T) *GEBM {
	t.Helper()
	g, err := New(Config{Base: BaseRealNVP, FlowLayers: 4, FlowHidden: 8, Latent: 2, Data: ckpt.DataInfo{Name: "toy", Dim: 2},
		EnergyHidden: []int{8}, EnergySlope: 0.2}, rand.New(rand.NewPCG(5, 6)))
	if err != nil {
		t.Fatal(err)
	}
	// A steeper energy than the initial one, so that Z is far from 1.
	for _, p := range g.Energy.Params() {
		for i := range p.Value {
			p.Value[i] *= 1.5
		}
	}
	return g
}

// TestLogZ: the importance-sampling estimate of log Z agrees with a grid
// integral of q(x) exp(−E(x)) within four standard errors, and the GEBM's
// log-density then integrates to 1 on the grid.
func TestLogZ(t *testing.T) {
	g := flowModel(t)
	est, err := g.LogZ(rand.New(rand.NewPCG(1, 1)), 200000)
	if err != nil {
		t.Fatal(err)
	}
	const h, lim = 0.04, 10.0
	var grid []float32
	for a := -lim; a < lim; a += h {
		for b := -lim; b < lim; b += h {
			grid = append(grid, float32(a+h/2), float32(b+h/2))
		}
	}
	n := len(grid) / 2
	flow, gebm := make([]float64, n), make([]float64, n)
	if err := g.LogLikelihoods(grid, n, est.LogZ, flow, gebm); err != nil {
		t.Fatal(err)
	}
	var zq, mq, mp float64
	e := g.Energies(grid, n, nil)
	for i := range n {
		zq += math.Exp(flow[i]-float64(e[i])) * h * h
		mq += math.Exp(flow[i]) * h * h
		mp += math.Exp(gebm[i]) * h * h
	}
	if math.Abs(mq-1) > 0.01 {
		t.Fatalf("the flow's mass on the grid is %v", mq)
	}
	if d := math.Abs(est.LogZ - math.Log(zq)); d > 4*est.SE+0.01 || est.SE <= 0 || est.SE > 0.05 {
		t.Fatalf("log Z: importance sampling %v ± %v, grid %v", est.LogZ, est.SE, math.Log(zq))
	}
	if math.Abs(math.Log(zq)) < 0.1 {
		t.Fatalf("log Z = %v: the test energy should move it away from 0", math.Log(zq))
	}
	t.Logf("log Z: IS %v ± %v (ESS %.0f), grid %v; masses %v %v", est.LogZ, est.SE, est.ESS, math.Log(zq), mq, mp)
	if math.Abs(mp-1) > 0.02 {
		t.Fatalf("the GEBM's mass on the grid is %v", mp)
	}
	if est.ESS <= 0 || est.ESS > float64(est.N) {
		t.Fatalf("ESS %v of %d", est.ESS, est.N)
	}
}

// TestLogLikelihoodsNeedFlow: a model whose base has no density says so;
// a flow model survives its file.
func TestLogLikelihoodsNeedFlow(t *testing.T) {
	g := smallModel(t, false)
	if g.IsFlow() {
		t.Fatal("an MLP base is not a flow")
	}
	if err := g.LogLikelihoods([]float32{0, 0}, 1, 0, make([]float64, 1), make([]float64, 1)); err == nil {
		t.Fatal("no error for a base without a density")
	}
	f := flowModel(t)
	b, err := f.Encode()
	if err != nil {
		t.Fatal(err)
	}
	back, err := Load(b)
	if err != nil {
		t.Fatal(err)
	}
	x := []float32{0.3, -1, 2, 0.5}
	l1, l2, m1, m2 := make([]float64, 2), make([]float64, 2), make([]float64, 2), make([]float64, 2)
	if err := f.LogLikelihoods(x, 2, 0.1, l1, m1); err != nil {
		t.Fatal(err)
	}
	if err := back.LogLikelihoods(x, 2, 0.1, l2, m2); err != nil {
		t.Fatal(err)
	}
	if !back.IsFlow() || !slices.Equal(l1, l2) || !slices.Equal(m1, m2) {
		t.Fatalf("read back: flow %v, log-likelihoods %v %v, want %v %v", back.IsFlow(), l2, m2, l1, m1)
	}
	bad := []Config{
		{Base: BaseRealNVP, FlowLayers: 2, FlowHidden: 4, Latent: 3, Data: ckpt.DataInfo{Dim: 2}, EnergyHidden: []int{4}},
		{Base: BaseRealNVP, FlowLayers: 0, FlowHidden: 4, Latent: 2, Data: ckpt.DataInfo{Dim: 2}, EnergyHidden: []int{4}},
		{Base: "glow", Latent: 2, Data: ckpt.DataInfo{Dim: 2}, EnergyHidden: []int{4}},
	}
	for _, c := range bad {
		if _, err := New(c, rand.New(rand.NewPCG(1, 1))); err == nil {
			t.Errorf("%+v: no error", c)
		}
	}
}
