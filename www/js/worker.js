// The sampler's thread. It loads the GOOS=js WebAssembly module (which
// registers globalThis.gebm) and runs every gebm call, so that the page's
// thread only draws. Messages in: {id, op, ...args}; replies: {id, ok,
// result} or {id, ok: false, error: {message, kind}}. While running it also
// posts unsolicited {op: "frame"} messages, at most two ahead of the
// acknowledgements ({op: "ack"}, which the pool, pool.js, sends as the page's
// thread takes each frame in), so a slow page is never buried in frames.
'use strict';

let model = 0;   // handle of the open model, 0 for none
let chains = 0;  // handle of the chain set, 0 for none
let flow = 0;    // handle of the MMD flow (flow.js), 0 for none
let epoch = 0;   // the page's number for the chain set: frames carry it
let params = { method: 'mala', stepSize: 0.05, leapfrog: 10, friction: 1, pool: 20 };
let running = false;
let inflight = 0;     // frames posted and not yet acknowledged
let perTick = 1;      // transitions per frame, adapted to about tickMs of work
const tickMs = 30;
// Energies cost about half a step to read (the base's forward pass again,
// then the energy's): twice a second is enough for the readout.
const energyEveryMs = 500;
let scheduled = false;

importScripts('load.js'); // gebmLoad, errorOf, transfer, serve; relays CSP violations to the page

function init() { return gebmLoad('../wasm/gebm.wasm', 'the sampler'); }

// frame reads the chains' samples and, when withEnergy, their energies.
// Each read is a forward pass through the networks (the energies need the
// base's again), so while running the energies are read a few times a
// second only; a frame without them has e = null. sir is the result of the
// last SIR draw of a step (gebm.sir), or null.
let lastEnergy = 0;
let samplesMs = 0; // cost of the last samples read
function frame(acc, steps, stepMs, withEnergy = true, sir = null) {
  const t0 = performance.now();
  const x = gebm.samples(chains);
  samplesMs = performance.now() - t0;
  let e = null;
  if (withEnergy) {
    e = gebm.energies(chains);
    lastEnergy = performance.now();
  }
  return { x, e, acc, steps, stepMs, epoch, sir };
}

const ops = {
  init,
  open({ bytes }) {
    const m = gebm.open(bytes);
    let d;
    try { d = gebm.describe(m); } catch (e) { gebm.free(m); throw e; }
    running = false;
    if (model) gebm.free(model); // frees its chains too
    if (flow) gebm.free(flow);
    model = m;
    chains = 0;
    flow = 0;
    return d;
  },
  grid({ xmin, xmax, ymin, ymax, res }) { return { e: gebm.energyGrid(model, xmin, xmax, ymin, ymax, res) }; },
  chains({ n, seed, beta, epoch: ep }) {
    const c = gebm.newChains(model, n, seed, beta);
    if (chains) gebm.free(chains);
    chains = c;
    epoch = ep;
    perTick = 1;
    return frame(null, 0, 0);
  },
  params(p) { params = { ...params, ...p }; return {}; },
  beta({ beta }) { gebm.setBeta(chains, beta); return frame(null, 0, 0); },
  step({ steps, energy = true }) { return tick(steps, energy); },
  run() { running = true; inflight = 0; schedule(); return {}; },
  pause() { running = false; return chains ? frame(null, 0, 0) : {}; },
  // The MMD flow of the page's flow panel (flow.js): cfg is a
  // sampler.FlowConfig; grid, when given, {xmin, xmax, ymin, ymax, res} for
  // the witness heat map.
  flowNew({ cfg, grid }) {
    const f = gebm.newFlow(model, cfg);
    if (flow) gebm.free(flow);
    flow = f;
    return { ...flowFrame(0, grid), y: gebm.flowTargets(flow) };
  },
  flowStep({ steps, grid }) { return flowFrame(steps, grid); },
  ack() { inflight = Math.max(0, inflight - 1); schedule(); return undefined; },
};

// tick performs steps transitions, or for SIR steps independent draws (each
// replaces every chain; the frame shows the last and its weights' ESS).
function tick(steps, withEnergy = true) {
  const t0 = performance.now();
  if (params.method === 'sir') {
    let r = null;
    for (let i = 0; i < steps; i++) r = gebm.sir(chains, params.pool);
    return frame(null, steps, performance.now() - t0, withEnergy, r);
  }
  const acc = gebm.step(chains, params.method, params.stepSize, params.leapfrog, params.friction, steps);
  const ms = performance.now() - t0;
  return frame(acc, steps, ms, withEnergy);
}

// flowFrame takes steps flow steps and reads the particles, the state
// (steps, MMD², noise level, bandwidth) and, for a grid, the witness on it.
function flowFrame(steps, grid) {
  const t0 = performance.now();
  const state = gebm.flowStep(flow, steps);
  const x = gebm.flowParticles(flow);
  const w = grid ? gebm.flowWitnessGrid(flow, grid.xmin, grid.xmax, grid.ymin, grid.ymax, grid.res) : null;
  return { x, w, state, ms: performance.now() - t0 };
}

// schedule runs loop as a task of its own, so that messages queued
// meanwhile (pause, new parameters) are taken first. A message to itself,
// not setTimeout(loop, 0): nested timeouts are clamped to 4 ms, a tenth of
// a frame of sampling lost every frame.
const tock = new MessageChannel();
tock.port1.onmessage = loop;
function schedule() {
  if (running && !scheduled && inflight < 2 && chains) {
    scheduled = true;
    tock.port2.postMessage(null);
  }
}

function loop() {
  scheduled = false;
  if (!running || inflight >= 2 || !chains) return;
  let f;
  try {
    f = tick(perTick, performance.now() - lastEnergy > energyEveryMs);
  } catch (e) {
    running = false;
    postMessage({ op: 'stopped', error: errorOf(e) });
    return;
  }
  // Aim at tickMs of sampling per frame (smooth motion, a fresh frame for
  // every one or two of the page's paints), but at least twenty times the
  // cost of reading the samples (a forward pass of the base, a quarter of a
  // step on the MNIST model), so that showing the chains costs the sampler
  // at most 5%: measured in the page, those reads took 10-16% of the
  // workers' time at 30 ms frames.
  const target = Math.max(tickMs, 20 * samplesMs);
  const want = f.stepMs > 0 ? perTick * target / f.stepMs : perTick * 2;
  perTick = Math.max(1, Math.min(1000, Math.round(0.5 * perTick + 0.5 * want)));
  inflight++;
  postMessage({ op: 'frame', ...f }, transfer(f));
  schedule();
}

serve(ops);
