package data

import (
	"bytes"
	"math"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestCSVRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	x := make([]float32, 50*3)
	for i := range x {
		x[i] = float32(rng.NormFloat64() * math.Pow(10, float64(rng.IntN(60)-30)))
	}
	x[0], x[1] = math.MaxFloat32, math.SmallestNonzeroFloat32
	for _, header := range [][]string{nil, {"x", "y, quoted", "z"}} {
		var b bytes.Buffer
		if err := WriteCSV(&b, x, 3, header); err != nil {
			t.Fatal(err)
		}
		d, err := ReadCSV(&b, "rt.csv", 3)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(d.X, x) || !slices.Equal(d.Columns, header) {
			t.Errorf("header %q: round trip differs (columns %q)", header, d.Columns)
		}
	}
	path := filepath.Join(t.TempDir(), "x.CSV")
	if err := WriteCSVFile(path, []float32{1, 2.5, -3, 4e-7}, 2, []string{"a", "b"}); err != nil {
		t.Fatal(err)
	}
	d, err := ReadFile(path, 0)
	if err != nil || !slices.Equal(d.X, []float32{1, 2.5, -3, 4e-7}) || d.Dim != 2 || d.Name != path {
		t.Errorf("file round trip: %+v, %v", d, err)
	}
}

func TestReadCSVForms(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		cols     []string
		want     []float32
		dim      int
	}{
		{"plain", "1,2\n3,4\n", nil, []float32{1, 2, 3, 4}, 2},
		{"no final newline", "1,2\n3,4", nil, []float32{1, 2, 3, 4}, 2},
		{"header", "x,y\n1,2\n", []string{"x", "y"}, []float32{1, 2}, 2},
		{"CRLF, BOM, spaces", "\uFEFF x , y \r\n 1 , 2 \r\n\r\n3,4\r\n", []string{"x", "y"}, []float32{1, 2, 3, 4}, 2},
		{"savetxt comments", "# x,y\n1.000000000000000000e+00,-2.5e-3\n", nil, []float32{1, -2.5e-3}, 2},
		{"quoted", "\"a\",\"b\"\n\"1\",\"2\"\n", []string{"a", "b"}, []float32{1, 2}, 2},
		{"one column", "v\n1\n2\n3\n", []string{"v"}, []float32{1, 2, 3}, 1},
		{"Go syntax numbers", "0x1p-2,1_0,+.5\n", nil, []float32{0.25, 10, 0.5}, 3},
	} {
		d, err := ReadCSV(strings.NewReader(tc.in), "f.csv", 0)
		if tc.want == nil {
			if err == nil {
				t.Errorf("%s: no error", tc.name)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if d.Dim != tc.dim || !slices.Equal(d.X, tc.want) || !slices.Equal(d.Columns, tc.cols) {
			t.Errorf("%s: got %d columns %q %v", tc.name, d.Dim, d.Columns, d.X)
		}
	}
}

func TestReadCSVErrors(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		cols     int
		where    string // the "file:line:col:" or "file:" prefix
		want     string
	}{
		{"empty", "", 0, "bad.csv: ", "empty file"},
		{"only comments", "# nothing\n\n", 0, "bad.csv: ", "empty file"},
		{"header only", "x,y\n", 0, "bad.csv: ", "no data rows"},
		{"ragged long", "1,2\n3,4\n5,6,7\n", 0, "bad.csv:3:3: ", "ragged row: 3 fields, want 2 as in the first data row (line 1)"},
		{"ragged short", "x,y\n1,2\n3\n", 0, "bad.csv:3:1: ", "ragged row: 1 fields, want 2 as in the header (line 1)"},
		{"non-numeric", "1,2\n3,abc\n", 0, "bad.csv:2:3: ", `field 2: non-numeric cell "abc"`},
		{"mixed first row", "x,1\n", 0, "bad.csv:1:1: ", `field 1: non-numeric cell "x"`},
		// "1;2" is one non-numeric cell, so the first line reads as a header.
		{"semicolons", "1;2\n3;4\n", 0, "bad.csv:2:1: ", "is the file comma-separated?"},
		{"empty cell", "1,2\n3,\n", 0, "bad.csv:2:3: ", "field 2: empty cell"},
		{"NaN", "1,2\nNaN,4\n", 0, "bad.csv:2:1: ", "non-finite value"},
		{"Inf", "1,-inf\n", 0, "bad.csv:1:3: ", "non-finite value"},
		{"float32 range", "1,2\n3,1e39\n", 0, "bad.csv:2:3: ", "outside the float32 range"},
		{"float64 range", "1e400,2\n", 0, "bad.csv:1:1: ", "outside the float32 range"},
		{"bare quote", "1,2\n3,4\"5\n", 0, "bad.csv:2:4: ", "bare \" in non-quoted-field"},
		{"columns", "1,2,3\n", 2, "bad.csv:1: ", "3 columns, want 2"},
	} {
		_, err := ReadCSV(strings.NewReader(tc.in), "bad.csv", tc.cols)
		if err == nil {
			t.Errorf("%s: no error", tc.name)
			continue
		}
		if msg := err.Error(); !strings.HasPrefix(msg, tc.where) || !strings.Contains(msg, tc.want) {
			t.Errorf("%s: error %q, want %q...%q", tc.name, msg, tc.where, tc.want)
		}
	}
	path := filepath.Join(t.TempDir(), "missing.csv")
	if _, err := ReadCSVFile(path, 0); err == nil || !strings.Contains(err.Error(), path) {
		t.Errorf("missing file: %v", err)
	}
}

func TestWriteCSVErrors(t *testing.T) {
	var b bytes.Buffer
	for _, tc := range []struct {
		x      []float32
		cols   int
		header []string
		want   string
	}{
		{[]float32{1, 2, 3}, 2, nil, "do not fill"},
		{[]float32{float32(math.Inf(1)), 2}, 2, nil, "row 0, column 0"},
		{[]float32{1, 2}, 2, []string{"a"}, "1 header names for 2 columns"},
		{[]float32{1, 2}, 2, []string{"a", "3"}, `"3" would not read back`},
		{[]float32{1, 2}, 2, []string{"a", ""}, `"" would not read back`},
		{[]float32{1, 2}, 2, []string{"#a", "b"}, `"#a" would not read back`},
	} {
		if err := WriteCSV(&b, tc.x, tc.cols, tc.header); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("WriteCSV(%v, %d, %q) = %v, want %q", tc.x, tc.cols, tc.header, err, tc.want)
		}
	}
	if b.Len() != 0 {
		t.Errorf("failed writes wrote %q", b.String())
	}
}
