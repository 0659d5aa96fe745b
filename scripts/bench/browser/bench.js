// The Chromium half of the latent-step benchmark (driven by
// wasm/internal/latentstep/browser.go): one configuration per page load,
// chosen by the query string, its rows left in window.benchResult.
//   mode=gebm&workers=W: the page's own pool (www/js/pool.js) of W sampler
//     workers, each with the SIMD128 kernel, B chains split over them, timed
//     through pool.call('step') as the page runs it;
//   mode=tfjs&backend=wasm&threads=T: TensorFlow.js's wasm backend with T
//     threads (the page is cross-origin isolated, so TF.js enables them);
//   mode=tfjs&backend=webgl, mode=tfjs&backend=cpu: its WebGL backend (in
//     headless Chromium without a GPU, where it starts, a software
//     renderer: the row names it) and its plain-JavaScript one;
//   each in both forms of the step, tf.grad and the hand-written backward
//   with pre-transposed weights (../tfstep.mjs).
import { SamplerPool } from '/www/js/pool.js';
import { tfjsVariants } from '/bench/tfstep.mjs';

const q = new URLSearchParams(location.search);
const batches = q.get('batches').split(',').map(Number);
const seconds = Number(q.get('time') || 1);
const h = 0.01;
const engine = `Chromium ${(navigator.userAgent.match(/Chrome\/([\d.]+)/) || [])[1]}`;
const rows = [];
const out = (impl, batch, stepsPerS, note = '') => rows.push({ impl, batch, stepsPerS, note });

// measure: one warm-up step, then batches of steps, doubling, until one
// takes at least the measurement time (as latentstep.mjs).
async function measure(step) {
  await step(1);
  for (let n = 1; ; n *= 2) {
    const t = performance.now();
    await step(n);
    const el = (performance.now() - t) / 1000;
    if (el >= seconds || n >= 1 << 20) return n / el;
  }
}

async function gebm() {
  const workers = Number(q.get('workers'));
  const pool = new SamplerPool(workers);
  const info = await pool.call('init');
  const bytes = await (await fetch('/data/model.gebm')).arrayBuffer();
  await pool.call('open', { bytes }, [bytes]);
  await pool.call('params', { method: 'ula', stepSize: h });
  const label = `Go → js/wasm, ${info.simd ? 'SIMD128' : 'Go'} kernel, ` +
    (workers === 1 ? '1 worker' : `${workers} workers (one per core)`) + ` (the page's pool), ${engine}`;
  for (const b of batches) {
    await pool.call('chains', { n: b, seed: 1, beta: 1, epoch: b });
    out(label, b, await measure((n) => pool.call('step', { steps: n, energy: false })));
  }
}

async function tfjs() {
  const backend = q.get('backend') || 'wasm';
  const layers = await (await fetch('/data/layers.json')).json();
  const weights = new Float32Array(await (await fetch('/data/weights.bin')).arrayBuffer());
  const check = await (await fetch('/data/check.json')).json();
  const variants = ['pre-transposed', 'tf.grad (naive)'];
  if (backend !== 'wasm') {
    // webgl and cpu: a row each, with a note and no number where the
    // backend does not start in this (headless, GPU-less) Chromium.
    let started = false, why = '';
    try {
      started = await tf.setBackend(backend);
      await tf.ready();
    } catch (e) {
      why = String((e && e.message) || e);
    }
    if (!started || tf.getBackend() !== backend) {
      for (const name of variants) {
        for (const b of batches) {
          out(`TensorFlow.js ${tf.version.tfjs} ${backend}, ${name}, ${engine}`, b, 0,
            `not measured: the ${backend} backend did not start here${why ? ` (${why.slice(0, 120)})` : ''}`);
        }
      }
      return;
    }
    let env = backend;
    if (backend === 'webgl') {
      const gl = document.createElement('canvas').getContext('webgl2') || document.createElement('canvas').getContext('webgl');
      const dbg = gl && gl.getExtension('WEBGL_debug_renderer_info');
      env = `webgl (${dbg ? gl.getParameter(dbg.UNMASKED_RENDERER_WEBGL) : 'renderer unknown'})`;
    }
    await tfjsVariants(tf, { layers, weights, check, batches, h, measure, out, env, variants, suffix: `, ${engine}` });
    return;
  }
  const threads = Number(q.get('threads'));
  // TF.js caps its threads at half the logical cores (it assumes two
  // hardware threads per core; backend.cc): on a machine that reports 2,
  // 2 threads need it to see 4.
  const cores = navigator.hardwareConcurrency || 1;
  if (threads > cores / 2) Object.defineProperty(navigator, 'hardwareConcurrency', { value: 2 * threads, configurable: true });
  tf.wasm.setWasmPaths('/tfjs-wasm/');
  tf.wasm.setThreadsCount(threads);
  if (!(await tf.setBackend('wasm'))) throw new Error('TF.js wasm backend did not start');
  await tf.ready();
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  const actual = tf.wasm.getThreadsCount();
  const env = `wasm (SIMD ${simd ? 'on' : 'off'}, ${actual} thread${actual === 1 ? '' : 's'})`;
  if (actual !== threads) {
    const mt = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
    throw new Error(`TF.js runs ${actual} thread(s), not ${threads} (crossOriginIsolated ${self.crossOriginIsolated}, WASM_HAS_MULTITHREAD_SUPPORT ${mt})`);
  }
  const note = threads > cores / 2 ? `; hardwareConcurrency shown as ${2 * threads}, not ${cores}, for TF.js to start ${threads} threads` : '';
  await tfjsVariants(tf, { layers, weights, check, batches, h, measure, out, env, variants, suffix: `, ${engine}`, note });
}

(q.get('mode') === 'gebm' ? gebm() : tfjs()).then(
  () => { window.benchResult = { rows }; },
  (e) => { window.benchResult = { error: String((e && e.stack) || e) }; });
