package data

import (
	"fmt"
	"math/rand/v2"
	"os"
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
		{"cifar/data_batch_1.bin", SpecCIFAR, "cifar/data_batch_1.bin"},
		{"X.BIN", SpecCIFAR, "X.BIN"},
		{"runs/faces", SpecFolder, "runs/faces"},
		{"faces/", SpecFolder, "faces/"},
		{"my.images/", SpecFolder, "my.images/"},
		{".", SpecFolder, "."},
		{"./mnist", SpecFolder, "./mnist"},
		{"gaussians", SpecFolder, "gaussians"},
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
		"":         "empty data spec",
		"x.gz":     `unknown data spec "x.gz": want a toy distribution (25gaussians, 2spirals, 8gaussians, checkerboard, circle, moons, rings, swissroll), "mnist", a path ending in .npy, .csv or .bin (CIFAR-10), or a folder of PNG/JPEG images or CIFAR-10 .bin files (end a folder's name with / when it holds a dot)`,
		"x.npz":    ".npz archives are not supported",
		"x.txt":    "unsupported extension .txt",
		"mnist.gz": `unknown data spec "mnist.gz"`,
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

// TestLoadImages: folders of images, CIFAR-10 files and folders and .npy
// images load through their specs, split by TestFraction (CIFAR-10's own
// test batch aside) and resampled by ImageSize; an image size on points and
// a folder that does not exist are errors that say what was expected.
func TestLoadImages(t *testing.T) {
	root := t.TempDir()
	imgs := filepath.Join(root, "imgs")
	os.Mkdir(imgs, 0o755)
	for i := range 10 {
		writePNG(t, filepath.Join(imgs, fmt.Sprintf("%02d.png", i)), greyImage(4, 4, slices.Repeat([]byte{byte(10 * i)}, 16)...))
	}
	cifarDir := filepath.Join(root, "cifar-10-batches-bin")
	os.Mkdir(cifarDir, 0o755)
	os.WriteFile(filepath.Join(cifarDir, "data_batch_1.bin"), cifarRecords(1, 2, 3, 4), 0o644)
	os.WriteFile(filepath.Join(cifarDir, CIFARTestFile), cifarRecords(5, 6), 0o644)
	cifarFile := filepath.Join(root, "batch.bin")
	os.WriteFile(cifarFile, cifarRecords(0, 1, 2, 3, 4), 0o644)
	npy := filepath.Join(root, "imgs.npy")
	os.WriteFile(npy, npyFile(1, "{'descr': '|u1', 'fortran_order': False, 'shape': (5, 2, 2, 3), }", make([]byte, 60)), 0o644)
	for _, tc := range []struct {
		spec        string
		size        int
		kind        SpecKind
		train, test int
		shape       ImageShape
	}{
		{imgs, 0, SpecFolder, 8, 2, ImageShape{1, 4, 4}},
		{imgs + "/", 2, SpecFolder, 8, 2, ImageShape{1, 2, 2}},
		{cifarDir, 0, SpecFolder, 4, 2, ImageShape{3, 32, 32}},
		{cifarDir, 8, SpecFolder, 4, 2, ImageShape{3, 8, 8}},
		{cifarFile, 0, SpecCIFAR, 4, 1, ImageShape{3, 32, 32}},
		{npy, 0, SpecNPY, 4, 1, ImageShape{3, 2, 2}},
		{npy, 5, SpecNPY, 4, 1, ImageShape{3, 5, 5}},
	} {
		s, err := ParseSpec(tc.spec)
		if err != nil || s.Kind != tc.kind {
			t.Fatalf("%s: %v, kind %v", tc.spec, err, s.Kind)
		}
		train, test, err := Load(s, LoadOptions{Seed: 3, TestFraction: 0.2, ImageSize: tc.size})
		if err != nil {
			t.Fatalf("%s, size %d: %v", tc.spec, tc.size, err)
		}
		for _, d := range []*Dataset{train, test} {
			if err := d.Validate(); err != nil {
				t.Fatal(err)
			}
			if sh, _ := d.Image(); sh != tc.shape {
				t.Errorf("%s, size %d: %s has shape %v, want %v", tc.spec, tc.size, d.Name, sh, tc.shape)
			}
		}
		if train.Rows() != tc.train || test.Rows() != tc.test {
			t.Errorf("%s: %d/%d rows, want %d/%d", tc.spec, train.Rows(), test.Rows(), tc.train, tc.test)
		}
	}
	// The folder's images are uniform, so resampling keeps each value; the
	// split is a shuffle, so collect them.
	s, _ := ParseSpec(imgs)
	train, test, _ := Load(s, LoadOptions{Seed: 3, TestFraction: 0.2, ImageSize: 3})
	var got []float32
	for _, d := range []*Dataset{train, test} {
		for i := range d.Rows() {
			got = append(got, d.Row(i)[4])
		}
	}
	slices.Sort(got)
	for i, v := range got {
		if v != px(float64(10*i)) {
			t.Fatalf("resampled values %v", got)
		}
	}

	for _, tc := range []struct {
		spec string
		size int
		want string
	}{
		{"moons", 8, "moons: an image size applies to images; a toy set holds points"},
		{filepath.Join(root, "nothere"), 0, "nothere is not a toy distribution"},
		{imgs, -1, "image size -1"},
	} {
		s, _ := ParseSpec(tc.spec)
		if _, _, err := Load(s, LoadOptions{ImageSize: tc.size}); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s, size %d: %v, want %q", tc.spec, tc.size, err, tc.want)
		}
	}
	flat := filepath.Join(root, "pts.npy")
	if err := WriteNPYFile(flat, []float32{1, 2, 3, 4}, 2); err != nil {
		t.Fatal(err)
	}
	s, _ = ParseSpec(flat)
	if _, _, err := Load(s, LoadOptions{ImageSize: 4}); err == nil || !strings.Contains(err.Error(), "not images (an image size applies to images only)") {
		t.Errorf("flat .npy with an image size: %v", err)
	}
}
