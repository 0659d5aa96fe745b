package sample

import (
	"hash/fnv"
	"math"
	"math/rand/v2"
	"testing"
)

// goldenHash runs every kernel (MALA and HMC with step-size adaptation, KLA through its
// exp and momentum refresh) on a non-Gaussian potential and hashes the bits of the final
// latents, momenta, energy traces and adapted step sizes.
func goldenHash(t *testing.T) uint64 {
	h := fnv.New64a()
	put := func(bits uint64) {
		var b [8]byte
		for i := range b {
			b[i] = byte(bits >> (8 * i))
		}
		h.Write(b[:])
	}
	for _, cfg := range kernelConfigs {
		ch, err := NewChains(mixture1D{0.3, -1, 1, 0.5}, []float32{0.1, -0.3, 0.7, 2, -1, 0}, 6)
		if err != nil {
			t.Fatal(err)
		}
		cfg.Steps, cfg.Warmup, cfg.Thin, cfg.Jitter = 200, 100, 7, 0.1*float64(len(cfg.Method)%2)
		res, err := ch.Run(cfg, rand.New(rand.NewPCG(2024, 11)), nil)
		if err != nil {
			t.Fatal(err)
		}
		for k := range ch.Z() {
			put(uint64(math.Float32bits(ch.Z()[k])))
			put(uint64(math.Float32bits(ch.Momentum()[k])))
		}
		for _, e := range res.Energy {
			put(math.Float64bits(e))
		}
		put(math.Float64bits(res.StepSize))
	}
	return h.Sum64()
}

// TestGolden pins the exact output of a fixed-seed run. It passes unchanged on linux/amd64
// and on js/wasm, run with
//
//	GOOS=js GOARCH=wasm go test -exec=$(go env GOROOT)/lib/wasm/go_js_wasm_exec ./shared/sample/
//
// so the same seed gives the same bits on both. (With math.Exp and math.Log in place of
// expP and logP the two platforms' hashes differ: amd64 uses assembly for them.) A
// deliberate change to a kernel changes the hash: update the constant then, after
// checking the statistical tests.
func TestGolden(t *testing.T) {
	const want = 0x360040de11f3ce34
	if got := goldenHash(t); got != want {
		t.Errorf("golden hash %#x, want %#x", got, uint64(want))
	}
}
