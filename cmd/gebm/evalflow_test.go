package main

import (
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gebm/gebm/shared/ckpt"
	"github.com/gebm/gebm/shared/data"
	"github.com/gebm/gebm/shared/model"
)

func flowModel(t *testing.T) *model.GEBM {
	t.Helper()
	m, err := model.New(model.Config{Base: model.BaseRealNVP, FlowLayers: 4, FlowHidden: 8, Latent: 2,
		Data: ckpt.DataInfo{Name: "test", Dim: 2, Scale: 1}, EnergyHidden: []int{16}, EnergySlope: 0.2}, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestEvalFlow: on a model whose base is a flow, eval reports the
// likelihoods in its table and its JSON, consistent with each other and
// with the toy's own density; gebm sample draws from it; a model with an
// MLP base reports none.
func TestEvalFlow(t *testing.T) {
	dir := t.TempDir()
	b, err := flowModel(t).Encode()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "flow.gebm")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	args := []string{"eval", "--model", path, "--data", "8gaussians", "--n", "100", "--steps", "5", "--warmup", "5",
		"--kale-points", "0", "--nll-rows", "3000", "--logz-samples", "5000", "--quiet"}
	r := evalTableAndJSON(t, args, "likelihood (the base is a flow", "3000 test rows", "flow alone   NLL", "GEBM         NLL",
		"KL(data‖flow)", "KL(data‖GEBM)", "GEBM − flow", "5000 samples")
	l := r.Likelihood
	if l == nil || l.Rows != 3000 || l.LogZSamples != 5000 || l.KLFlow == nil || l.DataNLL == nil {
		t.Fatalf("JSON likelihood %+v", l)
	}
	if math.Abs(l.GEBMNLL-l.FlowNLL-l.Diff) > 1e-9 || math.Abs(*l.KLFlow-(l.FlowNLL-*l.DataNLL)) > 1e-9 ||
		math.Abs(*l.KLGEBM-(l.GEBMNLL-*l.DataNLL)) > 1e-9 || !(l.DiffSE > 0) || !(l.LogZSE > 0) || !(*l.KLFlow > 0) {
		t.Fatalf("inconsistent likelihoods %+v", l)
	}
	// 8gaussians: eight modes of std 0.02, entropy log 8 + log(2πe·0.02²).
	if want := math.Log(8) + math.Log(2*math.Pi*math.E*0.0004); math.Abs(*l.DataNLL-want) > 0.1 {
		t.Fatalf("the data's NLL %v, its entropy is %v", *l.DataNLL, want)
	}
	if code, _, errOut := gebm(t, "sample", "--model", path, "--n", "50", "--steps", "5", "--out", filepath.Join(dir, "s.npy")); code != 0 {
		t.Fatalf("sampling a flow model: %s", errOut)
	}
	mlp := writeModel(t, dir, "m.gebm", 2, nil)
	code, stdout, errOut := gebm(t, "eval", "--model", mlp, "--data", "8gaussians", "--n", "100", "--steps", "5", "--warmup", "5",
		"--kale-points", "0", "--quiet", "--json")
	if code != 0 || strings.Contains(stdout, "likelihood") {
		t.Fatalf("an MLP base: code %d, %s\n%s", code, errOut, stdout)
	}
}

// TestFlowLikelihoodUnits: the NLL is in the data's raw units, so stored
// values x·S + O change it by −D log S.
func TestFlowLikelihoodUnits(t *testing.T) {
	m := flowModel(t)
	x := make([]float32, 400)
	for i := range x {
		x[i] = float32(rand.New(rand.NewPCG(uint64(i), 1)).NormFloat64())
	}
	raw, err := flowLikelihood(m, x, data.Identity(), nil, 1000, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		t.Fatal(err)
	}
	scaled, err := flowLikelihood(m, x, data.Normalization{Scale: 4, Offset: 1}, nil, 1000, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		t.Fatal(err)
	}
	if d := raw.FlowNLL - scaled.FlowNLL; math.Abs(d-2*math.Log(4)) > 1e-9 || raw.KLFlow != nil {
		t.Fatalf("NLL %v with the identity, %v with scale 4: difference %v, want 2 log 4", raw.FlowNLL, scaled.FlowNLL, d)
	}
}
