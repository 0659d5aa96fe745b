package classifier

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/gebm/gebm/shared/ckpt"
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

// classifierFile is the container of classifier files.
var classifierFile = ckpt.Container{Magic: Magic, Version: Version, Noun: "classifier file"}

// groups names the two networks' tensors in a file.
var groups = []string{"features/", "head/"}

// Encode writes the classifier as a file, stamping the time.
func (c *Classifier) Encode() ([]byte, error) {
	c.Info.Time = time.Now().UTC().Format(time.RFC3339)
	h := fileHeader{Features: c.Features.Spec(), Head: c.Head.Spec(), Info: c.Info}
	var vals [][]float32
	for g, net := range []*nn.Network{c.Features, c.Head} {
		for _, p := range net.Params() {
			for _, f := range p.Value {
				if math.IsNaN(float64(f)) || math.IsInf(float64(f), 0) {
					return nil, errors.New("classifier: refusing to write a non-finite parameter")
				}
			}
			h.Tensors = append(h.Tensors, tensorRef{Name: groups[g] + p.Name, Shape: p.Shape})
			vals = append(vals, p.Value)
		}
	}
	return classifierFile.Write(h, vals)
}

// Load reads and checks a classifier file: magic, version, lengths against
// the bytes present, checksum, architectures, tensor shapes against them
// (from the specs, before any network is allocated), and finite values.
func Load(b []byte) (*Classifier, error) {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("not a valid classifier file: "+format, args...)
	}
	if len(b) >= 8 && string(b[:8]) == ckpt.Magic {
		return nil, bad("this is a gebm model file, not a classifier")
	}
	js, body, sumOK, err := classifierFile.Open(b)
	if err != nil {
		return nil, bad("%v", err)
	}
	if !sumOK {
		return nil, bad("%v (file damaged or truncated)", classifierFile.ChecksumError())
	}
	var h fileHeader
	if err := classifierFile.DecodeHeader(js, sumOK, &h); err != nil {
		return nil, bad("%v", err)
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
	var want []tensorRef
	total := 0
	for g, spec := range []nn.Spec{h.Features, h.Head} {
		for _, t := range spec.Tensors() {
			if t.Trainable {
				want = append(want, tensorRef{Name: groups[g] + t.Name, Shape: t.Shape})
				total += shapeSize(t.Shape)
			}
		}
	}
	if len(h.Tensors) != len(want) {
		return nil, bad("%d tensors, the architecture has %d", len(h.Tensors), len(want))
	}
	names := make([]string, len(want))
	for i, t := range h.Tensors {
		if t.Name != want[i].Name || !slices.Equal(t.Shape, want[i].Shape) {
			return nil, bad("tensor %d is %s %v, want %s %v", i, t.Name, t.Shape, want[i].Name, want[i].Shape)
		}
		names[i] = t.Name
	}
	if err := classifierFile.CheckSize(total, body); err != nil {
		return nil, bad("%v", err)
	}
	f, err := nn.NewUninitialized(h.Features)
	if err != nil {
		return nil, bad("%v", err)
	}
	hd, err := nn.NewUninitialized(h.Head)
	if err != nil {
		return nil, bad("%v", err)
	}
	var dst [][]float32
	for _, net := range []*nn.Network{f, hd} {
		for _, p := range net.Params() {
			dst = append(dst, p.Value)
		}
	}
	if err := classifierFile.ReadTensors(body, names, dst); err != nil {
		return nil, bad("%v", err)
	}
	f.Refresh(0)
	hd.Refresh(0)
	return &Classifier{Features: f, Head: hd, Info: h.Info}, nil
}

func shapeSize(shape []int) int {
	n := 1
	for _, s := range shape {
		n *= s
	}
	return n
}
