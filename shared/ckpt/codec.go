package ckpt

import (
	"fmt"
	"hash/crc32"
	"math"
	"slices"
	"strings"

	"github.com/gebm/gebm/shared/nn"
)

// Magic opens every model file.
const Magic = "GEBM\x89\r\n\x1a"

// Version is the newest format version this package writes and reads; it
// reads every version from 1.
//
//   - 1: linear, leakyrelu, relu, tanh, sigmoid, floor and coupling layers
//     (v1Kinds).
//   - 2: the same layout, and any registered layer kind (the convolutions
//     and batch normalisation came with it).
//
// Encode writes the oldest version that can hold the model, so a model of
// version 1's kinds stays readable by a gebm that reads version 1 only,
// while that gebm refuses a model it cannot run by its version ("format
// version 2 is not supported") rather than by a kind it has never heard of.
const Version = 2

// v1Kinds are the layer kinds a version 1 file may hold: those gebm had
// when version 2 came. Never add to it.
var v1Kinds = []nn.Kind{nn.KindLinear, nn.KindLeakyReLU, nn.KindReLU, nn.KindTanh, nn.KindSigmoid, nn.KindFloor, nn.KindCoupling}

// formatVersion is the oldest version that can hold the architectures of h.
func (h *Header) formatVersion() uint32 {
	if h.kindOutside(v1Kinds) == "" {
		return 1
	}
	return 2
}

// kindOutside returns the first layer kind of the base or the energy that
// is not in kinds, or "".
func (h *Header) kindOutside(kinds []nn.Kind) nn.Kind {
	for _, s := range []nn.Spec{h.Base, h.Energy} {
		for _, l := range s.Layers {
			if !slices.Contains(kinds, l.Kind) {
				return l.Kind
			}
		}
	}
	return ""
}

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
	// PrefixAvg names a checkpoint's running mean of the energy's trainable
	// parameters and A during the final phase's averaging (shared/train):
	// "avg/energy/0.weight", "avg/A". Optional: present only inside it.
	PrefixAvg = "avg/"
)

// NameA names the scalar A in optimiser-state tensor names
// ("opt/A.adam_m"); A itself is stored in the header.
const NameA = "A"

// modelFile is the container of model files.
var modelFile = Container{Magic: Magic, Version: Version, Oldest: 1, Noun: "model file"}

// Encode writes a model file. The header's Tensors list is filled from
// tensors; the file is validated as Decode would, so that a file written is
// a file that reads.
func Encode(h Header, tensors []Tensor) ([]byte, error) {
	h.Tensors = h.Tensors[:0:0]
	data := make([][]float32, len(tensors))
	for i, t := range tensors {
		if n := shapeSize(t.Shape); n != len(t.Data) {
			return nil, fmt.Errorf("ckpt: tensor %s: shape %v holds %d values, got %d", t.Name, t.Shape, n, len(t.Data))
		}
		h.Tensors = append(h.Tensors, TensorInfo{Name: t.Name, Shape: t.Shape})
		data[i] = t.Data
	}
	c := modelFile
	c.Version = h.formatVersion()
	buf, err := c.Write(h, data)
	if err != nil {
		return nil, err
	}
	if _, err := Decode(buf); err != nil {
		return nil, fmt.Errorf("ckpt: refusing to write an invalid file: %w", err)
	}
	return buf, nil
}

// Decode reads and validates a model file. Every error says what is wrong
// with the file; no input makes it panic or allocate more than the input's
// size.
func Decode(b []byte) (*File, error) {
	js, body, sumOK, err := modelFile.Open(b)
	if err != nil {
		return nil, err
	}
	var h Header
	if err := modelFile.DecodeHeader(js, sumOK, &h); err != nil {
		return nil, err
	}
	total, err := tensorTotal(h.Tensors)
	if err != nil {
		return nil, err
	}
	if err := modelFile.CheckSize(total, body); err != nil {
		return nil, err
	}
	if !sumOK {
		return nil, modelFile.ChecksumError()
	}
	if err := h.validate(); err != nil {
		return nil, err
	}
	if v := modelFile.FileVersion(b); v == 1 && h.kindOutside(v1Kinds) != "" {
		return nil, fmt.Errorf("model file: layer kind %q needs format version 2, the file says version 1", h.kindOutside(v1Kinds))
	}
	f := &File{Header: h, Version: int(modelFile.FileVersion(b)), tensors: make(map[string][]float32, len(h.Tensors))}
	names := make([]string, len(h.Tensors))
	dst := make([][]float32, len(h.Tensors))
	for i, ti := range h.Tensors {
		if _, dup := f.tensors[ti.Name]; dup {
			return nil, fmt.Errorf("model file: tensor %q appears twice", ti.Name)
		}
		names[i], dst[i] = ti.Name, make([]float32, shapeSize(ti.Shape))
		f.tensors[ti.Name] = dst[i]
	}
	if err := modelFile.ReadTensors(body, names, dst); err != nil {
		return nil, err
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
// moments for every trainable parameter; with Resume it also allows a
// running mean (PrefixAvg) of each of the energy's trainable parameters
// and A.
func (f *File) checkArchitecture() error {
	want := map[string][]int{}
	optional := map[string]bool{}
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
			if name == NameA || strings.HasPrefix(name, PrefixEnergy) {
				want[PrefixAvg+name] = want[name]
				optional[PrefixAvg+name] = true
			}
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
		if _, ok := f.tensors[name]; !ok && !optional[name] {
			return fmt.Errorf("model file: tensor %s missing", name)
		}
	}
	return nil
}

// Tensor returns the values of the named tensor (nil if absent).
func (f *File) Tensor(name string) []float32 { return f.tensors[name] }
