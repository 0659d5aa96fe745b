package data

import (
	"bytes"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// cifarRecords returns n CIFAR-10 records: record i has label labels[i] and
// pixel byte k equal to (i + k) mod 256, so that every byte says where it
// came from.
func cifarRecords(labels ...byte) []byte {
	var b []byte
	for i, l := range labels {
		b = append(b, l)
		for k := 0; k < 3*CIFARSide*CIFARSide; k++ {
			b = append(b, byte(i+k))
		}
	}
	return b
}

// TestReadCIFAR: rows are 3×32×32 channel-major images in file order, pixels
// scaled as MNIST's, labels kept.
func TestReadCIFAR(t *testing.T) {
	d, err := ReadCIFAR(bytes.NewReader(cifarRecords(3, 9, 0)), "batch.bin")
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Validate(); err != nil {
		t.Fatal(err)
	}
	s, ok := d.Image()
	if !ok || s != (ImageShape{3, 32, 32}) || d.Rows() != 3 || !slices.Equal(d.Labels, []int{3, 9, 0}) || d.Classes != 10 {
		t.Fatalf("shape %v, %d rows, labels %v", s, d.Rows(), d.Labels)
	}
	// Record 1, green plane (c = 1), row 2, column 5: byte 1024 + 2·32 + 5.
	at := func(i, c, y, x int) float32 { return d.Row(i)[(c*32+y)*32+x] }
	if got, want := at(1, 1, 2, 5), px(float64((1+1024+64+5)%256)); got != want {
		t.Errorf("record 1, (1, 2, 5): %g, want %g", got, want)
	}
	if at(0, 0, 0, 0) != -1 || at(0, 0, 7, 31) != 1 { // bytes 0 and 255
		t.Errorf("record 0: %g, %g", at(0, 0, 0, 0), at(0, 0, 7, 31))
	}
}

func TestReadCIFARErrors(t *testing.T) {
	three := cifarRecords(1, 2, 3)
	for _, tc := range []struct {
		name string
		in   []byte
		want string
	}{
		{"empty", nil, "x.bin: data: empty file"},
		{"truncated", three[:len(three)-100], "x.bin: record 2: truncated: 9119 bytes are 2 whole records of 3073 bytes and 2973 bytes more"},
		{"label", cifarRecords(1, 10), "x.bin: record 1: label byte 10: want 0..9"},
		{"cifar-100", make([]byte, 2*3074), "CIFAR-100's records have 2 label bytes"},
	} {
		if _, err := ReadCIFAR(bytes.NewReader(tc.in), "x.bin"); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		} else if _, ok := err.(*ParseError); !ok {
			t.Errorf("%s: error of type %T", tc.name, err)
		}
	}
}

// TestLoadCIFARFolder: the distribution's layout uses test_batch.bin as the
// test set and the data batches, in name order, for training; a folder
// without it is split.
func TestLoadCIFARFolder(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "data_batch_2.bin"), cifarRecords(2, 2), 0o644)
	os.WriteFile(filepath.Join(dir, "data_batch_1.bin"), cifarRecords(1), 0o644)
	os.WriteFile(filepath.Join(dir, CIFARTestFile), cifarRecords(7, 8, 9), 0o644)
	os.WriteFile(filepath.Join(dir, "batches.meta.txt"), []byte("airplane\n"), 0o644)
	train, test, err := LoadCIFARFolder(dir, 0.5, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(train.Labels, []int{1, 2, 2}) || !slices.Equal(test.Labels, []int{7, 8, 9}) ||
		train.Name != dir+"-train" || test.Name != dir+"-test" || train.Rows() != 3 || test.Rows() != 3 {
		t.Fatalf("train %s %v, test %s %v", train.Name, train.Labels, test.Name, test.Labels)
	}
	if err := train.Validate(); err != nil {
		t.Fatal(err)
	}
	// Record 0 of data_batch_2.bin is row 1 of the training set.
	if !slices.Equal(train.Row(1), test.Row(0)) || slices.Equal(train.Row(1), train.Row(2)) {
		t.Error("rows not in file order")
	}

	one := t.TempDir()
	os.WriteFile(filepath.Join(one, "data_batch_1.bin"), cifarRecords(0, 1, 2, 3), 0o644)
	train, test, err = LoadCIFARFolder(one, 0.25, rand.New(rand.NewPCG(1, 2)))
	if err != nil || train.Rows() != 3 || test.Rows() != 1 {
		t.Fatalf("split: %v", err)
	}

	bad := t.TempDir()
	os.WriteFile(filepath.Join(bad, "data_batch_1.bin"), cifarRecords(0), 0o644)
	os.WriteFile(filepath.Join(bad, "data_batch_2.bin"), cifarRecords(0)[:50], 0o644)
	if _, _, err := LoadCIFARFolder(bad, 0, rand.New(rand.NewPCG(1, 2))); err == nil || !strings.Contains(err.Error(), filepath.Join(bad, "data_batch_2.bin")+": record 0: truncated") {
		t.Errorf("truncated batch: %v", err)
	}
	if _, _, err := LoadCIFARFolder(t.TempDir(), 0, rand.New(rand.NewPCG(1, 2))); err == nil || !strings.Contains(err.Error(), "no CIFAR-10 .bin files") {
		t.Errorf("empty folder: %v", err)
	}
}
