// Loading one of gebm's GOOS=js modules in a worker: the sampler
// (../wasm/gebm.wasm, worker.js) or the trainer (../wasm/gebm-train.wasm,
// trainworker.js), each with the SIMD128 matrix kernel attached where the
// engine has SIMD128. A classic script for importScripts; it defines
// globalThis.gebmLoad(url, what), which resolves to {simd} once
// globalThis.gebm is registered, or rejects with an Error of kind "load"
// that says what could not be loaded (what: "the sampler", "the trainer").
'use strict';
globalThis.gebmLoad = async function gebmLoad(url, what) {
  const resp = await fetch(url);
  if (!resp.ok) {
    const text = (await resp.text()).trim();
    throw Object.assign(new Error(`could not load ${what} (HTTP ${resp.status}): ${text}`), { kind: 'load' });
  }
  importScripts('../wasm/wasm_exec.js', 'simd.js', 'api.js'); // api.js: gebm's functions throw
  const go = new Go();
  const link = gebmSIMD.link(); // the SIMD128 matrix kernel's import (simd.js)
  Object.assign(go.importObject, link.imports);
  const { instance } = await WebAssembly.instantiateStreaming(resp, go.importObject);
  go.run(instance); // registers globalThis.gebm, then waits for calls
  if (!self.gebm) throw Object.assign(new Error(`${what} did not register globalThis.gebm`), { kind: 'load' });
  // Without SIMD128 (or a build without the kernel) the Go kernel does the products.
  const simd = await link.attach(instance.exports.mem, gebm.simdKernel && gebm.simdKernel()).catch(() => false);
  return { simd };
};
