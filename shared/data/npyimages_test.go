package data

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestReadNPYImagesLayouts: N×H×W is grey, N×C×H×W and N×H×W×C are told
// apart by the axis with 1, 3 or 4 elements; uint8 is scaled as pixels,
// floats are kept; C and Fortran order give the same images.
func TestReadNPYImagesLayouts(t *testing.T) {
	seq := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(i)
		}
		return b
	}
	// Two 2×5 images of 3 channels, value (n, c, y, x) = 30n + 10c + 5y + x in NCHW.
	nchw := seq(60)
	nhwc := make([]byte, 60)
	for n := range 2 {
		for c := range 3 {
			for y := range 2 {
				for x := range 5 {
					nhwc[((n*2+y)*5+x)*3+c] = byte(30*n + 10*c + 5*y + x)
				}
			}
		}
	}
	want := make([]float32, 60)
	for i := range want {
		want[i] = px(float64(i))
	}
	// Fortran order: the first axis varies fastest.
	fortran := make([]byte, 60)
	for n := range 2 {
		for c := range 3 {
			for y := range 2 {
				for x := range 5 {
					fortran[n+2*(c+3*(y+2*x))] = byte(30*n + 10*c + 5*y + x)
				}
			}
		}
	}
	f32 := make([]float32, 12)
	for i := range f32 {
		f32[i] = float32(i) / 4
	}
	for _, tc := range []struct {
		name, dict string
		data       []byte
		shape      ImageShape
		want       []float32
		scaled     bool
	}{
		{"NCHW uint8", "{'descr': '|u1', 'fortran_order': False, 'shape': (2, 3, 2, 5), }", nchw, ImageShape{3, 2, 5}, want, true},
		{"NHWC uint8", "{'descr': '|u1', 'fortran_order': False, 'shape': (2, 2, 5, 3), }", nhwc, ImageShape{3, 2, 5}, want, true},
		{"NCHW Fortran", "{'descr': '<u1', 'fortran_order': True, 'shape': (2, 3, 2, 5), }", fortran, ImageShape{3, 2, 5}, want, true},
		{"NHW float32", "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2, 2), }", f32le(f32...), ImageShape{1, 2, 2}, f32, false},
		{"N1HW float64", "{'descr': '>f8', 'fortran_order': False, 'shape': (3, 1, 2, 2), }", f64be(0, 0.25, 0.5, 0.75, 1, 1.25, 1.5, 1.75, 2, 2.25, 2.5, 2.75), ImageShape{1, 2, 2}, f32, false},
	} {
		d, err := ReadNPYImages(bytes.NewReader(npyFile(1, tc.dict, tc.data)), "imgs.npy")
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if err := d.Validate(); err != nil {
			t.Errorf("%s: %v", tc.name, err)
		}
		s, _ := d.Image()
		if s != tc.shape || !slices.Equal(d.X, tc.want) || d.Norm.Bounded != tc.scaled || (d.Norm.Scale == 1) == tc.scaled {
			t.Errorf("%s: shape %v, norm %+v, values %v", tc.name, s, d.Norm, d.X)
		}
	}
}

// TestReadNPYDataNumpyFile: a 3-D array written by NumPy (np.arange(24.)
// as 2×3×4) reads as two grey 3×4 images; ReadNPY still refuses it.
func TestReadNPYDataNumpyFile(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "numpy", "data_float64_2x3x4_corder.npy"))
	if err != nil {
		t.Fatal(err)
	}
	d, err := ReadNPYData(bytes.NewReader(b), "a.npy")
	if err != nil {
		t.Fatal(err)
	}
	if s, _ := d.Image(); s != (ImageShape{1, 3, 4}) || d.Rows() != 2 || d.X[23] != 23 || d.X[5] != 5 {
		t.Fatalf("shape %v, %d rows, %v", s, d.Rows(), d.X)
	}
	if _, err := ReadNPY(bytes.NewReader(b), "a.npy", 0); err == nil {
		t.Fatal("ReadNPY accepted a 3-D array")
	}
	// 2-D arrays stay flat rows.
	flat, err := ReadNPYData(bytes.NewReader(npyFile(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }", f32le(1, 2, 3, 4))), "b.npy")
	if _, img := flat.Image(); err != nil || img || flat.Dim != 2 {
		t.Fatalf("2-D: %v, image %t", err, img)
	}
}

func TestReadNPYImagesErrors(t *testing.T) {
	nan := float32(math.NaN())
	for _, tc := range []struct {
		name, dict string
		data       []byte
		place      string
		want       string
	}{
		{"ambiguous", "{'descr': '|u1', 'fortran_order': False, 'shape': (1, 3, 4, 3), }", make([]byte, 36), "header", "shape (1, 3, 4, 3) is ambiguous"},
		{"no channels", "{'descr': '|u1', 'fortran_order': False, 'shape': (1, 5, 6, 7), }", make([]byte, 210), "header", "has no channel axis"},
		{"2-D", "{'descr': '|u1', 'fortran_order': False, 'shape': (2, 2), }", make([]byte, 4), "header", "2-D array of shape (2, 2): want images"},
		{"5-D", "{'descr': '|u1', 'fortran_order': False, 'shape': (1, 1, 1, 1, 1), }", make([]byte, 1), "header", "5-D array"},
		{"zero size", "{'descr': '|u1', 'fortran_order': False, 'shape': (0, 28, 28), }", nil, "header", "empty array of shape (0, 28, 28)"},
		{"zero side", "{'descr': '<f4', 'fortran_order': False, 'shape': (5, 3, 0, 8), }", nil, "header", "empty array"},
		{"dtype", "{'descr': '<i2', 'fortran_order': False, 'shape': (1, 2, 2), }", make([]byte, 8), "header", `dtype "<i2" not supported for images`},
		{"huge", "{'descr': '<f8', 'fortran_order': False, 'shape': (100000, 3, 1000, 1000), }", nil, "header", "too large"},
		{"too wide", "{'descr': '|u1', 'fortran_order': False, 'shape': (1, 1, 5000), }", nil, "header", "5000 pixels wide"},
		{"truncated", "{'descr': '|u1', 'fortran_order': False, 'shape': (2, 3, 3), }", make([]byte, 17), "data", "needs 18 bytes, file has 17"},
		{"trailing", "{'descr': '|u1', 'fortran_order': False, 'shape': (2, 3, 3), }", make([]byte, 19), "data", "1 bytes after"},
		{"NaN", "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 2, 2), }", f32le(0, 1, nan, 2), "element 2 (image 0, channel 0, row 1, column 0)", "non-finite"},
		{"float32 range", "{'descr': '>f8', 'fortran_order': False, 'shape': (1, 1, 2), }", f64be(0, -1e300), "element 1 (image 0, channel 0, row 0, column 1)", "outside the float32 range"},
	} {
		_, err := ReadNPYImages(bytes.NewReader(npyFile(1, tc.dict, tc.data)), "bad.npy")
		pe, ok := err.(*ParseError)
		if !ok || pe.File != "bad.npy" || pe.Place != tc.place || !strings.Contains(pe.Msg, tc.want) {
			t.Errorf("%s: %v, want %s: ...%s", tc.name, err, tc.place, tc.want)
		}
	}
}
