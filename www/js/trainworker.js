// The trainer's thread (the page's Train mode, train.js). It loads the
// trainer module (../wasm/gebm-train.wasm: the sampler's calls and the
// training ones), which the page fetches only when Train mode opens, and
// runs the training steps, so that the page's thread only draws. The
// protocol is worker.js's: messages in {id, op, ...args}, replies {id, ok,
// result} or {id, ok: false, error: {message, kind}}; while training it
// also posts {op: "frame", ...} a few times a second, and {op: "stopped",
// error} when a step fails (a non-finite quantity).
//
// A frame is what the page draws: x, the generator's samples B(z) of a
// snapshot of the current model (the same latents every frame, so that
// their motion is the model's); e, the energy on the view's grid; info,
// gebm.trainInfo; stats, the steps' statistics since the last frame
// (gebm.trainSteps's); ms, the frame's own cost.
'use strict';
importScripts('load.js'); // gebmLoad, errorOf, transfer, serve; relays CSP violations to the page

let trainer = 0;      // handle of the training run, 0 for none
let view = { n: 512, seed: 1, grid: null }; // the frames' samples and energy grid {xmin, xmax, ymin, ymax, res}
let running = false;
let scheduled = false;
let pending = [];     // statistics of the steps since the last frame
let perChunk = 1;     // steps per trainSteps call, adapted to about chunkMs
let lastFrame = 0;
let frameCost = 0;    // ms the last frame took (snapshot, samples, energy grid)
// A chunk of steps is the worker's unit of work between messages (a pause
// waits for at most one); frames go out every ten frame costs (showing the
// run takes at most a tenth of it), but at least every maxFrameMs and at
// most every minFrameMs.
const chunkMs = 40;
const minFrameMs = 200;
const maxFrameMs = 500;

// frame draws the current model through a snapshot (a model handle,
// freed after).
function frame() {
  const t0 = performance.now();
  const m = gebm.trainSnapshot(trainer);
  try {
    const x = gebm.generate(m, view.n, view.seed);
    const g = view.grid;
    const e = g ? gebm.energyGrid(m, g.xmin, g.xmax, g.ymin, g.ymax, g.res) : null;
    const stats = pending;
    pending = [];
    lastFrame = performance.now();
    frameCost = lastFrame - t0;
    return { x, e, grid: g, info: gebm.trainInfo(trainer), stats, ms: frameCost };
  } finally {
    gebm.free(m);
  }
}

const ops = {
  init() { return gebmLoad('../wasm/gebm-train.wasm', 'the trainer'); },
  // start opens a training run: data is {toy: name} or {points:
  // Float32Array, dim: 2}, options the flags of `gebm train` by name
  // (gebm.newTrainer refuses bad ones with an error that names them); the
  // run's first frame shows the untrained model.
  start({ data, options, n, seed, grid }) {
    const t = gebm.newTrainer(data, options);
    running = false;
    if (trainer) gebm.free(trainer);
    trainer = t;
    pending = [];
    perChunk = 1;
    view = { n, seed, grid };
    return frame();
  },
  grid({ grid }) { view.grid = grid; return trainer ? frame() : {}; },
  run() { running = true; schedule(); return {}; },
  pause() { running = false; return trainer ? frame() : {}; },
  // model returns the run's model as a .gebm file.
  model() { return { bytes: gebm.trainModel(trainer) }; },
  discard() {
    running = false;
    if (trainer) gebm.free(trainer);
    trainer = 0;
    return {};
  },
};

const tock = new MessageChannel();
tock.port1.onmessage = loop;
function schedule() {
  if (running && !scheduled && trainer) {
    scheduled = true;
    tock.port2.postMessage(null);
  }
}

// loop makes one chunk of steps, then lets messages in (a pause) before the
// next; every frameMs, and at the end of the run, it posts a frame.
function loop() {
  scheduled = false;
  if (!running || !trainer) return;
  let info;
  try {
    const t0 = performance.now();
    const st = gebm.trainSteps(trainer, perChunk);
    const ms = performance.now() - t0;
    for (const s of st) pending.push(s);
    const want = ms > 0 ? perChunk * chunkMs / ms : perChunk * 2;
    perChunk = Math.max(1, Math.min(500, Math.round(0.5 * perChunk + 0.5 * want)));
    info = gebm.trainInfo(trainer);
    if (info.finished || performance.now() - lastFrame >= Math.min(maxFrameMs, Math.max(minFrameMs, 10 * frameCost))) {
      const f = frame();
      postMessage({ op: 'frame', ...f }, transfer(f));
    }
  } catch (e) {
    running = false;
    let f = null;
    try { f = frame(); } catch (e2) { /* the error says it */ }
    postMessage({ op: 'stopped', error: errorOf(e), frame: f });
    return;
  }
  if (info.finished) running = false;
  schedule();
}

serve(ops);
