//go:build js && wasm

// Command js is gebm's sampler for the browser: the sampling calls of
// package wasm/sampler as functions of one global object, globalThis.gebm
// (the glue is wasm/internal/jsapi), built with
//
//	GOOS=js GOARCH=wasm go build -o gebm.wasm ./wasm/js
//
// and run with the wasm_exec.js of the same Go version ($(go env
// GOROOT)/lib/wasm). It touches no DOM, so it runs in a Web Worker, which
// keeps sampling off the page's main thread:
//
//	importScripts("wasm_exec.js", "api.js"); // api.js: www/js/api.js, which makes gebm's functions throw
//	const go = new Go();
//	const {instance} = await WebAssembly.instantiateStreaming(fetch("gebm.wasm"), go.importObject);
//	go.run(instance);                  // main registers globalThis.gebm before it returns
//	const m = gebm.open(new Uint8Array(await (await fetch("model.gebm")).arrayBuffer()));
//	const c = gebm.newChains(m, 256, 1, 1.0);
//	const acc = gebm.step(c, "mala", 0.05, 0, 0, 100);
//	const x = gebm.samples(c);          // Float32Array, 256×D
//
// The functions (handles are numbers; arrays are typed arrays, copied in
// and out; n×d arrays are row-major):
//
//	open(bytes Uint8Array|ArrayBuffer) → model
//	describe(model) → {dim, shape, image: {channels, height, width} or null, latent, a, dataset, trainingSteps, scale, offset, params, flopsPerStep, maxChains}
//	newChains(model, n, seed, beta = 1) → chains
//	step(chains, method, stepSize, leapfrog, friction, steps) → mean acceptance
//	setBeta(chains, beta)
//	setLatents(chains, Float32Array z)
//	chains(chains) → {n, latent, dim}
//	latents(chains) → Float32Array (n×d)
//	samples(chains) → Float32Array (n×D), x = B(z)
//	energies(chains) → Float32Array (n), E(x)
//	accept(chains) → Float64Array (n), acceptance rates of the last step call
//	energyGrid(model, xmin, xmax, ymin, ymax, res) → Float32Array (res×res, row j is y_j)
//	generate(model, n, seed) → Float32Array (n×D)
//	free(handle)
//	simdKernel() → Uint8Array|null, kernelStats() → {imported, kernel, fallback}
//	  (the SIMD128 matrix kernel of a build with -tags wasmsimd: jsapi's simd.go)
//
// Training is not linked in (it would add about a tenth to the module
// every visitor downloads): the trainer, with these calls and the training
// ones, is the separate module wasm/jstrain, which the page loads only in
// its Train mode.
//
// The loader must run www/js/api.js (globalThis.gebmAPI) before the
// module: without it the module registers nothing, says why on stderr and
// exits. A failed call throws an Error whose message is the sampler's and
// whose kind property is "argument", "handle", "model", "state" or
// "internal".
// No Go panic reaches JavaScript: each call recovers its own.
package main

import (
	"github.com/gebm/gebm/wasm/internal/jsapi"
	"github.com/gebm/gebm/wasm/sampler"
)

// register sets globalThis.gebm to the sampler's calls on a fresh sampler.
func register() error { return jsapi.Register(jsapi.Calls(sampler.New())) }

func main() {
	if err := register(); err != nil {
		println(err.Error())
		return
	}
	select {} // keep the functions alive
}
