// The Node half of the latent-step benchmark (run by wasm/internal/latentstep/main.go, see
// there and docs/WASM-BENCH.md): measures, in this one V8,
//   - the GOOS=js gebm module built with -tags wasmsimd (www/wasm/gebm.wasm),
//     its products in the SIMD128 kernel (wasm/simd/gemm.wasm attached by
//     www/js/simd.js, as the page's worker does): gebm.step(c, "ula", ...), in
//     this thread, and spread over one worker_thread per core as the page
//     spreads chains over Web Workers (www/js/pool.js);
//   - the same module built without the tag (--js-go), its products in Go;
//   - TensorFlow.js (wasm backend, and the plain-JS cpu backend) computing the
//     same ULA step on the same weights: U(z) = ||z||²/2 + E(B(z)) and its
//     gradient, either by tf.grad through the forward pass (weights as stored,
//     out×in, so every layer is matMul(x, W, false, true): "naive"), or by a
//     hand-written backward with each weight kept in both layouts, so that no
//     product needs a transpose flag ("pre-transposed"),
// and prints one JSON line per implementation and batch size.
// Before timing, each TF.js variant's U and ∇U at the latents of check.json
// are compared with the Go model's.
//
// With --simd-only 1 it measures only the SIMD128 module in this thread (no
// TensorFlow.js, no workers); with --split 1 the same, timing
// every call of the kernel (performance.now() around the import gebm.gemm),
// and its note says what share of a step's time the kernel took: the rest
// is the Go code between the products (bias, activations, the backward's
// elementwise work, copies, the ULA update).
//
// With --tf-threads N it measures only TF.js's wasm backend with N threads,
// which TF.js does not enable in Node (tfjs issue 3830): the script forces
// it (the flag; emscripten's worker started from files instead of blob
// URLs, which Node's workers cannot load; and enough cores reported for
// TF.js's cap of half the logical cores) and reports a row with a note
// instead of a number where the backend still runs fewer threads.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import { tfjsVariants } from "./tfstep.mjs";

const args = Object.fromEntries(
  process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith("--") ? [...acc, [a.slice(2), all[i + 1]]] : acc), []));
const dir = args.dir;
const seconds = Number(args.time ?? 1);
const repeat = Math.max(1, Number(args.repeat ?? 3));
const batches = (args.batches ?? "1,16,64,256").split(",").map(Number);
const workers = Number(args.workers ?? (os.availableParallelism ? os.availableParallelism() : os.cpus().length));
const tfThreads = Number(args["tf-threads"] ?? 0);
const h = 0.01;
const require = createRequire(import.meta.url);
const engine = `Node ${process.versions.node} (V8 ${process.versions.v8})`;

function out(impl, batch, stepsPerS, note = "") {
  console.log(JSON.stringify({ impl, batch, stepsPerS, note })); // wasm/internal/latentstep reports it
}

// measure runs one warm-up step, then batches of steps, doubling, until a
// batch takes at least the measurement time; it returns the best steps per
// second of repeat such measurements (as wasm/internal/latentstep does).
async function measure(step) {
  await step(1);
  let best = 0;
  for (let r = 0; r < repeat; r++) {
    for (let n = 1; ; n *= 2) {
      const t = performance.now();
      await step(n);
      const el = (performance.now() - t) / 1000;
      if (el >= seconds || n >= 1 << 20) { best = Math.max(best, n / el); break; }
    }
  }
  return best;
}

// ---- the GOOS=js module ----

// loadGo instantiates a GOOS=js module (in this thread or a worker), with
// the SIMD128 kernel attached when kernel (its bytes) is given, and returns
// globalThis.gebm. The same steps as www/js/worker.js.
async function loadGo(wasmExec, simdJs, module, kernel, timer) {
  require(path.resolve(wasmExec)); // defines globalThis.Go
  require(path.resolve(simdJs)); // defines globalThis.gebmSIMD
  require(path.join(path.dirname(path.resolve(simdJs)), "api.js")); // globalThis.gebmAPI (www/js/api.js)
  const go = new globalThis.Go();
  const link = globalThis.gebmSIMD.link();
  Object.assign(go.importObject, link.imports);
  if (timer) { // --split: the time inside the kernel's calls
    const gemm = link.imports.gebm.gemm;
    go.importObject.gebm = { gemm: (...a) => { const t = performance.now(); const r = gemm(...a); timer.ms += performance.now() - t; timer.calls++; return r; } };
  }
  const { instance } = await WebAssembly.instantiate(fs.readFileSync(module), go.importObject);
  go.run(instance); // registers globalThis.gebm, then waits for calls
  if (kernel && !(await link.attach(instance.exports.mem, kernel))) throw new Error("no WebAssembly SIMD128 in this Node");
  return globalThis.gebm;
}

// goWasm measures a GOOS=js module in this thread.
async function goWasm(module, simd, label, timer) {
  const gebm = await loadGo(args["wasm-exec"], args["simd-js"], module, simd ? fs.readFileSync(args.kernel) : null, timer);
  const m = gebm.open(fs.readFileSync(path.join(dir, "model.gebm")));
  for (const b of batches) {
    const c = gebm.newChains(m, b, 1, 1);
    const before = gebm.kernelStats();
    let note = "";
    let sps;
    if (timer) { // the share of a timed run of steps spent in the kernel
      const est = await measure(async (n) => gebm.step(c, "ula", h, 0, 0, n));
      const steps = Math.max(1, Math.ceil(2 * seconds * est));
      timer.ms = 0; timer.calls = 0;
      const t = performance.now();
      gebm.step(c, "ula", h, 0, 0, steps);
      const el = performance.now() - t;
      sps = steps / (el / 1000);
      note = `kernel ${(timer.ms / steps).toFixed(3)} ms of ${(el / steps).toFixed(3)} ms a step (${(100 * timer.ms / el).toFixed(1)}%), ${(timer.calls / steps).toFixed(1)} calls a step`;
    } else {
      sps = await measure(async (n) => gebm.step(c, "ula", h, 0, 0, n));
    }
    const after = gebm.kernelStats();
    if (simd && (after.fallback !== before.fallback || after.kernel === before.kernel)) throw new Error(`${label}: the SIMD128 kernel did not do the products`);
    out(label, b, sps, note);
    gebm.free(c);
  }
}

// The worker of goWorkers: one GOOS=js module with the kernel, a share of the
// chains, and {n} → n steps → {done}.
const workerCode = `
const { parentPort, workerData: w } = require("node:worker_threads");
const fs = require("node:fs");
const path = require("node:path");
(${loadGo.toString()})(w.wasmExec, w.simdJs, w.module, w.kernel).then((gebm) => {
  const m = gebm.open(w.model);
  const c = gebm.newChains(m, w.n, w.seed, 1);
  parentPort.on("message", (n) => { gebm.step(c, "ula", w.h, 0, 0, n); parentPort.postMessage("done"); });
  parentPort.postMessage("ready");
});`;

// goWorkers measures the SIMD module spread over W worker_threads, as the
// page's pool spreads chains over Web Workers: B chains split as evenly as
// possible over min(W, B) workers, every measurement waiting for all.
async function goWorkers(module, label) {
  const model = fs.readFileSync(path.join(dir, "model.gebm"));
  const kernel = fs.readFileSync(args.kernel);
  for (const b of batches) {
    const active = Math.min(workers, b);
    const ws = [];
    for (let i = 0; i < active; i++) {
      const n = Math.floor(b / active) + (i < b % active ? 1 : 0);
      const w = new Worker(workerCode, { eval: true, workerData: {
        wasmExec: path.resolve(args["wasm-exec"]), simdJs: path.resolve(args["simd-js"]), module: path.resolve(module),
        kernel, model, n, seed: 1 + i, h } });
      ws.push({ w, next: null });
      w.on("message", (msg) => { const r = ws[i].next; ws[i].next = null; if (r) r(msg); });
      w.on("error", (e) => { console.error(e); process.exit(1); });
    }
    const send = (n) => Promise.all(ws.map((x) => new Promise((resolve) => { x.next = resolve; if (n !== null) x.w.postMessage(n); })));
    await send(null); // ready
    out(label, b, await measure(async (n) => send(n)));
    await Promise.all(ws.map((x) => x.w.terminate()));
  }
}

// ---- TensorFlow.js ----

// forceThreads makes TF.js's threaded wasm backend loadable in Node: it
// starts emscripten's pthread workers from blob: URLs (the worker's script,
// and the main script the worker imports), which Node's workers cannot
// load; here both are written to files instead.
function forceThreads() {
  // TF.js caps its threads at half the logical cores (emscripten reads
  // os.cpus() in Node): make room for tfThreads.
  const cpus = os.cpus();
  if (tfThreads > cpus.length / 2) os.cpus = () => Array.from({ length: 2 * tfThreads }, (_, i) => cpus[i % cpus.length]);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "tfjs-threads-"));
  const Base = globalThis.Blob;
  let mainPath = null;
  globalThis.Blob = class extends Base {
    constructor(parts, opts) {
      super(parts, opts);
      this.text = parts.map(String).join("");
      if (this.text.startsWith("var WasmBackendModuleThreadedSimd")) {
        mainPath = path.join(tmp, "main.js"); // the bundle's names it uses
        fs.writeFileSync(mainPath, "var require$$0 = require('fs'), require$$1 = require('path'), " +
          "require$$3 = require('perf_hooks'), require$$4 = require('os'), commonjsGlobal = globalThis;\n" + this.text);
      }
    }
  };
  let n = 0;
  const create = URL.createObjectURL;
  URL.createObjectURL = (b) => {
    if (typeof b.text !== "string") return create(b);
    const f = path.join(tmp, `worker${n++}.js`);
    fs.writeFileSync(f, `URL.createObjectURL = () => ${JSON.stringify(mainPath)}; URL.revokeObjectURL = () => {};\n` + b.text);
    return f;
  };
}

let tf, tfwasm;
async function loadTF() {
  if (tfThreads > 0) forceThreads();
  tf = await import("@tensorflow/tfjs");
  tfwasm = await import("@tensorflow/tfjs-backend-wasm");
  if (tfThreads > 0) {
    tf.env().set("WASM_HAS_MULTITHREAD_SUPPORT", true);
    tfwasm.setThreadsCount(tfThreads);
  }
}
if (args.split || args["simd-only"]) {
  const label = `Go → js/wasm, SIMD128 kernel, 1 worker, ${engine}`;
  await goWasm(args.js, true, args.split ? `${label}, kernel timed` : label, args.split ? { ms: 0, calls: 0 } : null);
  process.exit(0);
}
const layers = JSON.parse(fs.readFileSync(path.join(dir, "layers.json")));
const wbuf = fs.readFileSync(path.join(dir, "weights.bin"));
const weights = new Float32Array(wbuf.buffer, wbuf.byteOffset, wbuf.byteLength / 4);
const check = JSON.parse(fs.readFileSync(path.join(dir, "check.json")));

async function tfjs(backend, variants) {
  if (!(await tf.setBackend(backend))) throw new Error(`TF.js backend ${backend} did not start`);
  await tf.ready();
  let env = backend;
  if (backend === "wasm") {
    const simd = await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT");
    const threads = tfwasm.getThreadsCount();
    env = `wasm (SIMD ${simd ? "on" : "off"}, ${threads} thread${threads === 1 ? "" : "s"})`;
    if (tfThreads > 0 && threads < tfThreads) {
      for (const name of variants) for (const b of batches) {
        out(`TensorFlow.js ${tf.version.tfjs} wasm (SIMD ${simd ? "on" : "off"}, ${tfThreads} threads), ${name}`, b, 0,
          `not measured: forced on in Node, the backend still runs ${threads} thread (pthreadpool)`);
      }
      return;
    }
  }
  const note = tfThreads > 0 ? "; threads forced on in Node" : "";
  await tfjsVariants(tf, { layers, weights, check, batches, h, measure, out, env, variants, note });
}

if (tfThreads === 0 && !args["skip-go"]) {
  if (args["js-go"]) await goWasm(args["js-go"], false, `Go → js/wasm, Go kernel, ${engine}`);
  await goWasm(args.js, true, `Go → js/wasm, SIMD128 kernel, 1 worker, ${engine}`);
  if (workers > 1) await goWorkers(args.js, `Go → js/wasm, SIMD128 kernel, ${workers} workers (one per core), ${engine}`);
}
await loadTF();
if (tfThreads > 0) {
  await tfjs("wasm", ["pre-transposed"]);
} else {
  await tfjs("wasm", ["tf.grad (naive)", "pre-transposed"]);
  await tfjs("cpu", ["pre-transposed"]);
}
process.exit(0);
