// The page's Train mode: pick a toy set or draw points, set the network's
// size and a few knobs, and train a GEBM in a worker (trainworker.js, which
// loads the trainer module only when this mode first opens) while the view
// shows the generator's samples, the energy heat map and the data, and a
// plot follows the KALE estimate, the energy loss and the gradient
// penalty. Stop pauses, Train continues; Sample it opens the model in the
// sampler (every sampler of Sample mode); Download saves its .gebm file.
import { SamplerWorker } from './sampler.js';
import { Plane, bounds, clearedCanvas, energyRange, heatImage, oncePerFrame } from './plot.js';

const $ = (id) => document.getElementById(id);

// The window drawn points live in (the toy sets' scale), the energy grid's
// resolution while training and once stopped, the generator samples shown,
// and the most points a drawing may hold (the trainer's limit is far
// above: 2^20 values).
const DRAW_BOUNDS = { xmin: -4, xmax: 4, ymin: -4, ymax: 4 };
const LIVE_RES = 64;
const FINAL_RES = 120;
const SAMPLES = 512;
const MAX_POINTS = 20000;
const DOTS_PER_DAB = 4;

// The knobs: input id, option name, label (for messages), integer or not.
// Their values in index.html are gebm train's defaults for 2-D data
// (shared/train Defaults) but for the run's length: 1500 base steps (the
// bundled models': 32000) with a shorter final energy-only phase, 470 steps
// (5000 scaled by 1500/16000, 16000 being the default when it was set).
const KNOBS = [
  ['train-lr-energy', 'lr-energy', 'learning rate, energy', false],
  ['train-lr-base', 'lr-base', 'learning rate, generator', false],
  ['train-gp', 'gp', 'gradient penalty', false],
  ['train-n-critic', 'n-critic', 'energy steps per base step', true],
  ['train-steps', 'steps', 'base steps', true],
  ['train-final', 'final-energy-steps', 'final energy-only steps', true],
];

const T = {
  mode: 'sample',
  worker: null,
  loading: null,        // the promise of the trainer's start
  ready: false,
  simd: false,          // the trainer's products run in the SIMD128 kernel
  source: '8gaussians', // a toy set's name, or "draw"
  points: [],           // drawn points, x0, y0, x1, y1, ...
  toyData: new Map(),   // toy name → raw points (/data)
  data: null,           // the points shown, in the model's coordinates
  bounds: DRAW_BOUNDS,
  started: false,       // a run exists (knobs and data are fixed until New run)
  running: false,
  finished: false,
  stopped: null,        // the error that stopped the run
  runName: null,
  x: null,              // the generator's samples of the latest frame
  heat: null,
  heatBounds: null,
  info: null,
  curves: { kale: [], loss: [], penalty: [] },
  frames: 0,
  frameMs: 0,           // the worker's time spent on frames (snapshot, samples, energy grid)
  wall: 0,              // seconds the run has been running, by this page's clock
  runFrom: 0,
  pen: false,
  error: null,
};

let hooks = null;
let plane = null;

// ---- state for tests: window.gebmDemo.train ----

function state() {
  const i = T.info;
  return {
    mode: T.mode, ready: T.ready, simd: T.simd, source: T.source, points: T.points.length / 2, started: T.started,
    running: T.running, finished: T.finished, stopped: T.stopped, error: T.error, frames: T.frames, frameSeconds: T.frameMs / 1000,
    step: i ? i.step : 0, steps: i ? i.steps : 0, finalStep: i ? i.finalStep : 0, finalSteps: i ? i.finalSteps : 0,
    seconds: i ? i.seconds : 0, wallSeconds: wallSeconds(), heat: T.heat !== null, samples: T.x ? T.x.length / 2 : 0,
    kale: T.curves.kale.length ? T.curves.kale[T.curves.kale.length - 1] : null, runName: T.runName,
  };
}

function wallSeconds() {
  return T.wall + (T.running ? (performance.now() - T.runFrom) / 1000 : 0);
}

// ---- messages ----

function showTrainError(text) {
  T.error = text;
  $('train-error').textContent = text;
  $('train-error').hidden = false;
}

function clearTrainError() {
  T.error = null;
  $('train-error').hidden = true;
}

// ---- the mode ----

async function setMode(mode) {
  if (mode === T.mode) return;
  T.mode = mode;
  $('mode-sample').setAttribute('aria-pressed', String(mode === 'sample'));
  $('mode-train').setAttribute('aria-pressed', String(mode === 'train'));
  // The sampler's views and the flow panel step aside (css: body[data-mode]).
  document.body.dataset.mode = mode;
  if (mode === 'train') {
    await hooks.pauseSampler(); // the cores are the trainer's now
    $('train').hidden = false;
    await loadTrainer();
    selectSource(T.source);
  } else {
    if (T.running) await pause();
    $('train').hidden = true;
    hooks.redraw();
  }
}

// loadTrainer starts the training worker, which fetches the trainer
// module: once, on the first visit to Train mode.
function loadTrainer() {
  if (T.loading) return T.loading;
  T.worker = new SamplerWorker('trainworker.js');
  T.worker.onframe = onFrame;
  T.worker.onstopped = (err, f) => {
    if (f) onFrame(f);
    stopClock();
    T.running = false;
    T.stopped = err.message;
    showTrainError(`Training stopped: ${err.message}`);
    sync();
  };
  T.worker.onfatal = (err) => {
    T.ready = false;
    T.running = false;
    showTrainError(err.message);
    sync();
  };
  T.worker.oncsp = (v) => hooks.noteCSP({ ...v, worker: true });
  hooks.status('Loading the trainer…');
  T.loading = T.worker.call('init').then(({ simd }) => {
    T.simd = simd;
    T.ready = true;
    hooks.status('Train mode: pick a toy set or draw points, then press Train');
    sync();
  }, (e) => {
    showTrainError(`Could not load the trainer: ${e.message}`);
    hooks.status('The trainer is not available');
  });
  return T.loading;
}

// ---- data ----

async function selectSource(name) {
  T.source = name;
  $('train-data').value = name;
  $('draw-tools').hidden = name !== 'draw';
  $('train-plane').classList.toggle('drawing', name === 'draw');
  if (T.started) return;
  T.x = null; T.heat = null;
  if (name === 'draw') {
    T.data = Float32Array.from(T.points);
    T.bounds = DRAW_BOUNDS;
    $('train-data-note').textContent = ' (yours)';
  } else {
    T.data = null;
    $('train-data-note').textContent = '';
    const raw = await toyPoints(name);
    if (T.source !== name || T.started) return;
    // The toy sets are trained in their raw coordinates (shared/data's
    // Identity normalisation), as drawn points are.
    T.data = raw;
    T.bounds = raw ? bounds(raw) : DRAW_BOUNDS;
  }
  requestDraw();
}

// toyPoints fetches the server's sample of a toy set (raw coordinates).
async function toyPoints(name) {
  if (T.toyData.has(name)) return T.toyData.get(name);
  try {
    const r = await fetch(`data/${encodeURIComponent(name)}.json`);
    if (!r.ok) throw new Error(`HTTP ${r.status}`);
    const j = await r.json();
    const pts = Float32Array.from(j.points);
    T.toyData.set(name, pts);
    return pts;
  } catch (e) {
    $('train-data-note').textContent = ` (not available: ${e.message})`;
    return null;
  }
}

// The drawing: each dab of the brush adds DOTS_PER_DAB points uniformly in
// a disc of the brush's radius, or with erase on removes the points in it.
function toData(ev) {
  const r = $('train-plane').getBoundingClientRect();
  const b = DRAW_BOUNDS;
  return [b.xmin + (ev.clientX - r.left) / r.width * (b.xmax - b.xmin),
    b.ymax - (ev.clientY - r.top) / r.height * (b.ymax - b.ymin)];
}

function dab(ev) {
  const [x, y] = toData(ev);
  const rad = Number($('train-brush').value);
  if ($('train-erase').checked) {
    const keep = [];
    for (let i = 0; i + 1 < T.points.length; i += 2) {
      if (Math.hypot(T.points[i] - x, T.points[i + 1] - y) > rad) keep.push(T.points[i], T.points[i + 1]);
    }
    T.points = keep;
  } else {
    for (let k = 0; k < DOTS_PER_DAB && T.points.length / 2 < MAX_POINTS; k++) {
      const a = 2 * Math.PI * Math.random(), s = rad * Math.sqrt(Math.random());
      T.points.push(x + s * Math.cos(a), y + s * Math.sin(a));
    }
  }
  T.data = Float32Array.from(T.points);
  $('train-points').textContent = String(T.points.length / 2);
  requestDraw();
}

function wireDrawing() {
  const c = $('train-plane');
  const drawable = () => T.mode === 'train' && T.source === 'draw' && !T.started;
  c.addEventListener('pointerdown', (ev) => {
    if (!drawable()) return;
    ev.preventDefault();
    try { c.setPointerCapture(ev.pointerId); } catch (e) { /* a synthetic pointer has none to capture */ }
    T.pen = true;
    dab(ev);
  });
  c.addEventListener('pointermove', (ev) => {
    if (!T.pen || !drawable()) return;
    ev.preventDefault();
    const evs = ev.getCoalescedEvents ? ev.getCoalescedEvents() : [];
    for (const e of evs.length ? evs : [ev]) dab(e);
  });
  for (const type of ['pointerup', 'pointercancel', 'lostpointercapture']) c.addEventListener(type, () => { T.pen = false; });
  $('train-clear').addEventListener('click', () => {
    T.points = [];
    T.data = new Float32Array(0);
    $('train-points').textContent = '0';
    requestDraw();
  });
  $('train-brush').addEventListener('input', () => { $('train-brush-out').textContent = $('train-brush').value; });
}

// ---- a run ----

// options reads the knobs; a field that is not a number is refused here
// (JSON would turn it into null), every range by the trainer.
function options() {
  const w = Number($('train-width').value);
  const o = { 'base-hidden': [w, w], 'energy-hidden': [w, w] };
  for (const [id, name, label] of KNOBS) {
    const text = $(id).value.trim();
    const v = Number(text);
    if (text === '' || !Number.isFinite(v)) throw new Error(`${label} (${name}): “${text}” is not a number`);
    o[name] = v;
  }
  return o;
}

// start opens a run with the knobs and the data; a refusal (bad knobs, no
// points) shows the trainer's message and leaves the page as it was.
async function start() {
  let o;
  try {
    o = options();
  } catch (e) {
    showTrainError(e.message);
    return false;
  }
  let data;
  if (T.source === 'draw') {
    if (T.points.length === 0) {
      showTrainError('Draw some points on the plane first (or pick a toy set).');
      return false;
    }
    data = { points: Float32Array.from(T.points), dim: 2 };
  } else {
    data = { toy: T.source };
  }
  const b = T.bounds;
  let f;
  try {
    f = await T.worker.call('start', { data, options: o, n: SAMPLES, seed: 1, grid: { ...b, res: LIVE_RES } });
  } catch (e) {
    showTrainError(e.message.replace(/^sampler: new trainer: /, 'The trainer refused the knobs: '));
    return false;
  }
  clearTrainError();
  T.started = true;
  T.finished = false;
  T.stopped = null;
  T.curves = { kale: [], loss: [], penalty: [] };
  T.frames = 0;
  T.frameMs = 0;
  T.wall = 0;
  T.runName = T.source === 'draw' ? 'drawn' : T.source;
  onFrame(f);
  return true;
}

function onFrame(f) {
  if (!f || !f.info) return;
  T.frames++;
  T.frameMs += f.ms || 0;
  T.x = f.x;
  T.info = f.info;
  if (f.e && f.grid) {
    T.heat = heatImage(f.e, f.grid.res, energyRange(f.e));
    T.heatBounds = f.grid;
  }
  for (const s of f.stats || []) {
    T.curves.kale.push(s.kale);
    T.curves.loss.push(s.loss);
    T.curves.penalty.push(s.penalty);
  }
  if (f.info.finished && T.running) {
    stopClock();
    T.running = false;
    T.finished = true;
    hooks.status(`Trained ${T.runName}: ${f.info.step} base steps and ${f.info.finalStep} final energy steps in ${wallSeconds().toFixed(1)} s`);
    // The finished model's heat map at the full resolution.
    T.worker.call('grid', { grid: { ...T.bounds, res: FINAL_RES } }).then(onFrame, (e) => showTrainError(e.message));
  }
  sync();
  requestDraw();
}

function stopClock() {
  if (T.running) T.wall += (performance.now() - T.runFrom) / 1000;
}

async function trainClick() {
  if (!T.ready) return;
  if (T.running) {
    await pause();
    return;
  }
  if (!T.started && !(await start())) return;
  if (T.finished || T.stopped) return;
  T.running = true;
  T.runFrom = performance.now();
  sync();
  await T.worker.call('run');
  hooks.status(`Training on ${T.runName}…`);
}

async function pause() {
  const f = await T.worker.call('pause');
  stopClock();
  T.running = false;
  onFrame(f);
  hooks.status(`Stopped after ${T.info ? T.info.step : 0} base steps: Train continues`);
  sync();
}

async function newRun() {
  if (T.running) await pause();
  await T.worker.call('discard');
  T.started = false; T.finished = false; T.stopped = null; T.info = null; T.x = null; T.heat = null;
  T.curves = { kale: [], loss: [], penalty: [] };
  T.wall = 0;
  clearTrainError();
  await selectSource(T.source);
  sync();
}

// modelBytes is the run's model as a .gebm file.
async function modelBytes() {
  const { bytes } = await T.worker.call('model');
  return bytes;
}

// pausedModelBytes pauses a running run and returns its model's .gebm
// bytes, or null after showing why it could not.
async function pausedModelBytes() {
  if (T.running) await pause();
  try {
    return await modelBytes();
  } catch (e) {
    showTrainError(e.message);
    return null;
  }
}

async function sampleIt() {
  const bytes = await pausedModelBytes();
  if (!bytes) return;
  const name = `${T.runName}-trained`;
  await setMode('sample');
  await hooks.openModel(name, bytes.buffer, T.data ? T.data.slice() : null);
}

async function download() {
  const bytes = await pausedModelBytes();
  if (!bytes) return;
  const url = URL.createObjectURL(new Blob([bytes], { type: 'application/octet-stream' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = `${T.runName}-trained.gebm`;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60000);
}

// ---- controls and drawing ----

function sync() {
  $('train-run').disabled = !T.ready || T.finished || T.stopped !== null;
  $('train-run').textContent = T.running ? 'Stop' : T.finished ? 'Finished' : T.started ? 'Continue' : 'Train';
  $('train-run').setAttribute('aria-pressed', String(T.running));
  $('train-new').disabled = !T.ready || !T.started;
  $('train-sample').disabled = !T.started || T.running;
  $('train-download').disabled = !T.started || T.running;
  for (const id of ['train-data', 'train-width', ...KNOBS.map((k) => k[0])]) $(id).disabled = T.started;
  $('train-clear').disabled = T.started;
  const i = T.info;
  $('train-step').textContent = i ? (i.step >= i.steps && i.finalSteps > 0 ? `${i.step} + ${i.finalStep}` : String(i.step)) : '0';
  $('train-step-note').textContent = i ? `of ${i.steps}${i.finalSteps ? ` + ${i.finalSteps} final` : ''}` : 'of –';
  const n = T.curves.kale.length;
  $('train-kale').textContent = n ? fmt(T.curves.kale[n - 1]) : '–';
  $('train-loss').textContent = n ? fmt(T.curves.loss[n - 1]) : '–';
  $('train-rate').textContent = i && i.seconds > 0 ? ((i.step + i.finalStep) / i.seconds).toFixed(1) : '–';
  $('train-time').textContent = T.started ? `${wallSeconds().toFixed(1)} s` : '\u00a0';
}

function fmt(v) {
  if (!Number.isFinite(v)) return '–';
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e4) ? v.toExponential(2) : v.toFixed(3);
}

const requestDraw = oncePerFrame(draw);

function draw() {
  if (T.mode !== 'train' || !plane) return;
  plane.draw({
    bounds: T.bounds, heat: T.heat, heatBounds: T.heatBounds, data: T.data, generator: null, chains: T.x, trails: [],
    show: { heat: true, data: true, generator: false, chains: true, trails: false },
  });
  drawCurves($('train-curves'), T.curves);
}

// drawCurves plots each series on its own vertical scale (their ranges
// differ by orders of magnitude), by step, with a zero line for the KALE.
function drawCurves(canvas, c) {
  const { ctx, w, h, dpr } = clearedCanvas(canvas);
  const series = [[c.penalty, '#7a7a7a'], [c.loss, '#d9822b'], [c.kale, '#1f6feb']];
  for (const [v, color] of series) {
    const f = v.filter(Number.isFinite);
    if (f.length < 2) continue;
    let lo = Math.min(...f), hi = Math.max(...f);
    if (!(hi > lo)) { lo -= 1e-6; hi += 1e-6; }
    const X = (i) => (i / (v.length - 1)) * (w - 4 * dpr) + 2 * dpr;
    const Y = (y) => h - 4 * dpr - ((y - lo) / (hi - lo)) * (h - 8 * dpr);
    ctx.strokeStyle = color;
    ctx.lineWidth = 1.3 * dpr;
    ctx.beginPath();
    // At most one vertex per device pixel: the mean of the steps it covers.
    const per = Math.max(1, Math.floor(v.length / w));
    for (let i = 0; i < v.length; i += per) {
      let s = 0, k = 0;
      for (let j = i; j < Math.min(v.length, i + per); j++) if (Number.isFinite(v[j])) { s += v[j]; k++; }
      if (!k) continue;
      const y = Y(s / k);
      if (i === 0) ctx.moveTo(X(i), y); else ctx.lineTo(X(i), y);
    }
    ctx.stroke();
  }
}

// wireTrain connects Train mode. h: {pauseSampler(), openModel(name,
// ArrayBuffer, data), status(text), noteCSP(v), redraw()}, from main.js.
export function wireTrain(h) {
  hooks = h;
  plane = new Plane($('train-plane'));
  Object.defineProperty(window.gebmDemo, 'train', { get: state });
  $('mode-sample').addEventListener('click', () => setMode('sample'));
  $('mode-train').addEventListener('click', () => setMode('train'));
  $('train-data').addEventListener('change', () => selectSource($('train-data').value));
  $('train-run').addEventListener('click', trainClick);
  $('train-new').addEventListener('click', newRun);
  $('train-sample').addEventListener('click', sampleIt);
  $('train-download').addEventListener('click', download);
  window.addEventListener('resize', requestDraw);
  wireDrawing();
  setInterval(() => { if (T.running) sync(); }, 500);
  sync();
}
