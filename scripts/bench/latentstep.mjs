// The Node half of the latent-step benchmark (run by latentstep/main.go, see
// there and docs/WASM-BENCH.md): measures, in this one V8,
//   - the GOOS=js gebm module (www/wasm/gebm.wasm): gebm.step(c, "ula", ...);
//   - TensorFlow.js (wasm backend, and the plain-JS cpu backend) computing the
//     same ULA step on the same weights: U(z) = ||z||²/2 + E(B(z)) and its
//     gradient, either by tf.grad through the forward pass (weights as stored,
//     out×in, so every layer is matMul(x, W, false, true): "naive"), or by a
//     hand-written backward with each weight kept in both layouts, so that no
//     product needs a transpose flag ("pre-transposed"),
// and prints one JSON line per implementation and batch size.
// Before timing, each TF.js variant's U and ∇U at the latents of check.json
// are compared with the Go model's.
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";

const args = Object.fromEntries(
  process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith("--") ? [...acc, [a.slice(2), all[i + 1]]] : acc), []));
const dir = args.dir;
const seconds = Number(args.time ?? 1);
const repeat = Math.max(1, Number(args.repeat ?? 3));
const batches = (args.batches ?? "1,16,64").split(",").map(Number);
const h = 0.01;

function out(impl, batch, stepsPerS, note = "") {
  console.log(JSON.stringify({ impl, batch, stepsPerS, note })); // latentstep/main.go reports it
}

// measure runs one warm-up step, then batches of steps, doubling, until a
// batch takes at least the measurement time; it returns the best steps per
// second of repeat such measurements (as latentstep/main.go does).
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
async function goWasm() {
  const require = createRequire(import.meta.url);
  require(path.resolve(args["wasm-exec"])); // defines globalThis.Go
  const go = new globalThis.Go();
  const { instance } = await WebAssembly.instantiate(fs.readFileSync(args.js), go.importObject);
  go.run(instance); // registers globalThis.gebm, then waits for calls
  const gebm = globalThis.gebm;
  const m = gebm.open(fs.readFileSync(path.join(dir, "model.gebm")));
  for (const b of batches) {
    const c = gebm.newChains(m, b, 1, 1);
    out(`Go → js/wasm, Node ${process.versions.node} (V8 ${process.versions.v8})`, b,
      await measure(async (n) => gebm.step(c, "ula", h, 0, 0, n)));
    gebm.free(c);
  }
}

// ---- TensorFlow.js ----
const layers = JSON.parse(fs.readFileSync(path.join(dir, "layers.json")));
const wbuf = fs.readFileSync(path.join(dir, "weights.bin"));
const weights = new Float32Array(wbuf.buffer, wbuf.byteOffset, wbuf.byteLength / 4);
const check = JSON.parse(fs.readFileSync(path.join(dir, "check.json")));

// net turns a layer list into tensors: W (out×in), WT (in×out), b.
function net(list) {
  return list.map((l) => {
    if (l.kind !== "linear") return { kind: l.kind, slope: l.slope ?? 0 };
    const w = weights.subarray(l.w, l.w + l.in * l.out);
    const W = tf.tensor2d(w, [l.out, l.in]);
    return { kind: "linear", W, WT: tf.keep(W.transpose()), b: tf.tensor1d(weights.subarray(l.b, l.b + l.out)) };
  });
}

function act(kind, slope, x) {
  switch (kind) {
    case "relu": return tf.relu(x);
    case "leakyrelu": return tf.leakyRelu(x, slope);
    case "tanh": return tf.tanh(x);
    default: throw new Error(`layer kind ${kind}`);
  }
}

// naive: forward with out×in weights (matMul with transposeB); tf.grad
// derives the backward.
function naivePotential(base, energy) {
  const forward = (layersOf, x) => {
    for (const l of layersOf) x = l.kind === "linear" ? tf.add(tf.matMul(x, l.W, false, true), l.b) : act(l.kind, l.slope, x);
    return x;
  };
  const U = (z) => tf.add(tf.mul(0.5, tf.sum(tf.square(z), 1)), tf.reshape(forward(energy, forward(base, z)), [-1]));
  const grad = tf.grad((z) => tf.sum(U(z)));
  return (z) => ({ u: U(z), g: grad(z) });
}

// pre-transposed: forward x·WT, and a hand-written backward dx = dy·W, with
// both layouts stored, so that no product has a transpose flag.
function manualPotential(base, energy) {
  const forward = (layersOf, x, tape) => {
    for (const l of layersOf) {
      tape.push(x);
      x = l.kind === "linear" ? tf.add(tf.matMul(x, l.WT), l.b) : act(l.kind, l.slope, x);
    }
    return x;
  };
  const backward = (layersOf, tape, outp, dy) => {
    for (let i = layersOf.length - 1; i >= 0; i--) {
      const l = layersOf[i], x = tape[i], y = i + 1 < tape.length ? tape[i + 1] : outp;
      if (l.kind === "linear") dy = tf.matMul(dy, l.W);
      else if (l.kind === "relu") dy = tf.mul(dy, tf.step(x, 0));
      else if (l.kind === "leakyrelu") dy = tf.mul(dy, tf.where(tf.greater(x, 0), 1, l.slope));
      else if (l.kind === "tanh") dy = tf.mul(dy, tf.sub(1, tf.square(y)));
      else throw new Error(`layer kind ${l.kind}`);
    }
    return dy;
  };
  return (z) => {
    const tb = [], te = [];
    const x = forward(base, z, tb);
    const e = forward(energy, x, te);
    const de = tf.onesLike(e);
    const gx = backward(energy, te, e, de);
    const gz = backward(base, tb, x, gx);
    return { u: tf.add(tf.mul(0.5, tf.sum(tf.square(z), 1)), tf.reshape(e, [-1])), g: tf.add(z, gz) };
  };
}

// maxRel is the largest |a − b| / max(1, |b|).
function maxRel(a, b) {
  let d = 0;
  for (let i = 0; i < b.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]) / Math.max(1, Math.abs(b[i])));
  return d;
}

async function tfjs(backend, variants) {
  await tf.setBackend(backend);
  await tf.ready();
  const base = net(layers.base), energy = net(layers.energy);
  let env = backend;
  if (backend === "wasm") {
    const simd = await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT");
    const threads = await tf.env().getAsync("WASM_HAS_MULTITHREAD_SUPPORT");
    env = `wasm (SIMD ${simd ? "on" : "off"}, threads ${threads ? "on" : "off"})`;
  }
  for (const [name, make] of variants) {
    const pot = make(base, energy);
    const zc = tf.tensor2d(check.z, [check.n, check.z.length / check.n]);
    const { u, g } = pot(zc);
    const diff = Math.max(maxRel(await u.data(), check.u), maxRel(await g.data(), check.grad));
    tf.dispose([zc, u, g]);
    const note = `max rel. diff of U, ∇U from Go: ${diff.toExponential(1)}`;
    if (!(diff < 1e-3)) throw new Error(`TF.js ${backend} ${name}: U or ∇U differ from Go's by ${diff}`);
    for (const b of batches) {
      let z = tf.randomNormal([b, check.z.length / check.n], 0, 1, "float32", 1);
      const step = async (n) => {
        for (let i = 0; i < n; i++) {
          const next = tf.tidy(() => {
            const { g } = pot(z);
            return tf.add(tf.sub(z, tf.mul(h, g)), tf.mul(Math.sqrt(2 * h), tf.randomNormal(z.shape)));
          });
          z.dispose();
          z = next;
        }
        await z.data(); // wait for the last step (wasm and cpu run eagerly; this only reads back)
      };
      out(`TensorFlow.js ${tf.version.tfjs} ${env}, ${name}`, b, await measure(step), note);
      z.dispose();
    }
  }
}

if (!args["skip-go"]) await goWasm();
await tfjs("wasm", [["tf.grad (naive)", naivePotential], ["pre-transposed", manualPotential]]);
await tfjs("cpu", [["pre-transposed", manualPotential]]);
process.exit(0);
