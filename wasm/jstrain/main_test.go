//go:build js && wasm

package main

import (
	"syscall/js"
	"testing"

	"github.com/gebm/gebm/wasm/internal/jsapi/jstest"
)

// These tests run in Node (GOOS=js GOARCH=wasm go test -exec
// go_js_wasm_exec), calling globalThis.gebm as the page's training worker
// does. The sampling calls the module shares with wasm/js are tested there.

func TestMain(m *testing.M) { jstest.Main(m, register) }

// The calls through globalThis.gebm, and typed arrays (jstest).
var (
	call       = jstest.Call
	mustCall   = jstest.MustCall
	float32sOf = jstest.Float32sOf
)

// TestFunctions: the trainer module has the training functions and the
// sampler's (the training worker draws a snapshot's samples and energy with
// them), and nothing can be added to its globalThis.gebm.
func TestFunctions(t *testing.T) {
	g := js.Global().Get("gebm")
	for _, name := range []string{"newTrainer", "trainSteps", "trainInfo", "trainModel", "trainSnapshot",
		"open", "describe", "newChains", "step", "sir", "setBeta", "setLatents", "chains",
		"latents", "samples", "energies", "accept", "energyGrid", "generate", "free",
		"newFlow", "flowStep", "flowParticles", "flowTargets", "flowWitnessGrid", "simdKernel", "kernelStats"} {
		if g.Get(name).Type() != js.TypeFunction {
			t.Errorf("gebm.%s is %s", name, g.Get(name).Type())
		}
	}
	if !js.Global().Get("Object").Call("isFrozen", g).Bool() {
		t.Error("gebm is not frozen")
	}
}
