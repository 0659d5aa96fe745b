package main

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gebm/gebm/shared/ckpt"
	"github.com/gebm/gebm/shared/model"
	"github.com/gebm/gebm/wasm/sampler"
)

// TestWebTrainedModel: a model trained through the WebAssembly API
// (wasm/sampler's trainer, run here natively with the matrix kernel gebm
// uses; wasm/internal/wasihost's TestTrainMatchesNative shows the WASI
// module trains the same bits with the Go kernel) is, weight for weight,
// the model.gebm of `gebm train` with the same data, seed and options; and
// its exported file loads (shared/model) and serves gebm sample and gebm
// eval.
func TestWebTrainedModel(t *testing.T) {
	dir := t.TempDir()
	flags := []string{"--steps", "60", "--final-energy-steps", "15", "--batch", "32", "--base-hidden", "16,16",
		"--energy-hidden", "16,16", "--warmup", "10", "--burst-every", "25", "--burst-len", "5", "--lr-decay-every", "40", "--seed", "4"}
	const opts = `{"steps": 60, "final-energy-steps": 15, "batch": 32, "base-hidden": [16, 16], "energy-hidden": [16, 16],
		"warmup": 10, "burst-every": 25, "burst-len": 5, "lr-decay-every": 40, "seed": 4}`
	out := filepath.Join(dir, "native")
	if code, _, errOut := gebm(t, append([]string{"train", "--data", "8gaussians", "--out", out, "--quiet"}, flags...)...); code != 0 {
		t.Fatalf("gebm train: code %d: %s", code, errOut)
	}
	native, err := os.ReadFile(filepath.Join(out, "model.gebm"))
	if err != nil {
		t.Fatal(err)
	}

	s := sampler.New()
	o, err := sampler.ParseTrainOptions("8gaussians", []byte(opts))
	if err != nil {
		t.Fatal(err)
	}
	tr, err := s.NewTrainer(sampler.TrainData{Toy: "8gaussians"}, o)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{30, 30, 15} {
		if _, err := s.TrainSteps(tr, n, nil); err != nil {
			t.Fatal(err)
		}
	}
	web, err := s.TrainModel(tr)
	if err != nil {
		t.Fatal(err)
	}
	fw, err := ckpt.Decode(web)
	if err != nil {
		t.Fatal(err)
	}
	fn, err := ckpt.Decode(native)
	if err != nil {
		t.Fatal(err)
	}
	if math.Float64bits(fw.A) != math.Float64bits(fn.A) || len(fw.Tensors) != len(fn.Tensors) {
		t.Fatalf("A %v vs gebm train's %v; %d vs %d tensors", fw.A, fn.A, len(fw.Tensors), len(fn.Tensors))
	}
	for _, ti := range fn.Tensors {
		w, n := fw.Tensor(ti.Name), fn.Tensor(ti.Name)
		for i := range n {
			if math.Float32bits(w[i]) != math.Float32bits(n[i]) {
				t.Fatalf("%s[%d]: %v trained through the sampler, %v by gebm train", ti.Name, i, w[i], n[i])
			}
		}
	}
	for key, v := range fw.Training.Options {
		if fn.Training.Options[key] != v {
			t.Errorf("option %s: %q in the sampler's file, %q in gebm train's", key, v, fn.Training.Options[key])
		}
	}

	path := filepath.Join(dir, "web.gebm")
	if err := os.WriteFile(path, web, 0o644); err != nil {
		t.Fatal(err)
	}
	if g, err := model.Load(web); err != nil || g.Training.Steps != 60 || g.Data.Name != "8gaussians" {
		t.Fatalf("model.Load: %v (%+v)", err, g)
	}
	samples := filepath.Join(dir, "s.npy")
	if code, _, errOut := gebm(t, "sample", "--model", path, "--n", "50", "--steps", "5", "--out", samples); code != 0 {
		t.Fatalf("gebm sample: code %d: %s", code, errOut)
	}
	if st, err := os.Stat(samples); err != nil || st.Size() == 0 {
		t.Fatalf("gebm sample wrote nothing: %v", err)
	}
	code, stdout, errOut := gebm(t, "eval", "--model", path, "--data", "8gaussians", "--n", "100", "--steps", "5", "--warmup", "5")
	if code != 0 || !strings.Contains(stdout, "KALE") {
		t.Fatalf("gebm eval: code %d: %s\n%s", code, stdout, errOut)
	}
}
