// The MMD flow panel: for a 2-D model, particles that start at the
// generator's samples (or a Gaussian) and follow −∇ of the MMD witness to
// samples of the model's toy data set, with noise injection (Arbel et al.
// 2019; shared/kale.MMDFlow through gebm.newFlow). Every flow call runs in
// the first sampler worker (worker.js), which holds the model; this thread
// only draws the particles over a heat map of the witness.
import { Plane, bounds, energyRange, heatImage, oncePerFrame } from './plot.js';

const $ = (id) => document.getElementById(id);
const GRID_RES = 60;
const STEPS_PER_FRAME = 2;
const NOISE_DECAY = 0.5; // β_n = β₀/√(n+1): Σβ_n² = ∞, as the paper's convergence result asks

const F = {
  worker: null,       // the SamplerWorker holding the model
  available: false,   // the open model is 2-D
  ready: false,       // a flow exists
  busy: false,        // a worker call is in flight
  running: false,
  start: 'generator',
  particles: 200,
  step: 1,            // γ
  noise: 0.2,         // β₀
  width: 0.25,        // σ as a fraction of the median heuristic's
  state: null,        // {steps, mmd2, noise, bandwidth} of the last call
  mmd2Start: null,
  x: null, x0: null, y: null,
  bounds: null, heat: null,
  error: null,
  draws: 0,
  epoch: 0,           // bumped on every reset and model change: stale answers are dropped
};
let plane = null;

// The panel's state for tests and the curious: window.gebmFlow.state.
window.gebmFlow = {
  get state() {
    return {
      available: F.available, ready: F.ready, busy: F.busy, running: F.running, start: F.start,
      particles: F.particles, step: F.step, noise: F.noise, noiseDecay: NOISE_DECAY, widthFactor: F.width,
      steps: F.state ? F.state.steps : 0, mmd2: F.state ? F.state.mmd2 : null, mmd2Start: F.mmd2Start,
      noiseLevel: F.state ? F.state.noise : null, bandwidth: F.state ? F.state.bandwidth : null,
      heat: F.heat !== null, draws: F.draws, error: F.error,
    };
  },
};

const stepOf = (p) => Math.pow(10, p); // the slider holds log10 γ

function fail(e) {
  F.error = e.message;
  F.running = false;
  $('flow-error').textContent = `MMD flow: ${e.message.replace(/^sampler: /, '')}`;
  $('flow-error').hidden = false;
  sync();
}

function sync() {
  $('flow-run').disabled = !F.ready;
  $('flow-step').disabled = !F.ready || F.running;
  $('flow-reset').disabled = !F.available;
  $('flow-run').textContent = F.running ? 'Pause' : 'Run';
  $('flow-run').setAttribute('aria-pressed', String(F.running));
  $('flow-step-size-out').textContent = String(Number(F.step.toPrecision(2)));
  $('flow-noise-out').textContent = String(F.noise);
  $('flow-width-out').textContent = `${F.width}×`;
}

function grid() {
  const b = F.bounds;
  return b ? { xmin: b.xmin, xmax: b.xmax, ymin: b.ymin, ymax: b.ymax, res: GRID_RES } : null;
}

// take applies a worker answer: the particles, the state and the witness.
function take(r) {
  F.x = r.x;
  F.state = r.state;
  if (r.w) F.heat = heatImage(r.w, GRID_RES, energyRange(r.w));
  requestDraw();
}

// reset starts a new flow from the panel's settings.
export async function reset() {
  if (!F.available) return;
  const epoch = ++F.epoch;
  F.running = false;
  F.ready = false;
  F.busy = true;
  F.error = null;
  $('flow-error').hidden = true;
  sync();
  const cfg = { particles: F.particles, targets: F.particles, start: F.start, step: F.step, noise: F.noise,
    noiseDecay: NOISE_DECAY, bandwidth: 0, bandwidthFactor: F.width, seed: 1 };
  try {
    // First without a grid, to learn where the points are; then the grid.
    const r = await F.worker.call('flowNew', { cfg, grid: null });
    if (epoch !== F.epoch) return;
    F.y = r.y;
    F.x0 = r.x;
    F.bounds = bounds(r.y, r.x);
    F.mmd2Start = r.state.mmd2;
    take(r);
    take(await F.worker.call('flowStep', { steps: 0, grid: grid() }));
    if (epoch !== F.epoch) return;
    F.ready = true;
  } catch (e) {
    if (epoch === F.epoch) fail(e);
  } finally {
    if (epoch === F.epoch) F.busy = false;
    sync();
  }
}

async function advance(steps) {
  const epoch = F.epoch;
  F.busy = true;
  try {
    const r = await F.worker.call('flowStep', { steps, grid: grid() });
    if (epoch !== F.epoch) return false;
    take(r);
    return true;
  } catch (e) {
    if (epoch === F.epoch) fail(e);
    return false;
  } finally {
    if (epoch === F.epoch) F.busy = false;
  }
}

async function run() {
  F.running = true;
  sync();
  while (F.running && F.ready) {
    if (!(await advance(STEPS_PER_FRAME))) break;
    await new Promise((r) => requestAnimationFrame(r));
  }
  F.running = false;
  sync();
}

const requestDraw = oncePerFrame(draw);

function draw() {
  if (!F.available || !F.x || !F.bounds) return;
  plane.draw({
    bounds: F.bounds, heat: F.heat, heatBounds: F.bounds, data: F.y, generator: F.x0, chains: F.x, trails: [],
    show: { heat: true, data: true, generator: $('flow-show-start').checked, chains: true, trails: false },
  });
  F.draws++;
  const st = F.state;
  $('flow-mmd2').textContent = st ? st.mmd2.toFixed(5) : '–';
  $('flow-mmd2-start').textContent = F.mmd2Start === null ? '–' : F.mmd2Start.toFixed(5);
  $('flow-steps').textContent = st ? st.steps.toLocaleString('en') : '0';
  $('flow-beta').textContent = st ? st.noise.toPrecision(3) : '–';
  $('flow-sigma').textContent = st ? st.bandwidth.toPrecision(3) : '–';
}

// setModel shows the panel for a 2-D model (desc from gebm.describe) and
// starts a flow on it, or hides the panel.
export function setModel(worker, desc) {
  F.worker = worker;
  F.epoch++;
  F.running = false;
  F.ready = false;
  F.x = F.x0 = F.y = F.heat = F.bounds = F.state = F.mmd2Start = null;
  F.available = desc.dim === 2 && (desc.shape || []).length === 0;
  $('flow').hidden = !F.available;
  sync();
  if (F.available) reset();
}

export function wireFlow() {
  plane = new Plane($('flow-plane'));
  $('flow-run').addEventListener('click', () => {
    if (F.running) { F.running = false; sync(); } else run();
  });
  $('flow-step').addEventListener('click', async () => {
    if (F.busy || F.running || !F.ready) return;
    await advance(STEPS_PER_FRAME);
  });
  $('flow-reset').addEventListener('click', () => reset());
  $('flow-start').addEventListener('change', (e) => { F.start = e.target.value; reset(); });
  $('flow-particles').addEventListener('change', (e) => { F.particles = Number(e.target.value); reset(); });
  $('flow-step-size').addEventListener('input', (e) => { F.step = stepOf(Number(e.target.value)); sync(); });
  $('flow-step-size').addEventListener('change', () => reset());
  $('flow-noise').addEventListener('input', (e) => { F.noise = Number(e.target.value); sync(); });
  $('flow-noise').addEventListener('change', () => reset());
  $('flow-width').addEventListener('input', (e) => { F.width = Number(e.target.value); sync(); });
  $('flow-width').addEventListener('change', () => reset());
  $('flow-show-start').addEventListener('change', requestDraw);
  window.addEventListener('resize', requestDraw);
  sync();
}
