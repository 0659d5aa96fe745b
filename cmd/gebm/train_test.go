package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gebm/gebm/shared/model"
)

// TestTrainRunFolder: the command line never clobbers a run: a second train
// into the same --out is refused (naming --resume and --force), --resume
// with a contradicting flag is refused (naming the flag and both values),
// a bare --resume continues with the run's own options, --force starts over.
func TestTrainRunFolder(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	first := append([]string{"train", "--out", dir, "--steps", "3", "--seed", "4", "--test-fraction", "0.3",
		"--a-init-batches", "2"}, tinyRun...)
	if code, _, errOut := gebm(t, first...); code != 0 {
		t.Fatal(errOut)
	}
	steps := func() int { return loadModelFile(t, filepath.Join(dir, "model.gebm")).Training.Steps }
	code, _, errOut := gebm(t, append([]string{"train", "--out", dir, "--steps", "5"}, tinyRun...)...)
	if code != 1 || !strings.Contains(errOut, "already holds a training run at base step 3 of 3") ||
		!strings.Contains(errOut, "--resume") || !strings.Contains(errOut, "--force") || steps() != 3 {
		t.Fatalf("second run into %s: code %d, %q", dir, code, errOut)
	}
	code, _, errOut = gebm(t, "train", "--out", dir, "--resume", "--steps", "5", "--seed", "9", "--hidden", "8,8", "--quiet")
	if code != 1 || !strings.Contains(errOut, "--seed 9 contradicts the run's --seed 4") || strings.Contains(errOut, "hidden") {
		t.Fatalf("--resume --seed 9: code %d, %q", code, errOut)
	}
	code, _, errOut = gebm(t, "train", "--out", dir, "--resume", "--steps", "5", "--quiet")
	if code != 0 || steps() != 5 {
		t.Fatalf("--resume --steps 5: code %d, %q, model at step %d", code, errOut, steps())
	}
	b, _ := os.ReadFile(filepath.Join(dir, "model.gebm"))
	m, _ := model.Load(b)
	if o := m.Training.Options; m.Training.Seed != 4 || o["test_fraction"] != "0.3" || o["a_init_batches"] != "2" || o["batch"] != "16" {
		t.Fatalf("the resumed run's options: seed %d, %v", m.Training.Seed, o)
	}
	if code, _, errOut := gebm(t, append([]string{"train", "--out", dir, "--steps", "2", "--force"}, tinyRun...)...); code != 0 || steps() != 2 {
		t.Fatalf("--force: code %d, %q", code, errOut)
	}
}

func TestShellQuote(t *testing.T) {
	for in, want := range map[string]string{
		"runs/8g":      "runs/8g",
		"my runs/8g":   "'my runs/8g'",
		"it's":         `'it'\''s'`,
		"":             "''",
		"/tmp/a-b_c.d": "/tmp/a-b_c.d",
	} {
		if got := shellQuote(in); got != want {
			t.Errorf("shellQuote(%q) = %s, want %s", in, got, want)
		}
	}
}
