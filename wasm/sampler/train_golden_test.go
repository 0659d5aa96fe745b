//go:build !wasmsimd

package sampler_test

import (
	"testing"

	"github.com/gebm/gebm/shared/nn"
	"github.com/gebm/gebm/wasm/sampler"
)

// TestTrainGolden pins the bits of trainJSON's model trained with the Go
// kernel (nn.TiledGemm, WebAssembly's default): the same hash natively
// (go test), in Node (make test-wasm) and in wazero (GOOS=wasip1 go test
// -exec go_wasip1_wasm_exec with GOWASIRUNTIME=wazero; the wasihost tests
// also train a run in the WASI module against the native trainer), so the
// same seed trains the same model in the browser as natively. A deliberate change to the training
// step changes it: update the constant then, after checking native/train's
// tests and that native and WebAssembly still agree.
func TestTrainGolden(t *testing.T) {
	var file []byte
	withGemm(nn.TiledGemm{}, func() { file, _ = trainedFile(t, sampler.New(), 290) })
	const want = 0xb659888a0dc49db2
	if got := modelHash(t, file); got != want {
		t.Errorf("golden hash %#x, want %#x", got, uint64(want))
	}
}
