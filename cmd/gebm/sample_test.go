package main

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gebm/gebm/shared/ckpt"
	"github.com/gebm/gebm/shared/data"
	"github.com/gebm/gebm/shared/model"
	"github.com/gebm/gebm/shared/nn"
)

// writeModel builds a small untrained model (model.New) generating dim
// values (an image of the given shape when shape is not nil) and writes it to
// dir/name.
func writeModel(t *testing.T, dir, name string, dim int, shape []int) string {
	t.Helper()
	info := ckpt.DataInfo{Name: "test", Dim: dim, Shape: shape, Scale: 1}
	var out nn.Kind
	if shape != nil {
		out = "tanh"
	}
	m, err := model.New(model.Config{Latent: 3, Data: info, BaseHidden: []int{16}, EnergyHidden: []int{16},
		BaseOutput: out, EnergySlope: 0.2}, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		t.Fatal(err)
	}
	b, err := m.Encode()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestSampleOutputs draws from a 2-D model with every sampler and writes
// .npy, .csv and .png; the arrays read back with the right shape and the
// acceptance rate is printed.
func TestSampleOutputs(t *testing.T) {
	dir := t.TempDir()
	m := writeModel(t, dir, "m.gebm", 2, nil)
	for _, s := range []string{"none", "ula", "mala", "hmc", "kla", "mh", "imh"} {
		for _, ext := range []string{".npy", ".csv"} {
			out := filepath.Join(dir, s+ext)
			code, stdout, errOut := gebm(t, "sample", "--model", m, "--sampler", s, "--n", "37", "--steps", "5",
				"--warmup", "3", "--beta", "2", "--step-size", "0.05", "--quiet", "--out", out)
			if code != 0 {
				t.Fatalf("%s %s: %s", s, ext, errOut)
			}
			if (s != "none") != strings.Contains(stdout, "acceptance rate") {
				t.Errorf("%s: stdout %q", s, stdout)
			}
			d, err := data.ReadFile(out, 2)
			if err != nil || d.Rows() != 37 {
				t.Fatalf("%s: %v", out, err)
			}
		}
	}
	png := filepath.Join(dir, "s.png")
	if code, _, errOut := gebm(t, "sample", "--model", m, "--n", "50", "--steps", "3", "--quiet", "--out", png); code != 0 {
		t.Fatal(errOut)
	}
	if st, err := os.Stat(png); err != nil || st.Size() < 1000 {
		t.Fatalf("png: %v", err)
	}
}

// TestSampleDeterministic: same seed, same samples; the generator alone and
// the GEBM start from the same latents but differ after MCMC.
func TestSampleDeterministic(t *testing.T) {
	dir := t.TempDir()
	m := writeModel(t, dir, "m.gebm", 2, nil)
	read := func(args ...string) []float32 {
		out := filepath.Join(dir, "x.npy")
		a := append([]string{"sample", "--model", m, "--n", "20", "--steps", "4", "--warmup", "0", "--quiet", "--out", out}, args...)
		if code, _, errOut := gebm(t, a...); code != 0 {
			t.Fatal(errOut)
		}
		d, err := data.ReadFile(out, 2)
		if err != nil {
			t.Fatal(err)
		}
		return d.X
	}
	a, b := read("--seed", "7"), read("--seed", "7")
	c := read("--seed", "7", "--sampler", "none")
	same := func(x, y []float32) bool {
		for i := range x {
			if x[i] != y[i] {
				return false
			}
		}
		return true
	}
	if !same(a, b) {
		t.Error("same seed, different samples")
	}
	if same(a, c) {
		t.Error("MCMC did not move the samples")
	}
}

func TestSampleImages(t *testing.T) {
	dir := t.TempDir()
	m := writeModel(t, dir, "img.gebm", 36, []int{6, 6})
	out := filepath.Join(dir, "grid.png")
	if code, _, errOut := gebm(t, "sample", "--model", m, "--n", "300", "--steps", "2", "--quiet", "--out", out); code != 0 {
		t.Fatal(errOut)
	}
	if _, err := os.Stat(out); err != nil {
		t.Fatal(err)
	}
	flat := writeModel(t, dir, "flat.gebm", 3, nil)
	code, _, errOut := gebm(t, "sample", "--model", flat, "--n", "5", "--out", filepath.Join(dir, "f.png"))
	if code == 0 || !strings.Contains(errOut, "dimension 3") {
		t.Errorf("3-D model to .png: code %d, %q", code, errOut)
	}
}

// TestSampleBadInput: every user error is one clear line and exit code 1
// (never a panic), before any sampling.
func TestSampleBadInput(t *testing.T) {
	dir := t.TempDir()
	m := writeModel(t, dir, "m.gebm", 2, nil)
	corrupt := filepath.Join(dir, "corrupt.gebm")
	b, _ := os.ReadFile(m)
	b[len(b)/2] ^= 0xff
	os.WriteFile(corrupt, b, 0o644)
	notModel := filepath.Join(dir, "notes.gebm")
	os.WriteFile(notModel, []byte("hello"), 0o644)
	os.Mkdir(filepath.Join(dir, "adir.npy"), 0o755)
	out := filepath.Join(dir, "o.npy")
	wide := writeModel(t, dir, "wide.gebm", 1000, nil)
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"--out", out}, "--model is required"},
		{[]string{"--model", filepath.Join(dir, "missing.gebm"), "--out", out}, "missing.gebm"},
		{[]string{"--model", corrupt, "--out", out}, "corrupt.gebm"},
		{[]string{"--model", corrupt, "--out", out}, "checksum"},
		{[]string{"--model", notModel, "--out", out}, "notes.gebm"},
		{[]string{"--model", m, "--out", out, "--n", "-3"}, "--n -3"},
		{[]string{"--model", m, "--out", out, "--n", "0"}, "--n 0"},
		{[]string{"--model", m, "--out", out, "--step-size", "NaN"}, "--step-size NaN"},
		{[]string{"--model", m, "--out", out, "--step-size", "0"}, "--step-size"},
		{[]string{"--model", m, "--out", out, "--beta", "-1"}, "--beta"},
		{[]string{"--model", m, "--out", out, "--beta", "+Inf"}, "--beta"},
		{[]string{"--model", m, "--out", out, "--steps", "-1"}, "--steps"},
		{[]string{"--model", m, "--out", out, "--leapfrog", "0"}, "--leapfrog"},
		{[]string{"--model", m, "--out", out, "--friction", "-1"}, "--friction"},
		{[]string{"--model", m, "--out", out, "--jitter", "1"}, "--jitter"},
		{[]string{"--model", m, "--out", out, "--sampler", "gibbs"}, "gibbs"},
		{[]string{"--model", m}, "--out is required"},
		{[]string{"--model", m, "--out", filepath.Join(dir, "x.txt")}, "unknown extension"},
		{[]string{"--model", m, "--out", filepath.Join(dir, "nodir", "x.npy")}, "does not exist"},
		{[]string{"--model", m, "--out", filepath.Join(m, "x.npy")}, "does not exist"},
		{[]string{"--model", m, "--out", filepath.Join(dir, "adir.npy"), "--quiet"}, "adir.npy"},
		{[]string{"--model", m, "--out", out, "--n", "x"}, "invalid value"},
		{[]string{"--model", m, "--out", out, "stray"}, "unexpected argument"},
		{[]string{"--model", wide, "--out", out, "--n", "2000000"}, "at most 1073741 fit"},
		{[]string{"--model", m, "--out", out, "--sampler", "sir", "--sir-pool", "0"}, "--sir-pool 0 must be in 1..10000"},
		{[]string{"--model", m, "--out", out, "--sampler", "sir", "--sir-pool", "-5"}, "--sir-pool -5"},
		{[]string{"--model", m, "--out", out, "--sampler", "sir", "--sir-pool", "10001"}, "--sir-pool 10001"},
		{[]string{"--model", m, "--out", out, "--sampler", "sir", "--n", "10000000"}, "more than SIR's limit of 67108864"},
		{[]string{"--model", m, "--out", out, "--sampler", "sir", "--beta", "NaN"}, "--beta NaN"},
		{[]string{"--model", m, "--out", out, "--sampler", "sir", "--beta", "-2"}, "--beta -2"},
		{[]string{"--model", m, "--out", out, "--sampler", "SIRS"}, "want none, ula, mala, hmc, kla, mh, imh or sir"},
	}
	for _, c := range cases {
		code, _, errOut := gebm(t, append([]string{"sample"}, c.args...)...)
		if code == 0 || !strings.Contains(errOut, c.want) {
			t.Errorf("%v: code %d, stderr %q; want an error mentioning %q", c.args, code, errOut, c.want)
		}
		if strings.Contains(errOut, "panic") || strings.Contains(errOut, "goroutine") {
			t.Errorf("%v: %s", c.args, errOut)
		}
	}
}
