package data

import (
	"bytes"
	"encoding/binary"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"codeberg.org/sbinet/npyio"
	"gonum.org/v1/gonum/mat"
)

// npyFile assembles a .npy file of format version major.0 from a header dict
// (padded with spaces and a newline as numpy does) and raw data bytes.
func npyFile(major byte, dict string, data []byte) []byte {
	var b bytes.Buffer
	b.WriteString(npyMagic)
	b.WriteByte(major)
	b.WriteByte(0)
	lenBytes := 2
	if major >= 2 {
		lenBytes = 4
	}
	total := 8 + lenBytes + len(dict) + 1
	hdr := dict + strings.Repeat(" ", (64-total%64)%64) + "\n"
	if lenBytes == 2 {
		binary.Write(&b, binary.LittleEndian, uint16(len(hdr)))
	} else {
		binary.Write(&b, binary.LittleEndian, uint32(len(hdr)))
	}
	b.WriteString(hdr)
	b.Write(data)
	return b.Bytes()
}

// f32le and f64be encode values as raw array data.
func f32le(v ...float32) []byte {
	var b bytes.Buffer
	binary.Write(&b, binary.LittleEndian, v)
	return b.Bytes()
}

func f64be(v ...float64) []byte {
	var b bytes.Buffer
	binary.Write(&b, binary.BigEndian, v)
	return b.Bytes()
}

func TestReadNPYNumpyFiles(t *testing.T) {
	c := []float32{0, 1, 2, 3, 4, 5}
	f := []float32{0, 2, 4, 1, 3, 5}
	for _, tc := range []struct {
		file string
		cols int
		want []float32
	}{
		{"data_float32_2x3_corder.npy", 3, c},
		{"data_float32_2x3_forder.npy", 3, f},
		{"data_float64_2x3_corder.npy", 3, c},
		{"data_float64_2x3_forder.npy", 3, f},
		{"data_float64_6x1_forder.npy", 1, c},
	} {
		path := filepath.Join("testdata", "numpy", tc.file)
		d, err := ReadNPYFile(path, 0)
		if err != nil {
			t.Errorf("%s: %v", tc.file, err)
			continue
		}
		if d.Dim != tc.cols || !slices.Equal(d.X, tc.want) || d.Name != path {
			t.Errorf("%s: got %d columns %v named %q, want %d columns %v", tc.file, d.Dim, d.X, d.Name, tc.cols, tc.want)
		}
	}
	for file, want := range map[string]string{
		"data_float64_2x3x4_corder.npy":  "3-D array of shape (2, 3, 4)",
		"data_float32_scalar_corder.npy": "0-D array of shape ()",
		"data_int16_2x3_corder.npy":      `dtype "<i2" not supported`,
		"nans_inf.npy":                   "1-D array of shape (4,)",
	} {
		path := filepath.Join("testdata", "numpy", file)
		_, err := ReadNPYFile(path, 0)
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), path+": header:") {
			t.Errorf("%s: error %v, want one naming the file, the header and %q", file, err, want)
		}
	}
}

func TestNPYRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, shape := range [][2]int{{1, 1}, {3, 2}, {100, 7}, {5, 784}} {
		x := make([]float32, shape[0]*shape[1])
		for i := range x {
			x[i] = float32(rng.NormFloat64() * math.Pow(10, float64(rng.IntN(20)-10)))
		}
		var b bytes.Buffer
		if err := WriteNPY(&b, x, shape[1]); err != nil {
			t.Fatal(err)
		}
		hlen := int(binary.LittleEndian.Uint16(b.Bytes()[8:]))
		if (10+hlen)%64 != 0 || b.Bytes()[10+hlen-1] != '\n' {
			t.Errorf("%v: data starts at %d, not 64-aligned after a newline", shape, 10+hlen)
		}
		d, err := ReadNPY(bytes.NewReader(b.Bytes()), "rt.npy", shape[1])
		if err != nil {
			t.Fatal(err)
		}
		if d.Rows() != shape[0] || !slices.Equal(d.X, x) {
			t.Errorf("%v: round trip differs", shape)
		}
	}
	// Through files.
	path := filepath.Join(t.TempDir(), "x.npy")
	x := []float32{1, 2, 3, 4, 5, 6}
	if err := WriteNPYFile(path, x, 2); err != nil {
		t.Fatal(err)
	}
	d, err := ReadFile(path, 2)
	if err != nil || !slices.Equal(d.X, x) || d.Rows() != 3 {
		t.Fatalf("file round trip: %v, %v", d, err)
	}
}

// TestNPYInterop reads npyio's output and lets npyio read ours.
func TestNPYInterop(t *testing.T) {
	m := mat.NewDense(3, 2, []float64{1.5, -2, 3, 4e-3, 5, 6})
	var b bytes.Buffer
	if err := npyio.Write(&b, m); err != nil {
		t.Fatal(err)
	}
	d, err := ReadNPY(&b, "npyio.npy", 0)
	if err != nil {
		t.Fatal(err)
	}
	if want := []float32{1.5, -2, 3, 4e-3, 5, 6}; d.Dim != 2 || !slices.Equal(d.X, want) {
		t.Errorf("read npyio's file as %d columns %v", d.Dim, d.X)
	}

	b.Reset()
	x := []float32{1, 2, 3, 4, 5, 6}
	if err := WriteNPY(&b, x, 3); err != nil {
		t.Fatal(err)
	}
	r, err := npyio.NewReader(&b)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(r.Header.Descr.Shape, []int{2, 3}) || strings.Trim(r.Header.Descr.Type, "'") != "<f4" || r.Header.Descr.Fortran {
		t.Errorf("npyio sees header %v", r.Header)
	}
	var got []float32
	if err := r.Read(&got); err != nil || !slices.Equal(got, x) {
		t.Errorf("npyio reads %v, %v", got, err)
	}
}

func TestReadNPYForms(t *testing.T) {
	// Version 2.0 and 3.0 headers, big-endian float64, a Python 2 'L'
	// suffix, double quotes, keys in another order, no trailing comma.
	want := []float32{1, 2, 3, 4, 5, 6}
	for _, tc := range []struct {
		major byte
		dict  string
		data  []byte
	}{
		{2, "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), }", f32le(want...)},
		{3, `{"shape": (3L, 2L), "fortran_order": False, "descr": ">f8"}`, f64be(1, 2, 3, 4, 5, 6)},
		{1, "{'descr': '<f4', 'fortran_order': True, 'shape': (3,2)}", f32le(1, 3, 5, 2, 4, 6)},
	} {
		d, err := ReadNPY(bytes.NewReader(npyFile(tc.major, tc.dict, tc.data)), "forms.npy", 2)
		if err != nil {
			t.Errorf("%s: %v", tc.dict, err)
			continue
		}
		if !slices.Equal(d.X, want) {
			t.Errorf("%s: got %v", tc.dict, d.X)
		}
	}
}

func TestReadNPYErrors(t *testing.T) {
	ok := "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }"
	good := f32le(1, 2, 3, 4)
	v2huge := append([]byte(npyMagic+"\x02\x00"), 0xff, 0xff, 0xff, 0x7f)
	nan := float32(math.NaN())
	cases := []struct {
		name  string
		in    []byte
		cols  int
		place string // "header", "data" or "element ..."
		want  string
	}{
		{"empty", nil, 0, "header", "empty file"},
		{"magic", []byte("PK\x03\x04 not npy"), 0, "header", "not a .npy file"},
		{"short magic", []byte("\x93NUM"), 0, "header", "not a .npy file"},
		{"no version", []byte(npyMagic + "\x01"), 0, "header", "truncated before the version"},
		{"version", npyFile(4, ok, good), 0, "header", "unsupported format version 4.0"},
		{"no header length", []byte(npyMagic + "\x01\x00\x10"), 0, "header", "truncated before the header length"},
		{"huge header length", v2huge, 0, "header", "exceeds"},
		{"short header", npyFile(1, ok, nil)[:30], 0, "header", "file ends after"},
		{"not a dict", npyFile(1, "[1, 2]", good), 0, "header", "want '{'"},
		{"missing key", npyFile(1, "{'descr': '<f4', 'shape': (2, 2)}", good), 0, "header", "missing key 'fortran_order'"},
		{"unknown key", npyFile(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), 'x': 1}", good), 0, "header", `unexpected key "x"`},
		{"duplicate key", npyFile(1, "{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (2, 2)}", good), 0, "header", "duplicate key"},
		{"bad bool", npyFile(1, "{'descr': '<f4', 'fortran_order': 0, 'shape': (2, 2)}", good), 0, "header", "want True or False"},
		{"bad shape", npyFile(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, -2)}", good), 0, "header", "non-negative integer"},
		{"shape overflow", npyFile(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999, 2)}", good), 0, "header", "too large"},
		{"junk after dict", npyFile(1, ok+" x", good), 0, "header", "after the dict"},
		{"dtype", npyFile(1, "{'descr': '<i8', 'fortran_order': False, 'shape': (2, 2)}", good), 0, "header", `dtype "<i8"`},
		{"1-D", npyFile(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (4,)}", good), 0, "header", "1-D array of shape (4,)"},
		{"3-D", npyFile(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 2, 2)}", good), 0, "header", "3-D array of shape (1, 2, 2)"},
		{"empty array", npyFile(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (0, 2)}", nil), 0, "header", "empty array"},
		{"columns", npyFile(1, ok, good), 3, "header", "2 columns, want 3"},
		{"huge shape", npyFile(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (1099511627776, 1048576)}", good), 0, "header", "too large"},
		{"short data", npyFile(1, ok, good[:12]), 0, "data", "needs 16 bytes, file has 12"},
		{"trailing data", npyFile(1, ok, append(good, 0, 0)), 0, "data", "2 bytes after the (2, 2) array"},
		{"NaN", npyFile(1, ok, f32le(1, 2, nan, 4)), 0, "element 2 (row 1, column 0)", "non-finite"},
		{"Inf F-order", npyFile(1, "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2)}", f32le(1, float32(math.Inf(-1)), 3, 4)), 0, "element 1 (row 1, column 0)", "non-finite"},
		{"float32 range", npyFile(1, "{'descr': '>f8', 'fortran_order': False, 'shape': (1, 2)}", f64be(0, 1e300)), 0, "element 1 (row 0, column 1)", "outside the float32 range"},
	}
	for _, tc := range cases {
		_, err := ReadNPY(bytes.NewReader(tc.in), "bad.npy", tc.cols)
		if err == nil {
			t.Errorf("%s: no error", tc.name)
			continue
		}
		msg := err.Error()
		if !strings.HasPrefix(msg, "bad.npy: "+tc.place+": ") || !strings.Contains(msg, tc.want) {
			t.Errorf("%s: error %q, want \"bad.npy: %s: ...%s...\"", tc.name, msg, tc.place, tc.want)
		}
	}
}

// TestReadNPYHugeShapeBoundedMemory checks that a header declaring 8 GB of
// data in a 100-byte file costs almost no memory.
func TestReadNPYHugeShapeBoundedMemory(t *testing.T) {
	in := npyFile(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (1000000000, 1)}", f32le(1, 2))
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := ReadNPY(bytes.NewReader(in), "huge.npy", 0)
	runtime.ReadMemStats(&after)
	if err == nil || !strings.Contains(err.Error(), "needs 8000000000 bytes, file has 8") {
		t.Fatalf("error %v", err)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 1<<20 {
		t.Errorf("allocated %d bytes for a %d-byte input", alloc, len(in))
	}
}

func TestReadNPYFileMissing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nope.npy")
	_, err := ReadNPYFile(path, 0)
	if err == nil || !strings.Contains(err.Error(), path) || !os.IsNotExist(errorsUnwrapAll(err)) {
		t.Errorf("error %v, want a not-exist error naming %s", err, path)
	}
	if _, err := ReadFile("x.txt", 0); err == nil || !strings.Contains(err.Error(), "x.txt") {
		t.Errorf("ReadFile(x.txt): %v", err)
	}
}

// errorsUnwrapAll returns the innermost wrapped error.
func errorsUnwrapAll(err error) error {
	for {
		u, ok := err.(interface{ Unwrap() error })
		if !ok || u.Unwrap() == nil {
			return err
		}
		err = u.Unwrap()
	}
}

func TestWriteNPYErrors(t *testing.T) {
	var b bytes.Buffer
	for _, tc := range []struct {
		x    []float32
		cols int
		want string
	}{
		{[]float32{1, 2, 3}, 2, "do not fill"},
		{[]float32{1, 2}, 0, "at least 1"},
		{[]float32{1, float32(math.NaN())}, 2, "row 0, column 1"},
	} {
		if err := WriteNPY(&b, tc.x, tc.cols); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("WriteNPY(%v, %d) = %v, want %q", tc.x, tc.cols, err, tc.want)
		}
	}
	if b.Len() != 0 {
		t.Errorf("failed writes wrote %d bytes", b.Len())
	}
	path := filepath.Join(t.TempDir(), "bad.npy")
	if err := WriteNPYFile(path, []float32{1, 2, 3}, 2); err == nil {
		t.Error("WriteNPYFile accepted a ragged matrix")
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Error("a failed WriteNPYFile left a file")
	}
}
