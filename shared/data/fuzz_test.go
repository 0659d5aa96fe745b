package data

import (
	"bytes"
	"math"
	"slices"
	"testing"
)

// The fuzz targets check that the readers never panic and that whatever they
// accept satisfies the Dataset invariants and survives a write/read round
// trip. Seed inputs live in testdata/fuzz/<Name>/.

func FuzzReadNPY(f *testing.F) {
	f.Add(npyFile(1, "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", f32le(1, 2, 3, 4)))
	f.Fuzz(func(t *testing.T, in []byte) {
		d, err := ReadNPY(bytes.NewReader(in), "fuzz.npy", 0)
		if err != nil {
			if _, ok := err.(*ParseError); !ok {
				t.Fatalf("error of type %T: %v", err, err)
			}
			return
		}
		checkReadBack(t, d, len(in))
		var b bytes.Buffer
		if err := WriteNPY(&b, d.X, d.Dim); err != nil {
			t.Fatal(err)
		}
		back, err := ReadNPY(&b, "back.npy", d.Dim)
		if err != nil || !slices.Equal(back.X, d.X) {
			t.Fatalf("round trip: %v", err)
		}
	})
}

func FuzzReadCSV(f *testing.F) {
	f.Add([]byte("x,y\n1,2\n3,4\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		d, err := ReadCSV(bytes.NewReader(in), "fuzz.csv", 0)
		if err != nil {
			if _, ok := err.(*ParseError); !ok {
				t.Fatalf("error of type %T: %v", err, err)
			}
			return
		}
		checkReadBack(t, d, len(in))
		var b bytes.Buffer
		// A header that would not read back as one is dropped.
		header := d.Columns
		if WriteCSV(&bytes.Buffer{}, d.X, d.Dim, header) != nil {
			header = nil
		}
		if err := WriteCSV(&b, d.X, d.Dim, header); err != nil {
			t.Fatal(err)
		}
		back, err := ReadCSV(&b, "back.csv", d.Dim)
		if err != nil || !slices.Equal(back.X, d.X) {
			t.Fatalf("round trip of %q: %v", b.String(), err)
		}
	})
}

func FuzzReadIDX(f *testing.F) {
	f.Add(idxFile([]uint32{2, 3}, []byte{1, 2, 3, 4, 5, 6}))
	f.Fuzz(func(t *testing.T, in []byte) {
		x, err := ReadIDX(bytes.NewReader(in), "fuzz.idx")
		if err != nil {
			if _, ok := err.(*ParseError); !ok {
				t.Fatalf("error of type %T: %v", err, err)
			}
			return
		}
		n := 1
		for _, d := range x.Dims {
			n *= d
		}
		if len(x.Data) != n || len(in) != 4+4*len(x.Dims)+n {
			t.Fatalf("dims %v with %d data bytes from %d input bytes", x.Dims, len(x.Data), len(in))
		}
	})
}

// checkReadBack checks an accepted Dataset: valid, non-empty, finite, and
// no larger than its input could encode.
func checkReadBack(t *testing.T, d *Dataset, inLen int) {
	t.Helper()
	if err := d.Validate(); err != nil {
		t.Fatal(err)
	}
	if d.Rows() == 0 {
		t.Fatal("accepted an empty matrix")
	}
	if len(d.X) > inLen {
		t.Fatalf("%d values from %d bytes", len(d.X), inLen)
	}
	for _, v := range d.X {
		if math.IsInf(float64(v), 0) || math.IsNaN(float64(v)) {
			t.Fatal("non-finite value accepted")
		}
	}
}

func FuzzReadCIFAR(f *testing.F) {
	f.Add(cifarRecords(3, 7))
	f.Fuzz(func(t *testing.T, in []byte) {
		d, err := ReadCIFAR(bytes.NewReader(in), "fuzz.bin")
		if err != nil {
			if _, ok := err.(*ParseError); !ok {
				t.Fatalf("error of type %T: %v", err, err)
			}
			return
		}
		checkReadBack(t, d, len(in))
		if s, ok := d.Image(); !ok || s != CIFARShape || d.Rows()*CIFARRecord != len(in) {
			t.Fatalf("%d rows of shape %v from %d bytes", d.Rows(), s, len(in))
		}
		// The records come back from the rows and labels, byte for byte.
		var back []byte
		for i := range d.Rows() {
			back = append(back, byte(d.Labels[i]))
			for _, v := range d.Row(i) {
				back = append(back, byte(math.Round((float64(v)+1)*127.5)))
			}
		}
		if !bytes.Equal(back, in) {
			t.Fatal("the rows do not encode the input's records")
		}
	})
}

func FuzzReadNPYImages(f *testing.F) {
	f.Add(npyFile(1, "{'descr': '|u1', 'fortran_order': False, 'shape': (2, 2, 5, 3), }", make([]byte, 60)))
	f.Fuzz(func(t *testing.T, in []byte) {
		d, err := ReadNPYImages(bytes.NewReader(in), "fuzz.npy")
		if err != nil {
			if _, ok := err.(*ParseError); !ok {
				t.Fatalf("error of type %T: %v", err, err)
			}
			return
		}
		checkReadBack(t, d, len(in))
		s, ok := d.Image()
		if !ok || s.C < 1 || s.C > 4 || s.Dim() != d.Dim {
			t.Fatalf("image shape %v (%t) for rows of %d", s, ok, d.Dim)
		}
		again, err := ReadNPYData(bytes.NewReader(in), "fuzz.npy")
		if err != nil || !slices.Equal(again.X, d.X) {
			t.Fatalf("ReadNPYData disagrees: %v", err)
		}
	})
}
