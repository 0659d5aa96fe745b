package data

import (
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestParseSpec(t *testing.T) {
	for _, tc := range []struct {
		in   string
		kind SpecKind
		name string
	}{
		{"8gaussians", SpecToy, "8gaussians"},
		{" Swissroll ", SpecToy, "swissroll"},
		{"circle", SpecToy, "circle"},
		{"mnist", SpecMNIST, "mnist"},
		{"MNIST", SpecMNIST, "mnist"},
		{"data/points.npy", SpecNPY, "data/points.npy"},
		{"X.NPY", SpecNPY, "X.NPY"},
		{"/tmp/a b.csv", SpecCSV, "/tmp/a b.csv"},
		{"8gaussians.csv", SpecCSV, "8gaussians.csv"},
	} {
		s, err := ParseSpec(tc.in)
		if err != nil {
			t.Errorf("ParseSpec(%q): %v", tc.in, err)
			continue
		}
		if s.Kind != tc.kind || s.Name != tc.name || s.String() != tc.name || (s.Kind == SpecToy) != (s.Toy != nil) {
			t.Errorf("ParseSpec(%q) = %+v", tc.in, s)
		}
	}
	for in, want := range map[string]string{
		"":          "empty data spec",
		"gaussians": `unknown data spec "gaussians": want a toy distribution (25gaussians, 2spirals, 8gaussians, checkerboard, circle, moons, rings, swissroll), "mnist", or a path ending in .npy or .csv`,
		"x.npz":     ".npz archives are not supported",
		"x.txt":     "unsupported extension .txt",
		"mnist.gz":  `unknown data spec "mnist.gz"`,
	} {
		if _, err := ParseSpec(in); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseSpec(%q) = %v, want %q", in, err, want)
		}
	}
}

func TestLoadToy(t *testing.T) {
	s, _ := ParseSpec("moons")
	train, test, err := Load(s, LoadOptions{Seed: 9, ToyTrain: 300, ToyTest: 50})
	if err != nil {
		t.Fatal(err)
	}
	if train.Rows() != 300 || test.Rows() != 50 || train.Name != "moons-train" || test.Name != "moons-test" {
		t.Fatalf("got %s %d, %s %d", train.Name, train.Rows(), test.Name, test.Rows())
	}
	if slices.Equal(train.X[:100], test.X[:100]) {
		t.Error("train and test are the same sample")
	}
	again, _, _ := Load(s, LoadOptions{Seed: 9, ToyTrain: 300, ToyTest: 50})
	if !slices.Equal(train.X, again.X) {
		t.Error("equal seeds give different sets")
	}
	def, _, _ := Load(s, LoadOptions{})
	if def.Rows() != DefaultToyTrain {
		t.Errorf("default toy size %d", def.Rows())
	}
	if _, _, err := Load(s, LoadOptions{Cols: 3}); err == nil {
		t.Error("no error for 3 columns of a 2-D toy")
	}
}

func TestLoadFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "pts.csv")
	x := make([]float32, 2*100)
	Rings().Sample(rand.New(rand.NewPCG(1, 1)), x)
	if err := WriteCSVFile(path, x, 2, []string{"x", "y"}); err != nil {
		t.Fatal(err)
	}
	s, err := ParseSpec(path)
	if err != nil {
		t.Fatal(err)
	}
	train, test, err := Load(s, LoadOptions{TestFraction: 0.2, Cols: 2})
	if err != nil {
		t.Fatal(err)
	}
	if train.Rows() != 80 || test.Rows() != 20 || !slices.Equal(train.Columns, []string{"x", "y"}) {
		t.Errorf("split %d/%d, columns %q", train.Rows(), test.Rows(), train.Columns)
	}
	if _, _, err := Load(s, LoadOptions{Cols: 3}); err == nil || !strings.Contains(err.Error(), path) {
		t.Errorf("Cols 3: %v", err)
	}
	if _, _, err := Load(s, LoadOptions{TestFraction: 1}); err == nil {
		t.Error("TestFraction 1 accepted")
	}
	missing, _ := ParseSpec(filepath.Join(t.TempDir(), "none.npy"))
	if _, _, err := Load(missing, LoadOptions{}); err == nil || !strings.Contains(err.Error(), "none.npy") {
		t.Errorf("missing file: %v", err)
	}
}

func TestLoadMNISTSpec(t *testing.T) {
	s, _ := ParseSpec("mnist")
	if _, _, err := Load(s, LoadOptions{MNISTDir: t.TempDir()}); err == nil {
		t.Error("no error for a directory without MNIST")
	}
	if _, _, err := Load(s, LoadOptions{Cols: 2}); err == nil || !strings.Contains(err.Error(), "784") {
		t.Errorf("Cols 2: %v", err)
	}
	// The successful load is TestLoadMNIST's (it costs a second or two).
}
