package data

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"math"
)

// ReadNPYImages reads a .npy array of images into a Dataset named name, one
// image per row, channel-major (NCHW). The shape says the layout:
//
//   - N×H×W: N grey images (one channel);
//   - N×C×H×W or N×H×W×C: the channel axis is whichever of axes 1 and 3
//     has 1, 3 or 4 elements. When both have (as in N×3×4×3) or neither
//     has, the layout is ambiguous and the file is refused. Only images
//     1, 3 or 4 pixels wide (N×C×H×W) or high (N×H×W×C) meet this; save
//     one-channel images as N×H×W, which is never ambiguous.
//
// A uint8 array ('|u1') holds pixel bytes, stored as p/127.5 − 1
// (PixelNorm); a float32 or float64 array is taken as is (the identity
// normalisation), NaN, ±Inf and float64 values beyond float32's range
// refused. C or Fortran order, either byte order. Every problem is an error
// naming the file and the place, an empty (zero-size) array included; memory
// use is bounded by the size of the input, whatever the header declares.
func ReadNPYImages(r io.Reader, name string) (*Dataset, error) {
	br := bufio.NewReader(r)
	h, err := readNPYHeader(br, name)
	if err != nil {
		return nil, err
	}
	return npyImages(br, name, h)
}

// npyImages reads the data of the image array that header h describes
// (ReadNPYImages).
func npyImages(br *bufio.Reader, name string, h npyHeader) (*Dataset, error) {
	var size int64
	var order binary.ByteOrder = binary.LittleEndian
	switch h.descr {
	case "|u1", "<u1", ">u1":
		size = 1
	case "<f4", "<f8", ">f4", ">f8":
		size = int64(h.descr[2] - '0')
		if h.descr[0] == '>' {
			order = binary.BigEndian
		}
	default:
		return nil, errAt(name, "header", "dtype %q not supported for images: want uint8 ('|u1') pixels or float32/float64 values", h.descr)
	}
	shape := shapeString(h.shape)
	dims := h.shape
	// src[a] is the axis of the file that holds NCHW axis a.
	var src [4]int
	var s ImageShape
	switch len(dims) {
	case 3:
		src = [4]int{0, -1, 1, 2}
	case 4:
		ch1, ch3 := channelAxis(dims[1]), channelAxis(dims[3])
		switch {
		case ch1 && !ch3:
			src = [4]int{0, 1, 2, 3}
		case ch3 && !ch1:
			src = [4]int{0, 3, 1, 2}
		case ch1 && ch3:
			return nil, errAt(name, "header", "shape %s is ambiguous: axes 1 and 3 both have 1, 3 or 4 elements, so it could be N×C×H×W or N×H×W×C (images this narrow cannot be told apart: resample them, or save one channel as N×H×W)", shape)
		default:
			return nil, errAt(name, "header", "shape %s has no channel axis: want N×C×H×W or N×H×W×C with C = 1, 3 or 4", shape)
		}
	default:
		return nil, errAt(name, "header", "%d-D array of shape %s: want images as N×H×W, N×C×H×W or N×H×W×C", len(dims), shape)
	}
	total := int64(1)
	for _, d := range dims {
		if d == 0 {
			return nil, errAt(name, "header", "empty array of shape %s", shape)
		}
		if d > math.MaxInt32 || total > (1<<39)/size/d { // at most 2^39 bytes of data
			return nil, errAt(name, "header", "shape %s is too large", shape)
		}
		total *= d
	}
	n := int(dims[0])
	s.C, s.H, s.W = 1, int(dims[src[2]]), int(dims[src[3]])
	if src[1] >= 0 {
		s.C = int(dims[src[1]])
	}
	if s.H > MaxImageSide || s.W > MaxImageSide {
		return nil, errAt(name, "header", "shape %s: images %d pixels wide and %d high, want sides up to %d", shape, s.W, s.H, MaxImageSide)
	}
	raw, err := readNPYData(br, name, shape, h.descr, total*size)
	if err != nil {
		return nil, err
	}
	// stride[a] is the step in the file between neighbours along axis a.
	stride := make([]int, len(dims))
	step := 1
	for k := range dims {
		a := len(dims) - 1 - k // C order: the last axis varies fastest
		if h.fortran {
			a = k
		}
		stride[a] = step
		step *= int(dims[a])
	}
	axisStride := func(a int) int {
		if src[a] < 0 {
			return 0
		}
		return stride[src[a]]
	}
	sn, sc, sy, sx := axisStride(0), axisStride(1), axisStride(2), axisStride(3)
	d := &Dataset{Name: name, Dim: s.Dim(), X: make([]float32, n*s.Dim())}
	if size == 1 {
		d.Norm = PixelNorm(s)
	} else {
		d.Norm = Identity()
		d.Norm.Shape = s.RowShape()
	}
	lut := pixelTable()
	k := 0
	for i := 0; i < n; i++ {
		for c := 0; c < s.C; c++ {
			for y := 0; y < s.H; y++ {
				for x := 0; x < s.W; x++ {
					e := i*sn + c*sc + y*sy + x*sx
					var v float64
					switch size {
					case 1:
						d.X[k] = lut[raw[e]]
						k++
						continue
					case 4:
						v = float64(math.Float32frombits(order.Uint32(raw[4*e:])))
					default:
						v = math.Float64frombits(order.Uint64(raw[8*e:]))
					}
					if math.IsNaN(v) || math.IsInf(v, 0) {
						return nil, errAt(name, fmt.Sprintf("element %d (image %d, channel %d, row %d, column %d)", e, i, c, y, x), "non-finite value %g", v)
					}
					if math.IsInf(float64(float32(v)), 0) {
						return nil, errAt(name, fmt.Sprintf("element %d (image %d, channel %d, row %d, column %d)", e, i, c, y, x), "%g is outside the float32 range", v)
					}
					d.X[k] = float32(v)
					k++
				}
			}
		}
	}
	return d, nil
}

// channelAxis reports whether an axis of n elements can hold channels
// (grey, RGB or RGBA).
func channelAxis(n int64) bool { return n == 1 || n == 3 || n == 4 }
