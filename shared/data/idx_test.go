package data

import (
	"bytes"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// idxFile assembles an unsigned-byte IDX file with the given dimensions and
// data bytes.
func idxFile(dims []uint32, data []byte) []byte {
	b := []byte{0, 0, 0x08, byte(len(dims))}
	for _, d := range dims {
		b = append(b, byte(d>>24), byte(d>>16), byte(d>>8), byte(d))
	}
	return append(b, data...)
}

func TestReadIDX(t *testing.T) {
	x, err := ReadIDX(bytes.NewReader(idxFile([]uint32{2, 3}, []byte{1, 2, 3, 4, 5, 6})), "ok.idx")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(x.Dims, []int{2, 3}) || !slices.Equal(x.Data, []byte{1, 2, 3, 4, 5, 6}) {
		t.Errorf("got %v %v", x.Dims, x.Data)
	}
	x, err = ReadIDX(bytes.NewReader(idxFile([]uint32{0, 28, 28}, nil)), "empty.idx")
	if err != nil || len(x.Data) != 0 {
		t.Errorf("zero images: %v, %v", x, err)
	}
}

func TestReadIDXErrors(t *testing.T) {
	for _, tc := range []struct {
		name  string
		in    []byte
		place string
		want  string
	}{
		{"empty", nil, "header", "empty file"},
		{"short magic", []byte{0, 0, 8}, "header", "truncated magic"},
		{"bad magic", []byte{0x1f, 0x8b, 8, 0}, "header", "bad magic 1f 8b 08 00"},
		{"type", []byte{0, 0, 0x0d, 1, 0, 0, 0, 1, 0, 0, 0, 0}, "header", "element type 0x0d not supported"},
		{"0 dims", []byte{0, 0, 8, 0}, "header", "0 dimensions"},
		{"9 dims", []byte{0, 0, 8, 9}, "header", "9 dimensions"},
		{"short dims", []byte{0, 0, 8, 2, 0, 0, 0, 1, 0, 0}, "header", "truncated dimensions (6 of 8 bytes)"},
		{"huge dims", idxFile([]uint32{1 << 31, 1 << 31, 2}, nil), "header", "declare more than"},
		{"short data", idxFile([]uint32{2, 3}, []byte{1, 2, 3}), "data", "need 6 bytes, file has 3"},
		{"trailing", idxFile([]uint32{2}, []byte{1, 2, 3}), "data", "1 bytes after the [2] array"},
	} {
		_, err := ReadIDX(bytes.NewReader(tc.in), "bad.idx")
		if err == nil {
			t.Errorf("%s: no error", tc.name)
			continue
		}
		if msg := err.Error(); !strings.HasPrefix(msg, "bad.idx: "+tc.place+": ") || !strings.Contains(msg, tc.want) {
			t.Errorf("%s: error %q, want \"bad.idx: %s: ...%s...\"", tc.name, msg, tc.place, tc.want)
		}
	}
}

// TestReadIDXBoundedMemory checks that declaring 60000×28×28 images in a
// 20-byte file costs almost no memory.
func TestReadIDXBoundedMemory(t *testing.T) {
	in := idxFile([]uint32{60000, 28, 28}, []byte{1, 2, 3, 4})
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := ReadIDX(bytes.NewReader(in), "huge.idx")
	runtime.ReadMemStats(&after)
	if err == nil {
		t.Fatal("no error")
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 1<<20 {
		t.Errorf("allocated %d bytes for a %d-byte input", alloc, len(in))
	}
}
