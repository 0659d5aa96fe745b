package ckpt

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"math"
	"slices"
	"strings"

	"github.com/gebm/gebm/shared/nn"
)

// Magic opens every model file.
const Magic = "GEBM\x89\r\n\x1a"

// Version is the format version this package writes and reads.
const Version = 1

// Limits on what a file may declare; a file beyond them is refused before
// anything is allocated for it.
const (
	MaxHeader  = 1 << 20
	MaxTensors = 4096
)

const prefixLen = 16 // magic, version, header length

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Tensor name prefixes: the base's and the energy's parameters and state,
// and the optimiser state kept for resuming.
const (
	PrefixBase   = "base/"
	PrefixEnergy = "energy/"
	PrefixOpt    = "opt/"
)

// NameA names the scalar A in optimiser-state tensor names
// ("opt/A.adam_m"); A itself is stored in the header.
const NameA = "A"

// Encode writes a model file. The header's Tensors list is filled from
// tensors; the file is validated as Decode would, so that a file written is
// a file that reads.
func Encode(h Header, tensors []Tensor) ([]byte, error) {
	h.Tensors = h.Tensors[:0:0]
	total := 0
	for _, t := range tensors {
		if n := shapeSize(t.Shape); n != len(t.Data) {
			return nil, fmt.Errorf("ckpt: tensor %s: shape %v holds %d values, got %d", t.Name, t.Shape, n, len(t.Data))
		}
		h.Tensors = append(h.Tensors, TensorInfo{Name: t.Name, Shape: t.Shape})
		total += len(t.Data)
	}
	js, err := json.Marshal(h)
	if err != nil {
		return nil, fmt.Errorf("ckpt: encoding header: %w", err)
	}
	if len(js) > MaxHeader {
		return nil, fmt.Errorf("ckpt: header of %d bytes exceeds %d", len(js), MaxHeader)
	}
	buf := make([]byte, 0, prefixLen+len(js)+4*total+4)
	buf = append(buf, Magic...)
	buf = binary.LittleEndian.AppendUint32(buf, Version)
	buf = binary.LittleEndian.AppendUint32(buf, uint32(len(js)))
	buf = append(buf, js...)
	for _, t := range tensors {
		for _, v := range t.Data {
			buf = binary.LittleEndian.AppendUint32(buf, math.Float32bits(v))
		}
	}
	buf = binary.LittleEndian.AppendUint32(buf, crc32.Checksum(buf, castagnoli))
	if _, err := Decode(buf); err != nil {
		return nil, fmt.Errorf("ckpt: refusing to write an invalid file: %w", err)
	}
	return buf, nil
}

// Decode reads and validates a model file. Every error says what is wrong
// with the file; no input makes it panic or allocate more than the input's
// size.
func Decode(b []byte) (*File, error) {
	if len(b) < prefixLen+4 {
		if len(b) >= len(Magic) && string(b[:len(Magic)]) != Magic || len(b) < len(Magic) && !strings.HasPrefix(Magic, string(b)) {
			return nil, errors.New("not a gebm model file (wrong magic bytes)")
		}
		return nil, fmt.Errorf("model file truncated: %d bytes, a model file has at least %d", len(b), prefixLen+4)
	}
	if string(b[:len(Magic)]) != Magic {
		return nil, errors.New("not a gebm model file (wrong magic bytes)")
	}
	if v := binary.LittleEndian.Uint32(b[8:]); v != Version {
		return nil, fmt.Errorf("model file format version %d is not supported (this gebm reads version %d)", v, Version)
	}
	hlen := binary.LittleEndian.Uint32(b[12:])
	if hlen > MaxHeader {
		return nil, fmt.Errorf("model file header declares %d bytes, more than the limit %d", hlen, MaxHeader)
	}
	if int(hlen) > len(b)-prefixLen-4 {
		return nil, fmt.Errorf("model file truncated: header declares %d bytes, only %d follow", hlen, len(b)-prefixLen-4)
	}
	body := b[prefixLen+int(hlen) : len(b)-4]
	sumOK := crc32.Checksum(b[:len(b)-4], castagnoli) == binary.LittleEndian.Uint32(b[len(b)-4:])

	var h Header
	dec := json.NewDecoder(bytes.NewReader(b[prefixLen : prefixLen+int(hlen)]))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&h); err != nil {
		if !sumOK {
			return nil, errors.New("model file corrupt: checksum mismatch")
		}
		return nil, fmt.Errorf("model file header: %v", err)
	}
	total, err := tensorTotal(h.Tensors)
	if err != nil {
		return nil, err
	}
	if total != len(body)/4 || len(body)%4 != 0 {
		if total > len(body)/4 {
			return nil, fmt.Errorf("model file truncated: header declares %d tensor values (%d bytes), %d bytes present", total, 4*total, len(body))
		}
		return nil, fmt.Errorf("model file corrupt: %d bytes of tensor data where the header declares %d", len(body), 4*total)
	}
	if !sumOK {
		return nil, errors.New("model file corrupt: checksum mismatch")
	}
	if err := h.validate(); err != nil {
		return nil, err
	}
	f := &File{Header: h, tensors: make(map[string][]float32, len(h.Tensors))}
	off := 0
	for _, ti := range h.Tensors {
		if _, dup := f.tensors[ti.Name]; dup {
			return nil, fmt.Errorf("model file: tensor %q appears twice", ti.Name)
		}
		n := shapeSize(ti.Shape)
		data := make([]float32, n)
		for i := range data {
			v := math.Float32frombits(binary.LittleEndian.Uint32(body[4*(off+i):]))
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				return nil, fmt.Errorf("model file: tensor %s has a non-finite value (%v) at index %d", ti.Name, v, i)
			}
			data[i] = v
		}
		off += n
		f.tensors[ti.Name] = data
	}
	if err := f.checkArchitecture(); err != nil {
		return nil, err
	}
	return f, nil
}

// tensorTotal sums the tensors' sizes, refusing absurd shapes before any
// arithmetic can overflow.
func tensorTotal(ts []TensorInfo) (int, error) {
	if len(ts) > MaxTensors {
		return 0, fmt.Errorf("model file declares %d tensors, more than %d", len(ts), MaxTensors)
	}
	total := 0
	for _, t := range ts {
		if len(t.Shape) == 0 || len(t.Shape) > 4 {
			return 0, fmt.Errorf("model file: tensor %q has rank %d (1 to 4 allowed)", t.Name, len(t.Shape))
		}
		n := 1
		for _, s := range t.Shape {
			if s < 1 || s > nn.MaxParams {
				return 0, fmt.Errorf("model file: tensor %q has dimension %d", t.Name, s)
			}
			n *= s
			if n > nn.MaxParams {
				return 0, fmt.Errorf("model file: tensor %q declares more than %d values", t.Name, nn.MaxParams)
			}
		}
		total += n
		if total > 4*nn.MaxParams {
			return 0, fmt.Errorf("model file declares more than %d tensor values", 4*nn.MaxParams)
		}
	}
	return total, nil
}

func shapeSize(shape []int) int {
	n := 1
	for _, s := range shape {
		n *= s
	}
	return n
}

// validate checks the header's architecture and data description.
func (h *Header) validate() error {
	if err := h.Base.Validate(); err != nil {
		return fmt.Errorf("model file: base: %w", err)
	}
	if err := h.Energy.Validate(); err != nil {
		return fmt.Errorf("model file: energy: %w", err)
	}
	switch {
	case h.Latent < 1 || h.Latent > nn.MaxDim:
		return fmt.Errorf("model file: latent size %d out of range", h.Latent)
	case h.Base.In() != h.Latent:
		return fmt.Errorf("model file: base takes %d inputs but the latent size is %d", h.Base.In(), h.Latent)
	case h.Data.Dim < 1 || h.Base.Out() != h.Data.Dim:
		return fmt.Errorf("model file: base gives %d outputs but the data dimension is %d", h.Base.Out(), h.Data.Dim)
	case h.Energy.In() != h.Data.Dim:
		return fmt.Errorf("model file: energy takes %d inputs but the data dimension is %d", h.Energy.In(), h.Data.Dim)
	case h.Energy.Out() != 1:
		return fmt.Errorf("model file: energy gives %d outputs, must give 1", h.Energy.Out())
	case math.IsNaN(h.A) || math.IsInf(h.A, 0):
		return fmt.Errorf("model file: A = %v is not finite", h.A)
	case !(h.Data.Scale != 0) || math.IsInf(h.Data.Scale, 0) || math.IsNaN(h.Data.Offset) || math.IsInf(h.Data.Offset, 0):
		return fmt.Errorf("model file: data normalisation scale %v offset %v invalid", h.Data.Scale, h.Data.Offset)
	}
	if len(h.Data.Shape) > 0 && shapeSize(h.Data.Shape) != h.Data.Dim {
		return fmt.Errorf("model file: data shape %v does not hold %d values", h.Data.Shape, h.Data.Dim)
	}
	return nil
}

// checkArchitecture requires exactly the tensors that base and energy need,
// with the shapes their specs give, plus, with Resume, the optimiser's
// moments for every trainable parameter.
func (f *File) checkArchitecture() error {
	want := map[string][]int{}
	var trainable []string
	for _, part := range []struct {
		prefix string
		spec   nn.Spec
	}{{PrefixBase, f.Base}, {PrefixEnergy, f.Energy}} {
		for _, t := range part.spec.Tensors() {
			want[part.prefix+t.Name] = t.Shape
			if t.Trainable {
				trainable = append(trainable, part.prefix+t.Name)
			}
		}
	}
	if f.Resume != nil {
		trainable = append(trainable, NameA)
		want[NameA] = []int{1}
		for _, name := range trainable {
			want[PrefixOpt+name+".adam_m"] = want[name]
			want[PrefixOpt+name+".adam_v"] = want[name]
		}
	}
	for _, t := range f.Tensors {
		shape, ok := want[t.Name]
		if !ok {
			return fmt.Errorf("model file: unexpected tensor %q for this architecture", t.Name)
		}
		if !slices.Equal(shape, t.Shape) {
			return fmt.Errorf("model file: tensor %s has shape %v, the architecture needs %v", t.Name, t.Shape, shape)
		}
	}
	delete(want, NameA) // A lives in the header; only its optimiser state is a tensor
	for name := range want {
		if _, ok := f.tensors[name]; !ok {
			return fmt.Errorf("model file: tensor %s missing", name)
		}
	}
	return nil
}

// Tensor returns the values of the named tensor (nil if absent).
func (f *File) Tensor(name string) []float32 { return f.tensors[name] }
