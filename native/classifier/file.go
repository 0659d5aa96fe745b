package classifier

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"math"
	"time"

	"github.com/gebm/gebm/shared/nn"
)

// Magic opens every classifier file. The layout is that of gebm's model file
// (package ckpt), all integers little-endian:
//
//	offset  size  content
//	0       8     magic "GEBMCLF\x1a"
//	8       4     format version (uint32, 1)
//	12      4     header length H (uint32, at most 1 MiB)
//	16      H     header: JSON (fileHeader: the two architectures, Info, the tensor list)
//	16+H    4·N   tensor data: float32 values of every tensor, in header order
//	end-4   4     CRC-32C (Castagnoli) of every byte before it
const Magic = "GEBMCLF\x1a"

// Version is the format version written and read.
const Version = 1

const maxHeader = 1 << 20

type fileHeader struct {
	Features nn.Spec     `json:"features"`
	Head     nn.Spec     `json:"head"`
	Info     Info        `json:"info"`
	Tensors  []tensorRef `json:"tensors"`
}

type tensorRef struct {
	Name  string `json:"name"`
	Shape []int  `json:"shape"`
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Encode writes the classifier as a file, stamping the time.
func (c *Classifier) Encode() ([]byte, error) {
	c.Info.Time = time.Now().UTC().Format(time.RFC3339)
	h := fileHeader{Features: c.Features.Spec(), Head: c.Head.Spec(), Info: c.Info}
	var vals [][]float32
	for _, grp := range []struct {
		prefix string
		ps     []*nn.Param
	}{{"features/", c.Features.Params()}, {"head/", c.Head.Params()}} {
		for _, p := range grp.ps {
			h.Tensors = append(h.Tensors, tensorRef{Name: grp.prefix + p.Name, Shape: p.Shape})
			vals = append(vals, p.Value)
		}
	}
	js, err := json.Marshal(h)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	buf.WriteString(Magic)
	var u4 [4]byte
	binary.LittleEndian.PutUint32(u4[:], Version)
	buf.Write(u4[:])
	binary.LittleEndian.PutUint32(u4[:], uint32(len(js)))
	buf.Write(u4[:])
	buf.Write(js)
	for _, v := range vals {
		for _, f := range v {
			if math.IsNaN(float64(f)) || math.IsInf(float64(f), 0) {
				return nil, errors.New("classifier: refusing to write a non-finite parameter")
			}
			binary.LittleEndian.PutUint32(u4[:], math.Float32bits(f))
			buf.Write(u4[:])
		}
	}
	binary.LittleEndian.PutUint32(u4[:], crc32.Checksum(buf.Bytes(), castagnoli))
	buf.Write(u4[:])
	return buf.Bytes(), nil
}

// Load reads and checks a classifier file: magic, version, lengths against
// the bytes present (before allocating), checksum, architectures, tensor
// shapes against them, and finite values.
func Load(b []byte) (*Classifier, error) {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("not a valid classifier file: "+format, args...)
	}
	if len(b) < 20 || string(b[:8]) != Magic {
		if len(b) >= 8 && string(b[:4]) == "GEBM" {
			return nil, bad("this is a gebm model file, not a classifier")
		}
		return nil, bad("wrong magic (want %q)", Magic)
	}
	if v := binary.LittleEndian.Uint32(b[8:]); v != Version {
		return nil, bad("format version %d (this gebm reads %d)", v, Version)
	}
	hl := int(binary.LittleEndian.Uint32(b[12:]))
	if hl > maxHeader || 16+hl+4 > len(b) {
		return nil, bad("header length %d does not fit in %d bytes", hl, len(b))
	}
	if got, want := crc32.Checksum(b[:len(b)-4], castagnoli), binary.LittleEndian.Uint32(b[len(b)-4:]); got != want {
		return nil, bad("checksum mismatch (file damaged or truncated)")
	}
	var h fileHeader
	dec := json.NewDecoder(bytes.NewReader(b[16 : 16+hl]))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&h); err != nil {
		return nil, bad("header: %v", err)
	}
	for _, s := range []nn.Spec{h.Features, h.Head} {
		if err := s.Validate(); err != nil {
			return nil, bad("architecture: %v", err)
		}
	}
	if h.Features.Out() != h.Head.In() || h.Head.Out() != h.Info.Classes || h.Features.In() != h.Info.Dim {
		return nil, bad("architecture %d → %d | %d → %d does not match dim %d, classes %d",
			h.Features.In(), h.Features.Out(), h.Head.In(), h.Head.Out(), h.Info.Dim, h.Info.Classes)
	}
	f, err := nn.NewUninitialized(h.Features)
	if err != nil {
		return nil, bad("%v", err)
	}
	hd, err := nn.NewUninitialized(h.Head)
	if err != nil {
		return nil, bad("%v", err)
	}
	var want []tensorRef
	var dst [][]float32
	for _, grp := range []struct {
		prefix string
		ps     []*nn.Param
	}{{"features/", f.Params()}, {"head/", hd.Params()}} {
		for _, p := range grp.ps {
			want = append(want, tensorRef{Name: grp.prefix + p.Name, Shape: p.Shape})
			dst = append(dst, p.Value)
		}
	}
	if len(h.Tensors) != len(want) {
		return nil, bad("%d tensors, the architecture has %d", len(h.Tensors), len(want))
	}
	off := 16 + hl
	for i, t := range h.Tensors {
		if t.Name != want[i].Name || !sameShape(t.Shape, want[i].Shape) {
			return nil, bad("tensor %d is %s %v, want %s %v", i, t.Name, t.Shape, want[i].Name, want[i].Shape)
		}
		n := len(dst[i])
		if off+4*n > len(b)-4 {
			return nil, bad("tensor %s runs past the end of the file", t.Name)
		}
		for j := range dst[i] {
			v := math.Float32frombits(binary.LittleEndian.Uint32(b[off+4*j:]))
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				return nil, bad("tensor %s holds a non-finite value", t.Name)
			}
			dst[i][j] = v
		}
		off += 4 * n
	}
	if off != len(b)-4 {
		return nil, bad("%d bytes after the last tensor", len(b)-4-off)
	}
	f.Refresh(0)
	hd.Refresh(0)
	return &Classifier{Features: f, Head: hd, Info: h.Info}, nil
}

func sameShape(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
