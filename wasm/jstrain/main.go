//go:build js && wasm

// Command jstrain is gebm's trainer for the browser: every function of the
// sampler module (wasm/js: open, describe, generate, energyGrid, the
// chains, the flow, free, the SIMD128 kernel's) and the training calls of
// package wasm/sampler (train.go: newTrainer, trainSteps, trainInfo,
// trainModel, trainSnapshot), as functions of globalThis.gebm, built with
//
//	GOOS=js GOARCH=wasm go build -tags wasmsimd -o gebm-train.wasm ./wasm/jstrain
//
// and loaded like the sampler (www/js/api.js first, then the module; see
// wasm/js). The page loads it only in its Train mode, in the training
// worker (www/js/trainworker.js), so that a visitor who only samples does
// not download the training code.
package main

import (
	"github.com/gebm/gebm/wasm/internal/jsapi"
	"github.com/gebm/gebm/wasm/sampler"
)

// register sets globalThis.gebm to the sampler's and the trainer's calls on
// one fresh sampler, so that a trainer's snapshots are models the sampling
// calls take.
func register() error {
	smp := sampler.New()
	calls := jsapi.Calls(smp)
	for name, f := range trainCalls(smp) {
		calls[name] = f
	}
	return jsapi.Register(calls)
}

func main() {
	if err := register(); err != nil {
		println(err.Error())
		return
	}
	select {} // keep the functions alive
}
