package ckpt

import (
	"bytes"
	"encoding/binary"
	"math"
	"math/rand/v2"
	"os"
	"strings"
	"testing"

	"github.com/gebm/gebm/shared/nn"
)

// TestVersion1File reads a version 1 file written by gebm before version 2
// existed (testdata/README.md): it decodes, says version 1, encodes back to
// the same bytes (a model of version 1's kinds is still written as version
// 1), and its networks compute what they computed when it was written.
func TestVersion1File(t *testing.T) {
	old, err := os.ReadFile("testdata/v1.gebm")
	if err != nil {
		t.Fatal(err)
	}
	f, err := Decode(old)
	if err != nil {
		t.Fatal(err)
	}
	if f.Version != 1 || f.Resume == nil || f.Data.Offset != 0.25 || f.A != -0.75 {
		t.Fatalf("version %d, resume %v, offset %v, A %v", f.Version, f.Resume, f.Data.Offset, f.A)
	}
	var ts []Tensor
	for _, ti := range f.Tensors {
		ts = append(ts, Tensor{Name: ti.Name, Shape: ti.Shape, Data: f.Tensor(ti.Name)})
	}
	again, err := Encode(f.Header, ts)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again, old) {
		t.Fatalf("re-encoding the version 1 file gives other bytes (%d, was %d)", len(again), len(old))
	}
	// Outputs printed when the file was written, for the rows x.
	x := []float32{0.5, -1, 2, 0.25, -0.3, 0.8}
	for _, c := range []struct {
		prefix string
		spec   nn.Spec
		want   []uint32
	}{
		{PrefixBase, f.Base, []uint32{0x3e7e4239, 0xbdaea839, 0xbe05106c, 0x3daed89e, 0xbea6959b, 0x3e830935}},
		{PrefixEnergy, f.Energy, []uint32{0xbe6df9fe, 0xbe969e0e, 0xbe831ae0}},
	} {
		net, err := nn.NewUninitialized(c.spec)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range append(net.Params(), net.State()...) {
			copy(p.Value, f.Tensor(c.prefix+p.Name))
		}
		net.Refresh(0)
		got := net.Forward(x, 3)
		for i, w := range c.want {
			want := math.Float32frombits(w)
			if math.Abs(float64(got[i]-want)) > 1e-6 {
				t.Fatalf("%s output %d: %v, the file's model gave %v when written", c.prefix, i, got[i], want)
			}
		}
	}
}

// TestVersion2: a model with a layer kind that version 1 lacks is written
// as version 2 and reads back; the same bytes labelled version 1 are
// refused by the kind, and versions outside 1..Version by the version.
func TestVersion2(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	h := Header{
		Base: nn.Spec{Layers: []nn.LayerSpec{{Kind: nn.KindLinear, In: 2, Out: 8}, {Kind: nn.KindBatchNorm, Channels: 2},
			{Kind: nn.KindConvTranspose2D, In: 2, Out: 1, Height: 2, Width: 2, Kernel: 2, Stride: 2}}},
		Energy: nn.Spec{Layers: []nn.LayerSpec{{Kind: nn.KindConv2D, In: 1, Out: 2, Height: 4, Width: 4, Kernel: 3, Stride: 2, Padding: 1, SpectralNorm: true},
			{Kind: nn.KindLinear, In: 8, Out: 1}}},
		Latent: 2,
		Data:   DataInfo{Name: "img", Dim: 16, Shape: []int{4, 4}, Scale: 1},
	}
	var ts []Tensor
	for _, part := range []struct {
		prefix string
		spec   nn.Spec
	}{{PrefixBase, h.Base}, {PrefixEnergy, h.Energy}} {
		net, err := nn.New(part.spec, rng)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range append(net.Params(), net.State()...) {
			ts = append(ts, Tensor{Name: part.prefix + p.Name, Shape: p.Shape, Data: p.Value})
		}
	}
	b, err := Encode(h, ts)
	if err != nil {
		t.Fatal(err)
	}
	f, err := Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	if f.Version != 2 || len(f.Tensor("base/1.running_var")) != 2 || len(f.Tensor("energy/0.weight")) != 18 {
		t.Fatalf("version %d, tensors %v", f.Version, f.Tensors)
	}
	for _, c := range []struct {
		version uint32
		want    string
	}{{1, `layer kind "batchnorm" needs format version 2`}, {0, "version 0 is not supported"}, {3, "reads versions 1 to 2"}} {
		v := append([]byte{}, b...)
		binary.LittleEndian.PutUint32(v[8:], c.version)
		if _, err := Decode(reseal(v)); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("version %d: error %v, want one containing %q", c.version, err, c.want)
		}
	}
}
