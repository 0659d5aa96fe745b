// stepcpu.mjs: the CPU time of the GOOS=js sampler's step, for comparing two
// builds of the module on a loaded machine (docs/WASM-BENCH.md, "The sampler
// module's size"): the page worker's loading steps (www/js/worker.js: the Go
// glue, the SIMD128 kernel attached, www/js/api.js), then `gebm.step(c, METHOD,
// 0.01, 5, 0.1, 10)` until STEPS steps are done, and one line: CPU (user +
// system, process.cpuUsage) and wall milliseconds per step. CPU time, because
// wall time on a machine shared with other work measures the others.
//
//   node scripts/bench/stepcpu.mjs WASM_EXEC_JS MODULE.wasm MODEL.gebm CHAINS METHOD STEPS
//
// WASM_EXEC_JS is the wasm_exec.js of the Go that built the module
// ($(go env GOROOT)/lib/wasm/wasm_exec.js). Run builds alternately, several
// times each: only ratios within one session count.
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const [wasmExec, module, model, chains, method, steps] = process.argv.slice(2);
if (!steps) {
  console.error("usage: node stepcpu.mjs WASM_EXEC_JS MODULE.wasm MODEL.gebm CHAINS METHOD STEPS");
  process.exit(2);
}
const www = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "www");
require(path.resolve(wasmExec)); // globalThis.Go
require(path.join(www, "js", "simd.js")); // globalThis.gebmSIMD
require(path.join(www, "js", "api.js")); // globalThis.gebmAPI
const go = new globalThis.Go();
const link = globalThis.gebmSIMD.link();
Object.assign(go.importObject, link.imports);
const { instance } = await WebAssembly.instantiate(fs.readFileSync(module), go.importObject);
go.run(instance);
if (!(await link.attach(instance.exports.mem, globalThis.gebm.simdKernel()))) {
  throw new Error("the SIMD128 kernel did not attach (a build without -tags wasmsimd, or no SIMD128 in this Node)");
}
const gebm = globalThis.gebm;
const c = gebm.newChains(gebm.open(fs.readFileSync(model)), Number(chains), 1, 1);
gebm.step(c, method, 0.01, 5, 0.1, 10); // warm-up
const total = Number(steps);
const u0 = process.cpuUsage();
const t0 = performance.now();
for (let done = 0; done < total; done += 10) gebm.step(c, method, 0.01, 5, 0.1, 10);
const u = process.cpuUsage(u0);
console.log(`${((u.user + u.system) / 1000 / total).toFixed(3)} ms/step CPU, ${((performance.now() - t0) / total).toFixed(3)} ms/step wall`);
process.exit(0);
