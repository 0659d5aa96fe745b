package ckpt

import (
	"encoding/binary"
	"hash/crc32"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gebm/gebm/shared/nn"
)

// sampleFile builds a small valid model: base 2→4→3 with spectral norm on
// the energy 3→5→1, with or without resume state.
func sampleFile(t testing.TB, resume bool) (Header, []Tensor) {
	rng := rand.New(rand.NewPCG(1, 2))
	h := Header{
		Base:   nn.MLP(2, []int{4}, 3, nn.Activation(nn.KindReLU, 0), "", false),
		Energy: nn.MLP(3, []int{5}, 1, nn.Activation(nn.KindLeakyReLU, 0.2), "", true),
		Latent: 2,
		Data:   DataInfo{Name: "toy", Dim: 3, Scale: 1},
		A:      -0.25,
		Training: Training{Dataset: "toy", Steps: 10, Seed: 7, Time: "2026-11-30T12:00:00Z",
			Options: map[string]string{"gp": "1"}},
	}
	var ts []Tensor
	var trainable []Tensor
	for _, part := range []struct {
		prefix string
		spec   nn.Spec
	}{{PrefixBase, h.Base}, {PrefixEnergy, h.Energy}} {
		net, err := nn.New(part.spec, rng)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range net.Params() {
			tt := Tensor{Name: part.prefix + p.Name, Shape: p.Shape, Data: p.Value}
			ts = append(ts, tt)
			trainable = append(trainable, tt)
		}
		for _, p := range net.State() {
			ts = append(ts, Tensor{Name: part.prefix + p.Name, Shape: p.Shape, Data: p.Value})
		}
	}
	if resume {
		h.Resume = &ResumeState{EnergyAdamStep: 3, BaseAdamStep: 1, RNG: []byte{1, 2, 3}, Schedule: map[string]int64{"iter": 4}}
		trainable = append(trainable, Tensor{Name: NameA, Shape: []int{1}, Data: []float32{0}})
		for _, tt := range trainable {
			ts = append(ts, Tensor{Name: PrefixOpt + tt.Name + ".adam_m", Shape: tt.Shape, Data: make([]float32, len(tt.Data))},
				Tensor{Name: PrefixOpt + tt.Name + ".adam_v", Shape: tt.Shape, Data: make([]float32, len(tt.Data))})
		}
	}
	return h, ts
}

func TestRoundTrip(t *testing.T) {
	for _, resume := range []bool{false, true} {
		h, ts := sampleFile(t, resume)
		b, err := Encode(h, ts)
		if err != nil {
			t.Fatal(err)
		}
		f, err := Decode(b)
		if err != nil {
			t.Fatal(err)
		}
		if f.A != h.A || f.Latent != 2 || f.Training.Seed != 7 || f.Training.Options["gp"] != "1" {
			t.Fatalf("header changed: %+v", f.Header)
		}
		if resume && (f.Resume == nil || f.Resume.EnergyAdamStep != 3 || string(f.Resume.RNG) != "\x01\x02\x03" || f.Resume.Schedule["iter"] != 4) {
			t.Fatalf("resume state changed: %+v", f.Resume)
		}
		for _, tt := range ts {
			got := f.Tensor(tt.Name)
			if len(got) != len(tt.Data) {
				t.Fatalf("%s: %d values, want %d", tt.Name, len(got), len(tt.Data))
			}
			for i := range got {
				if math.Float32bits(got[i]) != math.Float32bits(tt.Data[i]) {
					t.Fatalf("%s[%d] changed", tt.Name, i)
				}
			}
		}
	}
}

// reseal recomputes the checksum after a deliberate edit, so that the
// reader's later checks (not only the checksum) are exercised.
func reseal(b []byte) []byte {
	binary.LittleEndian.PutUint32(b[len(b)-4:], crc32.Checksum(b[:len(b)-4], castagnoli))
	return b
}

// withHeader re-encodes a file with an edited JSON header, resealed.
func withHeader(t *testing.T, b []byte, edit func(string) string) []byte {
	hlen := binary.LittleEndian.Uint32(b[12:])
	js := edit(string(b[16 : 16+hlen]))
	out := append([]byte{}, b[:12]...)
	out = binary.LittleEndian.AppendUint32(out, uint32(len(js)))
	out = append(out, js...)
	out = append(out, b[16+hlen:]...)
	return reseal(out)
}

func TestDecodeErrors(t *testing.T) {
	h, ts := sampleFile(t, false)
	good, err := Encode(h, ts)
	if err != nil {
		t.Fatal(err)
	}
	cp := func() []byte { return append([]byte{}, good...) }
	cases := []struct {
		name string
		b    []byte
		want string
	}{
		{"empty", nil, "truncated"},
		{"short", good[:10], "truncated"},
		{"wrong magic", append([]byte("PK\x03\x04"), good[4:]...), "magic"},
		{"text", []byte("hello, this is not a model file at all"), "magic"},
		{"future version", func() []byte { b := cp(); b[8] = 9; return reseal(b) }(), "version 9"},
		{"huge header", func() []byte { b := cp(); binary.LittleEndian.PutUint32(b[12:], 1<<30); return b }(), "more than the limit"},
		{"header past end", func() []byte { b := cp(); binary.LittleEndian.PutUint32(b[12:], uint32(len(b))); return b }(), "truncated"},
		{"truncated tensors", good[:len(good)-40], "truncated"},
		{"flipped bit", func() []byte { b := cp(); b[len(b)-10] ^= 1; return b }(), "checksum"},
		{"bad json", withHeader(t, good, func(s string) string { return s[:len(s)-1] }), "header"},
		{"unknown field", withHeader(t, good, func(s string) string { return strings.Replace(s, `"latent"`, `"latents"`, 1) }), "header"},
		{"huge shape", withHeader(t, good, func(s string) string { return strings.Replace(s, `"shape":[4,2]`, `"shape":[100000000,100000000]`, 1) }), "declares more than"},
		{"shape disagrees", withHeader(t, good, func(s string) string { return strings.Replace(s, `"shape":[4,2]`, `"shape":[2,4]`, 1) }), "architecture needs"},
		{"latent mismatch", withHeader(t, good, func(s string) string { return strings.Replace(s, `"latent":2`, `"latent":3`, 1) }), "latent size"},
		{"nan weight", func() []byte {
			b := cp()
			hlen := binary.LittleEndian.Uint32(b[12:])
			binary.LittleEndian.PutUint32(b[16+hlen:], math.Float32bits(float32(math.NaN())))
			return reseal(b)
		}(), "non-finite"},
		{"missing tensor", func() []byte {
			h2, ts2 := sampleFile(t, false)
			b, _ := encodeUnchecked(h2, ts2[1:])
			return b
		}(), "missing"},
	}
	for _, c := range cases {
		_, err := Decode(c.b)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one mentioning %q", c.name, err, c.want)
		}
	}
}

// encodeUnchecked writes a file without Encode's final validation, to build
// inputs that only the reader must refuse.
func encodeUnchecked(h Header, ts []Tensor) ([]byte, error) {
	saved := ts
	h.Tensors = nil
	for _, t := range saved {
		h.Tensors = append(h.Tensors, TensorInfo{Name: t.Name, Shape: t.Shape})
	}
	var body []byte
	for _, t := range saved {
		for _, v := range t.Data {
			body = binary.LittleEndian.AppendUint32(body, math.Float32bits(v))
		}
	}
	js, err := jsonMarshal(h)
	if err != nil {
		return nil, err
	}
	b := append([]byte(Magic), 0, 0, 0, 0, 0, 0, 0, 0)
	binary.LittleEndian.PutUint32(b[8:], Version)
	binary.LittleEndian.PutUint32(b[12:], uint32(len(js)))
	b = append(append(b, js...), body...)
	b = append(b, 0, 0, 0, 0)
	return reseal(b), nil
}

func TestEncodeRefusesInvalid(t *testing.T) {
	h, ts := sampleFile(t, false)
	ts[0].Data = ts[0].Data[:1]
	if _, err := Encode(h, ts); err == nil {
		t.Fatal("Encode accepted a tensor whose data disagrees with its shape")
	}
	h, ts = sampleFile(t, false)
	if _, err := Encode(h, ts[2:]); err == nil {
		t.Fatal("Encode accepted a file with missing tensors")
	}
}

// FuzzDecode: no input panics or hangs; whatever decodes re-encodes to a
// file that decodes to the same header. The seed corpus in
// testdata/fuzz/FuzzDecode holds valid files and mutations of them.
func FuzzDecode(f *testing.F) {
	for _, resume := range []bool{false, true} {
		h, ts := sampleFile(f, resume)
		b, err := Encode(h, ts)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		file, err := Decode(b)
		if err != nil {
			return
		}
		var ts []Tensor
		for _, ti := range file.Tensors {
			ts = append(ts, Tensor{Name: ti.Name, Shape: ti.Shape, Data: file.Tensor(ti.Name)})
		}
		again, err := Encode(file.Header, ts)
		if err != nil {
			t.Fatalf("a decoded file does not re-encode: %v", err)
		}
		if _, err := Decode(again); err != nil {
			t.Fatalf("a re-encoded file does not decode: %v", err)
		}
	})
}

// TestSeedCorpusIsCurrent checks that the committed seed corpus of
// FuzzDecode is what the current encoder makes of the sample file (valid,
// truncated, bad checksum, magic only, edited header), so that the fuzzer
// starts from files of today's format; GEBM_WRITE_CORPUS=1 rewrites it.
func TestSeedCorpusIsCurrent(t *testing.T) {
	dir := filepath.Join("testdata", "fuzz", "FuzzDecode")
	h, ts := sampleFile(t, true)
	good, err := Encode(h, ts)
	if err != nil {
		t.Fatal(err)
	}
	inputs := map[string][]byte{
		"valid_resume":  good,
		"truncated":     good[:len(good)/2],
		"bad_checksum":  append(append([]byte{}, good[:len(good)-1]...), good[len(good)-1]^0xff),
		"magic_only":    []byte(Magic),
		"header_edited": withHeader(t, good, func(s string) string { return strings.Replace(s, `"latent":2`, `"latent":9`, 1) }),
	}
	write := os.Getenv("GEBM_WRITE_CORPUS") == "1"
	for name, b := range inputs {
		content := "go test fuzz v1\n[]byte(" + quoteBytes(b) + ")\n"
		path := filepath.Join(dir, name)
		if write {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		have, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (GEBM_WRITE_CORPUS=1 go test -run SeedCorpus ./shared/ckpt/ writes it)", err)
		}
		if string(have) != content {
			t.Errorf("%s is stale: GEBM_WRITE_CORPUS=1 go test -run SeedCorpus ./shared/ckpt/ rewrites it", path)
		}
	}
}

// FuzzDecodeResealed fuzzes past the checksum: each input gets a correct
// CRC before decoding, so that the fuzzer explores the header and tensor
// checks rather than being stopped by the checksum.
func FuzzDecodeResealed(f *testing.F) {
	h, ts := sampleFile(f, true)
	b, err := Encode(h, ts)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) >= 4 {
			b = reseal(append([]byte{}, b...))
		}
		file, err := Decode(b)
		if err != nil {
			return
		}
		if err := file.validate(); err != nil {
			t.Fatalf("decoded a file whose header is invalid: %v", err)
		}
	})
}
