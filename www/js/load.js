// The workers' common part. Loading one of gebm's GOOS=js modules in a worker: the sampler
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

// What both workers share besides loading: a Content-Security-Policy
// violation in a worker (its policy is the header on the worker's script,
// the page's) goes to the page, which records it, since a worker's console
// is not the page's; errorOf turns a thrown value into the replies' error
// {message, kind}; transfer lists the buffers of a result's typed arrays,
// whose ownership moves to the page instead of a copy; serve(ops) answers
// the page's messages {id, op, ...args} with ops[op](args): {id, ok: true,
// result} or {id, ok: false, error} (no reply without an id).
self.addEventListener('securitypolicyviolation', (ev) => {
  postMessage({ op: 'csp', directive: ev.effectiveDirective, blocked: ev.blockedURI, source: ev.sourceFile, line: ev.lineNumber });
});

function errorOf(e) {
  return { message: String(e && e.message || e), kind: (e && e.kind) || 'internal' };
}

function transfer(r) {
  const t = [];
  for (const v of Object.values(r || {})) if (ArrayBuffer.isView(v)) t.push(v.buffer);
  return t;
}

function serve(ops) {
  onmessage = async (ev) => {
    const { id, op, ...a } = ev.data;
    const f = ops[op];
    if (!f) {
      postMessage({ id, ok: false, error: { message: `unknown operation ${op}`, kind: 'argument' } });
      return;
    }
    try {
      const result = await f(a);
      if (id !== undefined) postMessage({ id, ok: true, result }, transfer(result));
    } catch (e) {
      if (id !== undefined) postMessage({ id, ok: false, error: errorOf(e) });
    }
  };
}
