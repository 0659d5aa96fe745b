package data

import (
	"bufio"
	"fmt"
	"io"
)

// IDX is an array in the IDX format of LeCun's MNIST files with unsigned-byte
// elements: Dims gives the shape, Data the elements in row-major order.
type IDX struct {
	Dims []int
	Data []byte
}

// maxIDXBytes bounds the element count an IDX header may declare (1 GiB).
const maxIDXBytes = 1 << 30

// ReadIDX reads an IDX array of unsigned bytes from r, which must be the
// uncompressed stream. The format: two zero bytes, the type code 0x08
// (unsigned byte; other types are refused), the number of dimensions (1 to
// 8), each dimension as a big-endian uint32, then exactly the product of the
// dimensions in bytes. Any deviation, including trailing bytes, is an error
// naming the file and the place. Memory use is bounded by the size of the
// input, whatever the header declares.
func ReadIDX(r io.Reader, name string) (*IDX, error) {
	br := bufio.NewReader(r)
	magic, err := readN(br, 4)
	if err != nil && err != io.ErrUnexpectedEOF {
		return nil, errAt(name, "header", "%v", err)
	}
	switch {
	case len(magic) == 0:
		return nil, errAt(name, "header", "empty file")
	case len(magic) < 4:
		return nil, errAt(name, "header", "truncated magic number (%d of 4 bytes)", len(magic))
	case magic[0] != 0 || magic[1] != 0:
		return nil, errAt(name, "header", "bad magic % x: want 00 00 08 <ndims>", magic)
	case magic[2] != 0x08:
		return nil, errAt(name, "header", "element type 0x%02x not supported: want 0x08 (unsigned byte)", magic[2])
	case magic[3] < 1 || magic[3] > 8:
		return nil, errAt(name, "header", "%d dimensions: want 1 to 8", magic[3])
	}
	nd := int(magic[3])
	hdr, err := readN(br, int64(4*nd))
	if err != nil && err != io.ErrUnexpectedEOF {
		return nil, errAt(name, "header", "%v", err)
	}
	if err != nil {
		return nil, errAt(name, "header", "truncated dimensions (%d of %d bytes)", len(hdr), 4*nd)
	}
	x := &IDX{Dims: make([]int, nd)}
	total := int64(1)
	for i := range x.Dims {
		b := hdr[4*i : 4*i+4]
		d := int64(b[0])<<24 | int64(b[1])<<16 | int64(b[2])<<8 | int64(b[3])
		x.Dims[i] = int(d)
		if d > 0 && total > maxIDXBytes/d {
			return nil, errAt(name, "header", "dimensions %v declare more than %d elements", x.Dims[:i+1], maxIDXBytes)
		}
		total *= d
	}
	x.Data, err = readN(br, total)
	if err != nil && err != io.ErrUnexpectedEOF {
		return nil, errAt(name, "data", "%v", err)
	}
	if err != nil {
		return nil, errAt(name, "data", "dimensions %v need %d bytes, file has %d", x.Dims, total, len(x.Data))
	}
	if extra, err := trailing(br, 1<<20); err != nil {
		return nil, errAt(name, "data", "%v", err)
	} else if extra > 0 {
		return nil, errAt(name, "data", "%s%d bytes after the %v array", atLeast(extra, 1<<20), min(extra, 1<<20), x.Dims)
	}
	return x, nil
}

// atLeast returns "more than " when a trailing-byte count hit its limit.
func atLeast(n, limit int64) string {
	if n > limit {
		return "more than "
	}
	return ""
}

// String describes the array briefly.
func (x *IDX) String() string { return fmt.Sprintf("idx ubyte %v", x.Dims) }
