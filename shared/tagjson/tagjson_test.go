package tagjson_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/gebm/gebm/shared/ckpt"
	"github.com/gebm/gebm/shared/nn"
	"github.com/gebm/gebm/shared/tagjson"
	"github.com/gebm/gebm/shared/train"
)

// kinds is a header-like struct with every kind the codec handles.
type kinds struct {
	B     bool              `json:"b"`
	I     int               `json:"i,omitempty"`
	I8    int8              `json:"i8"`
	I64   int64             `json:"i64"`
	U     uint              `json:"u"`
	U16   uint16            `json:"u16,omitempty"`
	U64   uint64            `json:"u64"`
	F32   float32           `json:"f32"`
	F64   float64           `json:"f64,omitempty"`
	S     string            `json:"s"`
	K     nn.Kind           `json:"k"`
	Raw   []byte            `json:"raw"`
	Ints  []int             `json:"ints,omitempty"`
	Fs    []float64         `json:"fs"`
	M     map[string]string `json:"m,omitempty"`
	MI    map[string]int64  `json:"mi"`
	P     *kinds            `json:"p,omitempty"`
	PI    *int              `json:"pi"`
	Sub   []ckpt.TensorInfo `json:"sub"`
	NoTag int
	Skip  int `json:"-"`
	lower int
}

var specialStrings = []string{"", "plain", `q"uote\back`, "<a href=x>&amp;</a>", "tab\tnl\ncr\rbs\bff\f\x00\x01\x1f\x7f",
	"é ü 日本 🙂", "\u2028\u2029", "bad utf8 \xff\xfe \xc3", "/slash/", "mnist"}

var specialFloats = []float64{0, math.Copysign(0, -1), 1, -1.5, 0.1, 1e-6, 9.99e-7, 1e-7, 1e20, 1e21, 123456789e15,
	math.SmallestNonzeroFloat64, math.MaxFloat64, -math.MaxFloat32, 1.0 / 3, 2.5e-308, 5e-324}

func randString(r *rand.Rand) string {
	if r.IntN(2) == 0 {
		return specialStrings[r.IntN(len(specialStrings))]
	}
	b := make([]byte, r.IntN(12))
	for i := range b {
		b[i] = byte(r.IntN(256))
	}
	return string(b)
}

func randFloat(r *rand.Rand) float64 {
	switch r.IntN(3) {
	case 0:
		return specialFloats[r.IntN(len(specialFloats))]
	case 1:
		return r.NormFloat64() * math.Pow(10, float64(r.IntN(60)-30))
	}
	return math.Float64frombits(r.Uint64()&^(0x7ff<<52) | uint64(r.IntN(0x7ff))<<52) // finite
}

func randKinds(r *rand.Rand, depth int) kinds {
	k := kinds{B: r.IntN(2) == 0, I: r.IntN(3) - 1, I8: int8(r.Int32()), I64: int64(r.Uint64()), U: uint(r.Uint64()),
		U16: uint16(r.IntN(3)), U64: r.Uint64(), F32: float32(randFloat(r)), F64: randFloat(r), S: randString(r),
		K: nn.Kind(randString(r)), NoTag: r.IntN(9), Skip: r.IntN(9), lower: r.IntN(9)}
	if r.IntN(3) > 0 {
		k.Raw = []byte(randString(r))
	}
	if r.IntN(3) > 0 {
		k.Ints = make([]int, r.IntN(4))
		for i := range k.Ints {
			k.Ints[i] = int(r.Int64()) - math.MaxInt64/2
		}
	}
	if r.IntN(3) > 0 {
		k.Fs = make([]float64, r.IntN(4))
		for i := range k.Fs {
			k.Fs[i] = randFloat(r)
		}
	}
	if r.IntN(3) > 0 {
		k.M = map[string]string{}
		for range r.IntN(4) {
			k.M[randString(r)] = randString(r)
		}
	}
	if r.IntN(3) > 0 {
		k.MI = map[string]int64{}
		for range r.IntN(4) {
			k.MI[randString(r)] = int64(r.Uint64())
		}
	}
	if depth < 2 && r.IntN(2) == 0 {
		p := randKinds(r, depth+1)
		k.P = &p
	}
	if r.IntN(2) == 0 {
		v := r.IntN(100)
		k.PI = &v
	}
	for range r.IntN(3) {
		k.Sub = append(k.Sub, ckpt.TensorInfo{Name: randString(r), Shape: []int{r.IntN(5), r.IntN(5)}})
	}
	return k
}

// realHeaders are model file headers as gebm writes them: a 2-D model's,
// the same with a resume state, and one with options that need escaping.
func realHeaders() []ckpt.Header {
	h := ckpt.Header{
		Base: nn.Spec{Layers: []nn.LayerSpec{{Kind: "dense", In: 2, Out: 16}, {Kind: "relu"}, {Kind: "dense", In: 16, Out: 2}}},
		Energy: nn.Spec{Layers: []nn.LayerSpec{{Kind: "dense", In: 2, Out: 16, SpectralNorm: true},
			{Kind: "leaky_relu", Slope: 0.2}, {Kind: "dense", In: 16, Out: 1, SpectralNorm: true}}},
		Latent: 2, A: -0.3183098861837907,
		Data:     ckpt.DataInfo{Name: "8gaussians", Dim: 2, Scale: 0.35355339059327373, Offset: 0},
		Training: ckpt.Training{Dataset: "8gaussians", Steps: 16000, Seed: 1, Seconds: 186.25, Time: "2026-12-04T05:00:00Z"},
		Tensors:  []ckpt.TensorInfo{{Name: "base/0.weight", Shape: []int{16, 2}}, {Name: "base/0.bias", Shape: []int{16}}},
	}
	h1 := h
	h1.Resume = &ckpt.ResumeState{EnergyAdamStep: 80000, BaseAdamStep: 16000, RNG: []byte{0, 1, 2, 255, 7},
		Schedule: map[string]int64{"z": 1, "a": -2}}
	h2 := h1
	h2.Data.Shape = []int{28, 28}
	h2.Training.Options = map[string]string{"lr": "0.0002", "<b>": "&", "z": "\u2028"}
	return []ckpt.Header{h, h1, h2}
}

// TestMarshalMatchesEncodingJSON: Marshal writes json.Marshal's bytes
// for random values of every kind and for real headers.
func TestMarshalMatchesEncodingJSON(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	check := func(v any) {
		t.Helper()
		want, werr := json.Marshal(v)
		got, gerr := tagjson.Marshal(v)
		if (werr != nil) != (gerr != nil) || !bytes.Equal(got, want) {
			t.Fatalf("tagjson.Marshal(%#v):\n got %s (err %v)\nwant %s (err %v)", v, got, gerr, want, werr)
		}
	}
	for range 3000 {
		check(randKinds(r, 0))
	}
	for _, h := range realHeaders() {
		check(h)
		check(&h)
	}
	for _, f := range specialFloats {
		check(kinds{F64: f, F32: float32(f)})
	}
	for _, bad := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		check(kinds{F64: bad})
	}
	check(map[string]int{"b": 1, "a": 2})
	check([]string(nil))
}

// decodeOracle is what Unmarshal must do: encoding/json's Decoder with
// DisallowUnknownFields, and nothing but white space after the value.
func decodeOracle(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if rest := bytes.TrimLeft(data[dec.InputOffset():], " \t\r\n"); len(rest) > 0 {
		return fmt.Errorf("%d bytes after the value", len(rest))
	}
	return nil
}

// checkDecode compares Unmarshal with the oracle on data, into a Header
// and into kinds: both fail, or both succeed with equal results.
func checkDecode(t *testing.T, data []byte) {
	t.Helper()
	for _, mk := range []func() any{func() any { return new(ckpt.Header) }, func() any { return new(kinds) }} {
		want, got := mk(), mk()
		werr := decodeOracle(data, want)
		gerr := tagjson.Unmarshal(data, got)
		if (werr != nil) != (gerr != nil) {
			t.Fatalf("decoding %q into %T: error %v, encoding/json's %v", data, got, gerr, werr)
		}
		if werr == nil && !reflect.DeepEqual(got, want) {
			t.Fatalf("decoding %q into %T:\n got %#v\nwant %#v", data, got, got, want)
		}
	}
}

var decodeCases = []string{
	`{}`, ` {} `, `{}x`, `{} {}`, ``, ` `, `null`, `[]`, `"x"`, `1`, `{`, `{"latent":1`, `{"latent":1,}`, `{,}`,
	`{"latent":1}`, `{"LATENT":2}`, `{"Latent":3,"latent":4}`, `{"latents":1}`, `{"latent":1.0}`, `{"latent":1e2}`,
	`{"latent":-0}`, `{"latent":01}`, `{"latent":+1}`, `{"latent":.5}`, `{"latent":1.}`, `{"latent":1e}`, `{"latent":-}`,
	`{"latent":99999999999999999999}`, `{"latent":null}`, `{"latent":"1"}`, `{"latent":true}`, `{"latent":[1]}`,
	`{"a":1e400}`, `{"a":-1.5e-320}`, `{"a":2.5E+3}`, `{"a":nul}`, `{"a":nulll}`, `{"a":tru}`,
	`{"data":{"name":"a\u00e9\ud83d\ude42\ud800x\udc00\\\/\b\f\n\r\t\"","dim":2,"shape":[28,28]}}`,
	`{"data":{"name":"\u12"}}`, `{"data":{"name":"\x"}}`, "{\"data\":{\"name\":\"\x01\"}}", "{\"data\":{\"name\":\"\xff\xc3\"}}",
	`{"data":{"shape":null}}`, `{"data":{"shape":[]}}`, `{"data":{"shape":[1,]}}`, `{"data":{"shape":[1 2]}}`, `{"data":null}`,
	`{"training":{"options":{"a":"b","a":"c"},"seed":18446744073709551615}}`, `{"training":{"seed":18446744073709551616}}`,
	`{"training":{"seed":-1}}`, `{"training":{"options":{"a":1}}}`, `{"training":{"options":null}}`,
	`{"resume":{"rng":"AAEC/w==","schedule":{"k":-9223372036854775808}}}`, `{"resume":{"rng":"AAEC/w="}}`, `{"resume":{"rng":"!!"}}`,
	`{"resume":null}`, `{"resume":{}}`, `{"base":{"layers":[{"kind":"dense","in":2,"out":3,"spectral_norm":true}]}}`,
	`{"base":{"layers":[{"kind":"dense","SPECTRAL_NORM":false}]}}`, `{"base":{"layers":[{"kind":"dense","spectral_norm":1}]}}`,
	`{"b":true,"i8":127,"u16":65535,"f32":3.4028235e38,"raw":"","pi":5,"p":{"p":{"s":"deep"}},"NoTag":1,"notag":2}`,
	`{"i8":128}`, `{"u16":65536}`, `{"f32":3.5e38}`, `{"Skip":1}`, `{"lower":1}`, `{"-":1}`, `{"k":"\u212a"}`, `{"\u212a":1}`,
	`{"s":"a` + "\u2028" + `"}`, `{"pi":null}`, `{"p":null}`, `{"p":{"p":null}}`, `{"mi":{"x":1.5}}`, `{"m":{"":""}}`,
	"\t{\r\n\"latent\" : 1 }\n",
	`{"raw":"QQ=="}`, `{"raw":"QQ="}`, `{"raw":"QQ"}`, `{"raw":"QUI="}`, `{"raw":"QUJD"}`, `{"raw":"Q\nQ=\r="}`, `{"raw":"QQ==QQ=="}`,
	`{"raw":"===="}`, `{"raw":"Q==="}`, `{"raw":"QR=="}`, `{"raw":""}`, `{"raw":"\r\n"}`, `{"raw":"QUJ=D"}`, `{"raw":"QU=D"}`,
	`{"raw":"A+/9"}`, `{"raw":"A-_9"}`, `{"raw":"QUJDRA"}`, `{"raw":null}`,
}

// TestUnmarshalMatchesEncodingJSON: Unmarshal agrees with encoding/json
// on hand-made inputs, on real headers and on random values' encodings.
func TestUnmarshalMatchesEncodingJSON(t *testing.T) {
	for _, c := range decodeCases {
		checkDecode(t, []byte(c))
	}
	for _, h := range realHeaders() {
		b, _ := json.Marshal(h)
		checkDecode(t, b)
		checkDecode(t, []byte(strings.ToUpper(string(b))))
	}
	r := rand.New(rand.NewPCG(3, 4))
	for range 2000 {
		b, err := json.Marshal(randKinds(r, 0))
		if err != nil {
			continue
		}
		checkDecode(t, b)
		if len(b) > 2 { // and a cut or a changed byte
			checkDecode(t, b[:r.IntN(len(b))])
			c := bytes.Clone(b)
			const glyphs = "{}[],:\"\\ 0-.eE1tfnu\xff"
			c[r.IntN(len(c))] = glyphs[r.IntN(len(glyphs))]
			checkDecode(t, c)
		}
	}
}

// TestJSONRefusesWhatItDoesNotDo: kinds and tags outside the codec are
// errors, not silent differences from encoding/json.
func TestJSONRefusesWhatItDoesNotDo(t *testing.T) {
	type embeddedPointer struct{ *ckpt.TensorInfo }
	type taggedEmbedded struct {
		ckpt.TensorInfo `json:"t"`
	}
	type sharedName struct {
		ckpt.TensorInfo
		Name string `json:"name"`
	}
	type stringOpt struct {
		N int `json:"n,string"`
	}
	for _, v := range []any{embeddedPointer{}, taggedEmbedded{}, sharedName{}, stringOpt{}, map[int]int{1: 1}, [2]int{}, func() {}} {
		if _, err := tagjson.Marshal(v); err == nil {
			t.Errorf("tagjson.Marshal(%T): no error", v)
		}
	}
	for _, v := range []any{new(embeddedPointer), new(taggedEmbedded), new(sharedName), new(stringOpt)} {
		if err := tagjson.Unmarshal([]byte(`{}`), v); err == nil {
			t.Errorf("Unmarshal into %T: no error", v)
		}
	}
}

// TestTagIsStructTagGet: Tag reads json tags as reflect.StructTag.Get does.
func TestTagIsStructTagGet(t *testing.T) {
	for _, tag := range []reflect.StructTag{``, `json:"a"`, `json:"a,omitempty"`, `json:"-"`, `json:"-,"`, `json:""`,
		`xml:"x" json:"b"`, `json:"c" xml:"y"`, `  json:"d"`, `jsonx:"e"`, `json:`, `json:"unterminated`, `bad json:"f"`,
		`json :"g"`, `a:"1"  json:"h,string"`, `json:"i" json:"j"`} {
		f := reflect.StructField{Name: "F", Tag: tag}
		if got, want := tagjson.Tag(f), tag.Get("json"); got != want {
			t.Errorf("Tag(%q) = %q, want %q", tag, got, want)
		}
	}
	typ := reflect.TypeFor[kinds]()
	for i := range typ.NumField() {
		if f := typ.Field(i); tagjson.Tag(f) != f.Tag.Get("json") {
			t.Errorf("Tag of %s: %q, want %q", f.Name, tagjson.Tag(f), f.Tag.Get("json"))
		}
	}
}

// FuzzUnmarshal: on any input Unmarshal agrees with encoding/json.
func FuzzUnmarshal(f *testing.F) {
	for _, c := range decodeCases {
		f.Add([]byte(c))
	}
	f.Fuzz(func(t *testing.T, data []byte) { checkDecode(t, data) })
}

// promoted embeds an untagged struct, whose fields encoding/json promotes
// into the outer object in the embedded field's place.
type promoted struct {
	First int `json:"first"`
	inner
	ckpt.TensorInfo
	Last float64 `json:"last,omitempty"`
}

type inner struct {
	X    int `json:"x"`
	Deep struct {
		Y string `json:"y"`
	} `json:"deep"`
	Z []int `json:"z,omitempty"`
}

// TestEmbeddedStructsMatchEncodingJSON: promoted fields are written and
// read where and as encoding/json writes and reads them, for hand-made
// values, the WebAssembly trainer's options (train.Options embeds
// backend.Config) and inputs that name promoted fields, cut or misspell them.
func TestEmbeddedStructsMatchEncodingJSON(t *testing.T) {
	p := promoted{First: 1, Last: 2.5}
	p.X, p.Deep.Y, p.Z, p.Name, p.Shape = 3, "deep", []int{4}, "w", []int{2, 2}
	values := []any{p, promoted{}, train.Defaults("8gaussians"), train.Defaults("mnist")}
	for _, v := range values {
		want, werr := json.Marshal(v)
		got, gerr := tagjson.Marshal(v)
		if werr != nil || gerr != nil || !bytes.Equal(got, want) {
			t.Fatalf("tagjson.Marshal(%#v):\n got %s (err %v)\nwant %s (err %v)", v, got, gerr, want, werr)
		}
	}
	inputs := []string{`{"first":1,"x":2,"deep":{"y":"a"},"name":"n","shape":[1],"last":3}`, `{"X":2,"NAME":"n"}`,
		`{"inner":{}}`, `{"TensorInfo":{}}`, `{"x":"2"}`, `{"deep":{"y":1}}`, `{"first":1,"x":2`,
		`{"lr-energy":0.01,"gp":0.5,"batch":64,"steps":10,"base-hidden":[8,8]}`, `{"cudagemm":"x"}`, `{"CUDAGemm":"x"}`,
		`{"batch":-1.5}`, `{"Config":{}}`, `{"final-lr-scale":1,"Batch":3}`}
	for _, in := range inputs {
		for _, mk := range []func() any{func() any { return new(promoted) }, func() any { o := train.Defaults("rings"); return &o }} {
			want, got := mk(), mk()
			werr := decodeOracle([]byte(in), want)
			gerr := tagjson.Unmarshal([]byte(in), got)
			if (werr != nil) != (gerr != nil) || werr == nil && !reflect.DeepEqual(got, want) {
				t.Fatalf("decoding %s into %T: got %+v (err %v), encoding/json %+v (err %v)", in, got, got, gerr, want, werr)
			}
		}
	}
}
