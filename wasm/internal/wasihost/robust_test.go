package wasihost

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/gebm/gebm/shared/model/modeltest"
	"github.com/gebm/gebm/wasm/sampler"
	"github.com/tetratelabs/wazero/api"
)

// TestBadModelFiles: corrupt, truncated and random bytes give a status
// error of kind ErrModel with the same text as natively; the instance stays
// usable, and afterwards still samples exactly as natively.
func TestBadModelFiles(t *testing.T) {
	good := modeltest.File(modeltest.Toy2D(5))
	rng := rand.New(rand.NewPCG(5, 5))
	bad := [][]byte{{}, []byte("GEBM\x89\r\n\x1a"), good[:16], good[:len(good)/3], good[:len(good)-1]}
	for range 10 {
		b := slices.Clone(good)
		b[rng.IntN(len(b))] ^= byte(1 + rng.IntN(255))
		bad = append(bad, b)
	}
	for range 10 {
		b := make([]byte, 1+rng.IntN(4096))
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		bad = append(bad, b)
	}
	in := instance(t)
	s := sampler.New()
	for i, b := range bad {
		_, err := in.Open(b)
		_, nerr := s.Open(b)
		var se *StatusError
		if !errors.As(err, &se) || !errors.Is(err, sampler.ErrModel) {
			t.Fatalf("bad file %d (%d bytes): %v, want a status error of kind ErrModel", i, len(b), err)
		}
		if se.Message != nerr.Error() {
			t.Fatalf("bad file %d: wasm says %q, native %q", i, se.Message, nerr.Error())
		}
	}
	// Still usable, and still exact.
	p := sampler.StepParams{Method: "mala", StepSize: 0.05, Steps: 20}
	mw, err := in.Open(good)
	if err != nil {
		t.Fatal(err)
	}
	ms, _ := s.Open(good)
	cw, err := in.NewChains(mw, 4, 3, 1)
	if err != nil {
		t.Fatal(err)
	}
	cs, _ := s.NewChains(ms, 4, 3, 1)
	if _, err := in.Step(cw, p); err != nil {
		t.Fatal(err)
	}
	s.Step(cs, p)
	zw, _ := in.Latents(cw)
	zs, _ := s.Latents(cs, nil)
	if d := maxDiff(zw, zs); !(d <= tolerance) {
		t.Fatalf("after the bad files, latents differ from native by %g", d)
	}
}

// TestErrorsMatchNative: invalid arguments give the status code of their
// kind and the sampler's own error text, as natively.
func TestErrorsMatchNative(t *testing.T) {
	in := instance(t)
	s := sampler.New()
	file := modeltest.File(modeltest.Toy2D(1))
	mw, _ := in.Open(file)
	ms, _ := s.Open(file)
	cw, _ := in.NewChains(mw, 2, 1, 1)
	cs, _ := s.NewChains(ms, 2, 1, 1)
	if mw != ms || cw != cs {
		t.Fatalf("handles differ: wasm %d, %d; native %d, %d", mw, cw, ms, cs)
	}
	type check struct {
		name         string
		code         int32
		native, wasm error
	}
	var checks []check
	add := func(name string, code int32, native, wasm error) {
		checks = append(checks, check{name, code, native, wasm})
	}
	step := func(p sampler.StepParams) (error, error) {
		_, e1 := s.Step(cs, p)
		_, e2 := in.Step(cw, p)
		return e1, e2
	}
	e1, e2 := step(sampler.StepParams{Method: "nuts", StepSize: 1, Steps: 1})
	add("unknown method", -1, e1, e2)
	e1, e2 = step(sampler.StepParams{Method: "mala", StepSize: math.NaN(), Steps: 1})
	add("NaN step size", -1, e1, e2)
	e1, e2 = step(sampler.StepParams{Method: "hmc", StepSize: 0.1, Steps: 1})
	add("no leapfrog", -1, e1, e2)
	e1, e2 = step(sampler.StepParams{Method: "ula", StepSize: 0.1, Steps: -1})
	add("negative steps", -1, e1, e2)
	_, e1 = s.NewChains(ms, 0, 1, 1)
	_, e2 = in.NewChains(mw, 0, 1, 1)
	add("zero chains", -1, e1, e2)
	_, e1 = s.NewChains(ms, 1<<20, 1, 1)
	_, e2 = in.NewChains(mw, 1<<20, 1, 1)
	add("too many chains", -1, e1, e2)
	_, e1 = s.NewChains(ms, 2, 1, -0.5)
	_, e2 = in.NewChains(mw, 2, 1, -0.5)
	add("negative beta", -1, e1, e2)
	_, e1 = s.NewChains(77, 2, 1, 1)
	_, e2 = in.NewChains(77, 2, 1, 1)
	add("unknown model", -2, e1, e2)
	_, e1 = s.Step(ms, sampler.StepParams{Method: "ula", StepSize: 1, Steps: 1})
	_, e2 = in.Step(mw, sampler.StepParams{Method: "ula", StepSize: 1, Steps: 1})
	add("model as chains", -2, e1, e2)
	e1, e2 = s.SetBeta(cs, math.NaN()), in.SetBeta(cw, math.NaN())
	add("NaN beta", -1, e1, e2)
	_, e1 = s.EnergyGrid(ms, sampler.Grid{XMin: 0, XMax: 1, YMin: 0, YMax: 1, Res: 99999}, nil)
	_, e2 = in.EnergyGrid(mw, sampler.Grid{XMin: 0, XMax: 1, YMin: 0, YMax: 1, Res: 99999})
	add("grid resolution", -1, e1, e2)
	e1, e2 = s.Free(1234), in.Free(1234)
	add("free unknown", -2, e1, e2)
	e1, e2 = s.SetLatents(cs, []float32{1, 2, 3}), in.SetLatents(cw, []float32{1, 2, 3})
	add("latents of the wrong size", -1, e1, e2)
	_, e1 = s.SIR(cs, 0)
	_, e2 = in.SIR(cw, 0)
	add("SIR pool 0", -1, e1, e2)
	_, e1 = s.SIR(cs, 1<<20)
	_, e2 = in.SIR(cw, 1<<20)
	add("SIR pool too large", -1, e1, e2)
	_, e1 = s.SIR(ms, 10)
	_, e2 = in.SIR(mw, 10)
	add("SIR of a model", -2, e1, e2)
	for _, c := range checks {
		var se *StatusError
		if !errors.As(c.wasm, &se) || se.Code != c.code || c.native == nil || se.Message != c.native.Error() {
			t.Errorf("%s: wasm %v; native %v; want status %d with the native text", c.name, c.wasm, c.native, c.code)
		}
	}
}

// TestBufferChecks: the module refuses pointers outside its buffers,
// misaligned pointers, buffers too small and bad sizes, with a status, and
// goes on working.
func TestBufferChecks(t *testing.T) {
	in := instance(t)
	m, err := in.Open(modeltest.File(modeltest.Toy2D(1)))
	if err != nil {
		t.Fatal(err)
	}
	c, err := in.NewChains(m, 4, 1, 1)
	if err != nil {
		t.Fatal(err)
	}
	buf, err := in.buffer(64)
	if err != nil {
		t.Fatal(err)
	}
	ci := api.EncodeI32(int32(c))
	for _, tc := range []struct {
		name     string
		export   string
		params   []uint64
		fragment string
	}{
		{"pointer outside buffers", "latents", []uint64{ci, api.EncodeU32(16), api.EncodeU32(16)}, "not inside a buffer"},
		{"buffer overrun", "latents", []uint64{ci, api.EncodeU32(buf), api.EncodeU32(1 << 20)}, "not inside a buffer"},
		{"misaligned", "latents", []uint64{ci, api.EncodeU32(buf + 2), api.EncodeU32(16)}, "not aligned"},
		{"too small", "latents", []uint64{ci, api.EncodeU32(buf), api.EncodeU32(15)}, "holds 15 values, the result has 16"},
		{"accept misaligned", "accept", []uint64{ci, api.EncodeU32(buf + 4), api.EncodeU32(4)}, "not aligned to 8"},
		{"sir result misaligned", "sir", []uint64{ci, api.EncodeI32(5), api.EncodeU32(buf + 4)}, "not aligned to 8"},
		{"sir result outside", "sir", []uint64{ci, api.EncodeI32(5), api.EncodeU32(8)}, "not inside a buffer"},
		{"free a non-buffer", "mem_free", []uint64{api.EncodeU32(buf + 8)}, "not a buffer from mem_alloc"},
		{"description too long", "describe", []uint64{api.EncodeI32(int32(m)), api.EncodeU32(buf), api.EncodeU32(10)}, "the buffer holds 10 bytes"},
		{"model bytes outside", "open", []uint64{api.EncodeU32(8), api.EncodeU32(100)}, "not inside a buffer"},
	} {
		_, err := in.call(tc.export, tc.params...)
		if !errors.Is(err, sampler.ErrArgument) || !strings.Contains(err.Error(), tc.fragment) {
			t.Errorf("%s: %v, want an argument error mentioning %q", tc.name, err, tc.fragment)
		}
	}
	for _, size := range []uint32{0, 1<<30 + 1} {
		if r, err := in.raw("mem_alloc", api.EncodeU32(size)); err != nil || r != 0 {
			t.Errorf("mem_alloc(%d) = %d, %v; want 0", size, r, err)
		} else if msg, _ := in.LastError(); !strings.Contains(msg, "size") {
			t.Errorf("mem_alloc(%d): last error %q", size, msg)
		}
	}
	if n, err := in.call("latents", ci, api.EncodeU32(buf), api.EncodeU32(16)); err != nil || n != 16 {
		t.Fatalf("latents after the refusals: %d, %v", n, err)
	}
}
