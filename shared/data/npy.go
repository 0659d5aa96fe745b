package data

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"strings"
)

// npyMagic starts every .npy file; a major and a minor version byte follow.
const npyMagic = "\x93NUMPY"

// maxNpyHeader bounds the declared header length (numpy itself refuses
// headers over 10000 bytes by default).
const maxNpyHeader = 1 << 20

// ReadNPY reads a 2-D float32 or float64 array in NumPy's .npy format
// (versions 1.0, 2.0 and 3.0; little- or big-endian; C or Fortran order) from
// r and returns it as a Dataset of float32 rows named name, with the identity
// normalisation. If wantCols > 0 the array must have that many columns.
//
// Every problem is an error naming the file and the place: a missing or
// wrong magic, a malformed header, a dtype other than float32/float64, a
// shape that is not 2-D or is empty, data shorter or longer than the shape
// declares, and NaN, ±Inf or float64 values that overflow float32
// (located by element index in the file, and row and column). Memory use is
// bounded by the size of the input, whatever the header declares.
func ReadNPY(r io.Reader, name string, wantCols int) (*Dataset, error) {
	return readNPY(r, name, wantCols, false)
}

// ReadNPYData reads a .npy file as ReadNPY does when its array is 2-D
// (rows of flat vectors), and as ReadNPYImages does when it is 3-D or 4-D
// (images).
func ReadNPYData(r io.Reader, name string) (*Dataset, error) { return readNPY(r, name, 0, true) }

// readNPY is ReadNPY, and with images ReadNPYData.
func readNPY(r io.Reader, name string, wantCols int, images bool) (*Dataset, error) {
	br := bufio.NewReader(r)
	h, err := readNPYHeader(br, name)
	if err != nil {
		return nil, err
	}
	if images && (len(h.shape) == 3 || len(h.shape) == 4) {
		return npyImages(br, name, h)
	}
	var size int64
	var order binary.ByteOrder
	switch h.descr {
	case "<f4":
		size, order = 4, binary.LittleEndian
	case ">f4":
		size, order = 4, binary.BigEndian
	case "<f8":
		size, order = 8, binary.LittleEndian
	case ">f8":
		size, order = 8, binary.BigEndian
	default:
		return nil, errAt(name, "header", "dtype %q not supported: want float32 or float64 ('<f4', '>f4', '<f8', '>f8')", h.descr)
	}
	shape := shapeString(h.shape)
	switch len(h.shape) {
	case 2:
	case 1:
		return nil, errAt(name, "header", "1-D array of shape %s: want a 2-D (rows, columns) array; save x.reshape(-1, 1) for a single column", shape)
	default:
		return nil, errAt(name, "header", "%d-D array of shape %s: want a 2-D (rows, columns) array", len(h.shape), shape)
	}
	rows, cols := h.shape[0], h.shape[1]
	if rows == 0 || cols == 0 {
		return nil, errAt(name, "header", "empty array of shape %s", shape)
	}
	if wantCols > 0 && cols != int64(wantCols) {
		return nil, errAt(name, "header", "shape %s has %d columns, want %d", shape, cols, wantCols)
	}
	if rows > math.MaxInt32*int64(256)/cols/size { // at most 2^39 bytes of data
		return nil, errAt(name, "header", "shape %s is too large", shape)
	}
	raw, err := readNPYData(br, name, shape, h.descr, rows*cols*size)
	if err != nil {
		return nil, err
	}

	nr, nc := int(rows), int(cols)
	x := make([]float32, nr*nc)
	for k := 0; k < nr*nc; k++ {
		var v float64
		if size == 4 {
			v = float64(math.Float32frombits(order.Uint32(raw[4*k:])))
		} else {
			v = math.Float64frombits(order.Uint64(raw[8*k:]))
		}
		i, j := k/nc, k%nc
		if h.fortran {
			i, j = k%nr, k/nr
		}
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, errAt(name, fmt.Sprintf("element %d (row %d, column %d)", k, i, j), "non-finite value %g", v)
		}
		if math.IsInf(float64(float32(v)), 0) {
			return nil, errAt(name, fmt.Sprintf("element %d (row %d, column %d)", k, i, j), "%g is outside the float32 range", v)
		}
		x[i*nc+j] = float32(v)
	}
	return &Dataset{Name: name, Dim: nc, X: x, Norm: Identity()}, nil
}

// readNPYHeader reads a .npy file's magic, version and header dictionary
// from br, leaving br at the first data byte.
func readNPYHeader(br *bufio.Reader, name string) (npyHeader, error) {
	var h npyHeader
	pre, err := readN(br, 8)
	if err != nil && err != io.ErrUnexpectedEOF {
		return h, errAt(name, "header", "%v", err)
	}
	if len(pre) == 0 {
		return h, errAt(name, "header", "empty file")
	}
	if len(pre) < len(npyMagic) || string(pre[:len(npyMagic)]) != npyMagic {
		return h, errAt(name, "header", "not a .npy file: missing magic \\x93NUMPY")
	}
	if len(pre) < 8 {
		return h, errAt(name, "header", "truncated before the version bytes")
	}
	major, minor := pre[6], pre[7]
	var hlen int64
	switch {
	case major == 1 && minor == 0:
		b, err := readN(br, 2)
		if err != nil && err != io.ErrUnexpectedEOF {
			return h, errAt(name, "header", "%v", err)
		}
		if len(b) < 2 {
			return h, errAt(name, "header", "truncated before the header length")
		}
		hlen = int64(binary.LittleEndian.Uint16(b))
	case (major == 2 || major == 3) && minor == 0:
		b, err := readN(br, 4)
		if err != nil && err != io.ErrUnexpectedEOF {
			return h, errAt(name, "header", "%v", err)
		}
		if len(b) < 4 {
			return h, errAt(name, "header", "truncated before the header length")
		}
		hlen = int64(binary.LittleEndian.Uint32(b))
	default:
		return h, errAt(name, "header", "unsupported format version %d.%d (want 1.0, 2.0 or 3.0)", major, minor)
	}
	if hlen > maxNpyHeader {
		return h, errAt(name, "header", "declared header length %d exceeds %d bytes", hlen, maxNpyHeader)
	}
	hb, err := readN(br, hlen)
	if err != nil && err != io.ErrUnexpectedEOF {
		return h, errAt(name, "header", "%v", err)
	}
	if err != nil {
		return h, errAt(name, "header", "header declares %d bytes, file ends after %d", hlen, len(hb))
	}
	h, err = parseNpyHeader(string(hb))
	if err != nil {
		return h, errAt(name, "header", "%v", err)
	}
	return h, nil
}

// readNPYData reads the nbytes data bytes of an array of the given shape
// and dtype from br and checks that nothing follows them.
func readNPYData(br *bufio.Reader, name, shape, descr string, nbytes int64) ([]byte, error) {
	raw, err := readN(br, nbytes)
	if err != nil && err != io.ErrUnexpectedEOF {
		return nil, errAt(name, "data", "%v", err)
	}
	if err != nil {
		return nil, errAt(name, "data", "shape %s of %s needs %d bytes, file has %d", shape, descr, nbytes, len(raw))
	}
	if extra, err := trailing(br, 1<<20); err != nil {
		return nil, errAt(name, "data", "%v", err)
	} else if extra > 0 {
		return nil, errAt(name, "data", "%s%d bytes after the %s array", atLeast(extra, 1<<20), min(extra, 1<<20), shape)
	}
	return raw, nil
}

// shapeString formats a shape as Python does: (3,) or (3, 2).
func shapeString(s []int64) string {
	parts := make([]string, len(s))
	for i, d := range s {
		parts[i] = fmt.Sprint(d)
	}
	if len(s) == 1 {
		return "(" + parts[0] + ",)"
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

// WriteNPY writes x, a row-major matrix with cols columns, to w as a .npy
// version 1.0 file of little-endian float32 in C order, its header padded
// with spaces so that the data starts at a multiple of 64 bytes, as numpy
// does. It returns an error, writing nothing, if cols < 1, len(x) is not a
// multiple of cols, or a value is NaN or ±Inf (ReadNPY would refuse it).
func WriteNPY(w io.Writer, x []float32, cols int) error {
	if err := checkWritable(x, cols); err != nil {
		return err
	}
	dict := fmt.Sprintf("{'descr': '<f4', 'fortran_order': False, 'shape': (%d, %d), }", len(x)/cols, cols)
	total := 10 + len(dict) + 1
	pad := (64 - total%64) % 64
	hdr := dict + strings.Repeat(" ", pad) + "\n"
	var pre [10]byte
	copy(pre[:], npyMagic)
	pre[6], pre[7] = 1, 0
	binary.LittleEndian.PutUint16(pre[8:], uint16(len(hdr)))
	bw := bufio.NewWriter(w)
	bw.Write(pre[:])
	bw.WriteString(hdr)
	var b [4]byte
	for _, v := range x {
		binary.LittleEndian.PutUint32(b[:], math.Float32bits(v))
		bw.Write(b[:])
	}
	return bw.Flush()
}

// checkWritable validates the arguments of the writers.
func checkWritable(x []float32, cols int) error {
	if cols < 1 {
		return fmt.Errorf("data: write: %d columns, want at least 1", cols)
	}
	if len(x)%cols != 0 {
		return fmt.Errorf("data: write: %d values do not fill rows of %d columns", len(x), cols)
	}
	for k, v := range x {
		if f := float64(v); math.IsNaN(f) || math.IsInf(f, 0) {
			return fmt.Errorf("data: write: row %d, column %d: non-finite value %g", k/cols, k%cols, f)
		}
	}
	return nil
}
