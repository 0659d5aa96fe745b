package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gebm/gebm/shared/data"
	"github.com/gebm/gebm/shared/model"
)

// gebm runs the command in-process and returns its exit code and output.
// loadModelFile reads and decodes the model file at path, failing the test
// on any error.
func loadModelFile(t *testing.T, path string) *model.GEBM {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	m, err := model.Load(b)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func gebm(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var o, e bytes.Buffer
	code = run(args, &o, &e)
	return code, o.String(), e.String()
}

func TestUsage(t *testing.T) {
	if code, _, errOut := gebm(t); code != 2 || !strings.Contains(errOut, "train") {
		t.Fatalf("no args: code %d, %q", code, errOut)
	}
	if code, _, errOut := gebm(t, "frobnicate"); code != 2 || !strings.Contains(errOut, "unknown command") {
		t.Fatalf("unknown command: code %d, %q", code, errOut)
	}
	if code, _, _ := gebm(t, "help"); code != 0 {
		t.Fatalf("help: code %d", code)
	}
}

// TestDataThenTrainOnFile writes a toy set to .csv and .npy with gebm data,
// trains briefly on the .csv as user data, and loads the model written.
func TestDataThenTrainOnFile(t *testing.T) {
	dir := t.TempDir()
	csv, npy := filepath.Join(dir, "pts.csv"), filepath.Join(dir, "pts.npy")
	for _, out := range []string{csv, npy} {
		if code, _, errOut := gebm(t, "data", "moons", "--n", "500", "--seed", "3", "--out", out); code != 0 {
			t.Fatalf("gebm data: %s", errOut)
		}
		d, err := data.ReadFile(out, 2)
		if err != nil || d.Rows() != 500 {
			t.Fatalf("%s: %v", out, err)
		}
	}
	outDir := filepath.Join(dir, "run")
	code, stdout, errOut := gebm(t, "train", "--data", csv, "--out", outDir, "--steps", "3", "--hidden", "8,8",
		"--warmup", "2", "--batch", "16", "--quiet")
	if code != 0 {
		t.Fatalf("gebm train: %s", errOut)
	}
	if !strings.Contains(stdout, "model.gebm") {
		t.Fatalf("stdout %q", stdout)
	}
	m := loadModelFile(t, filepath.Join(outDir, "model.gebm"))
	if m.Dim() != 2 || m.Training.Dataset != csv {
		t.Fatalf("model dim %d dataset %q", m.Dim(), m.Training.Dataset)
	}
}

// TestTrainBadInput: absurd flags and bad files give one clear error line
// and exit code 1 (2 for usage), never a panic.
func TestTrainBadInput(t *testing.T) {
	dir := t.TempDir()
	ragged := filepath.Join(dir, "ragged.csv")
	os.WriteFile(ragged, []byte("1,2\n3\n"), 0o644)
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"train", "--data", "8gaussians"}, "--out: required"},
		{[]string{"train", "--data", "8gaussians", "--out", dir, "--steps", "-5"}, "--steps"},
		{[]string{"train", "--data", "8gaussians", "--out", dir, "--lr-energy", "NaN"}, "--lr-energy"},
		{[]string{"train", "--data", "8gaussians", "--out", dir, "--device", "cuda"}, "make cuda"},
		{[]string{"train", "--data", "nosuch", "--out", dir}, "nosuch"},
		{[]string{"train", "--data", filepath.Join(dir, "missing.npy"), "--out", dir}, "missing.npy"},
		{[]string{"train", "--data", ragged, "--out", dir}, "ragged.csv"},
		{[]string{"train", "--data", "8gaussians", "--out", dir, "--hidden", "a,b"}, "layer widths"},
		{[]string{"train", "--data", "8gaussians", "--out", dir, "--resume"}, "--resume"},
		{[]string{"train", "--data", "8gaussians", "--out", dir, "stray"}, "unexpected argument"},
		{[]string{"data", "8gaussians", "--n", "0", "--out", filepath.Join(dir, "x.npy")}, "--n"},
		{[]string{"data", "8gaussians", "--out", filepath.Join(dir, "x.txt")}, "extension"},
		{[]string{"data", "nosuch", "--out", filepath.Join(dir, "x.npy")}, "nosuch"},
	}
	for _, c := range cases {
		code, _, errOut := gebm(t, c.args...)
		if code == 0 || !strings.Contains(errOut, c.want) {
			t.Errorf("%v: code %d, stderr %q; want an error mentioning %q", c.args, code, errOut, c.want)
		}
	}
}
