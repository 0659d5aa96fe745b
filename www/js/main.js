// The demo page: the model picker, the sampler's controls and readouts, and
// the views. Every gebm call runs in the worker (sampler.js, worker.js);
// this thread only keeps state and draws.
import { SamplerPool } from './pool.js';
import { Plane, bounds, energyRange, heatImage, rampCSS, drawGrid, sparkline, COLORS, oncePerFrame } from './plot.js';
import { setModel as flowModel, wireFlow } from './flow.js';
import { wireTrain } from './train.js';

const $ = (id) => document.getElementById(id);

// The samplers, their default step sizes and what they use.
const METHODS = {
  ula: { h: 0.01, about: 'z ← z − h∇U(z) + √(2h) ξ. Every finite move is taken: quick, but biased by O(h).' },
  mala: { h: 0.05, about: 'The Langevin move, then an accept test that makes the chain exact. Too large a step shows as low acceptance.' },
  hmc: { h: 0.05, uses: 'leapfrog', about: 'A random momentum, L leapfrog steps along the potential, then an accept test: long moves at high acceptance.' },
  kla: { h: 0.1, uses: 'friction', about: 'Underdamped Langevin: momentum carries over between steps, damped by friction κ. Low κ glides between modes, high κ settles into one.' },
  mh: { h: 0.3, about: 'Random-walk Metropolis: z′ = z + h ξ, no gradient, accepted by the energy difference.' },
  imh: { h: null, about: 'Proposes a fresh generator sample z′ ~ N(0, I) and keeps it with probability min(1, e^(−β ΔE)): jumps between modes at once.' },
  sir: { h: null, uses: 'pool', about: 'Not a chain: each step draws a pool of generator samples, weights each by e^(−β E) and resamples the chains from it. Exact as the pool grows; the ESS says how much the energy reweights the generator.' },
};

// viewOf picks the view of a model's samples: points in the plane, images
// of one channel (grey) or three (colour), or none.
function viewOf(desc) {
  if (desc.dim === 2 && !(desc.shape || []).length) return 'plane';
  if (desc.image && (desc.image.channels === 1 || desc.image.channels === 3)) return 'image';
  return 'none';
}

// imageWords writes an image shape: 28×28 for one channel, 3×32×32 for more.
function imageWords(im) {
  return (im.channels === 1 ? '' : `${im.channels}×`) + `${im.height}×${im.width}`;
}

const CHAIN_CHOICES = { plane: [64, 128, 256, 512, 1024, 2048], image: [16, 36, 64, 100], none: [16, 64, 256] };
const DEFAULT_CHAINS = { plane: 256, image: 64, none: 64 };
const GRID_RES = 120;
const TRAIL = 6; // frames of trail per chain
const SEED = 1;

const S = {
  worker: null,
  ready: false,
  busy: false,          // a model is being opened or chains rebuilt
  models: [],           // /models/index.json entries, then local files
  local: new Map(),     // local file name → bytes
  localData: new Map(), // local model name → its training points (models trained in Train mode)
  model: null,          // name of the open model
  desc: null,
  view: 'plane',
  epoch: 0,
  n: 256,
  beta: 1,
  method: 'mala',
  stepSize: Object.fromEntries(Object.entries(METHODS).map(([k, v]) => [k, v.h])),
  leapfrog: 10,
  friction: 1,
  pool: 20,             // SIR pool per chain
  running: false,
  steps: 0,
  acc: null,
  sir: null,            // the last SIR draw, merged over the workers: {pool, ess, distinct, ...}
  meanE: null,
  startE: null,
  history: [],
  rate: null,
  ticks: [],            // [time, steps] of recent frames, for steps/s
  data: null,
  generator: null,
  chains: null,
  trails: [],
  bounds: null,
  heat: null,
  heatBounds: null,
  range: null,
  firstSamplesMs: null,
  marks: {},            // performance.now() when the sampler was ready, the first model open
  error: null,
  draws: 0,
  csp: [],              // Content-Security-Policy violations, the page's and its workers'
};

// The page's state for tests and the curious: window.gebmDemo.state.
window.gebmDemo = {
  get state() {
    return {
      ready: S.ready, busy: S.busy, model: S.model, view: S.view, method: S.method, beta: S.beta,
      stepSize: S.stepSize[S.method], n: S.n, running: S.running, steps: S.steps, acceptance: S.acc,
      poolPerChain: S.pool, sirPool: S.sir ? S.sir.pool : null, ess: S.sir ? S.sir.ess : null,
      sirDistinct: S.sir ? S.sir.distinct : null,
      meanEnergy: S.meanE, startEnergy: S.startE, stepsPerSecond: S.rate, firstSamplesMs: S.firstSamplesMs,
      marks: { ...S.marks },
      error: S.error, draws: S.draws, cspViolations: S.csp.slice(), heat: S.heat !== null, data: S.data ? S.data.length / 2 : 0,
      models: S.models.map((m) => m.name),
      image: S.view === 'image' && S.desc ? { ...S.desc.image } : null,
    };
  },
  // samples returns copies of what the image view draws (the generator's
  // samples and the chains', in the model's space) and the values drawn as
  // black and white, so that a test can check the drawn pixels against them.
  samples() {
    const { lo, hi } = imageRange();
    return { generator: S.generator ? Array.from(S.generator) : null, chains: S.chains ? Array.from(S.chains) : null, n: S.n, lo, hi };
  },
};

let plane;
let NONE_TEXT = ''; // the view-none paragraph as the page ships it

// ---- status and errors ----

function status(text) { $('status').textContent = text; }

function showError(text) {
  S.error = text;
  $('error-text').textContent = text;
  $('error').hidden = false;
}

function clearError() {
  S.error = null;
  $('error').hidden = true;
}

function fmt(v, digits = 3) {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e5)) return v.toExponential(2);
  return v.toFixed(a >= 100 ? 1 : digits);
}

function fmtBytes(n) {
  return n >= 1 << 20 ? (n / (1 << 20)).toFixed(1) + ' MiB' : n >= 1024 ? Math.round(n / 1024) + ' KiB' : n + ' B';
}

// ---- controls ----

// β slider: position 0 is β = 0, otherwise β = 10^((p − 50)/25), so 50 is 1 and 100 is 100.
const betaOf = (p) => (p <= 0 ? 0 : Math.pow(10, (p - 50) / 25));
const posOfBeta = (b) => (b <= 0 ? 0 : Math.round(50 + 25 * Math.log10(b)));
const roundNice = (v) => (v === 0 ? 0 : Number(v.toPrecision(2)));

function syncControls() {
  const m = METHODS[S.method];
  $('method').value = S.method;
  $('method-about').textContent = m.about;
  $('beta').value = posOfBeta(S.beta);
  $('beta-out').textContent = String(S.beta);
  const h = S.stepSize[S.method];
  $('step-size').disabled = h === null;
  $('step-row').classList.toggle('off', h === null);
  if (h !== null) $('step-size').value = Math.log10(h);
  $('step-size-out').textContent = h === null ? 'not used' : String(roundNice(h));
  $('friction').disabled = m.uses !== 'friction';
  $('friction-row').classList.toggle('off', m.uses !== 'friction');
  $('friction').value = Math.log10(S.friction);
  $('friction-out').textContent = String(roundNice(S.friction));
  $('leapfrog').disabled = m.uses !== 'leapfrog';
  $('leapfrog-row').classList.toggle('off', m.uses !== 'leapfrog');
  $('leapfrog').value = S.leapfrog;
  $('leapfrog-out').textContent = String(S.leapfrog);
  $('pool').disabled = m.uses !== 'pool';
  $('pool-row').classList.toggle('off', m.uses !== 'pool');
  $('pool').value = S.pool;
  $('pool-out').textContent = `${S.pool}× (${(S.pool * S.n).toLocaleString('en')} samples)`;
  const ok = S.ready && S.model !== null && !S.busy;
  $('model').disabled = S.busy || S.models.length === 0;
  $('file').disabled = S.busy || !S.ready;
  for (const id of ['run', 'step', 'reset']) $(id).disabled = !ok;
  $('run').textContent = S.running ? 'Pause' : 'Run';
  $('run').setAttribute('aria-pressed', String(S.running));
  syncReadoutNote();
}

// syncReadoutNote names the first readout: the acceptance rate of the MCMC
// kernels, or for SIR the effective sample size of the last draw's weights,
// (Σw)²/Σw², as a share of its pool.
function syncReadoutNote() {
  $('acceptance-label').textContent = S.method === 'sir' ? 'ESS of the weights' : 'acceptance';
  $('acceptance-note').textContent = S.method === 'sir'
    ? (S.sir ? `${Math.round(S.sir.ess).toLocaleString('en')} of ${S.sir.pool.toLocaleString('en')} pool samples` : 'of the pool')
    : S.method === 'ula' || S.method === 'kla' ? 'no accept test: finite moves' : 'per transition';
}

function sendParams() {
  if (!S.worker) return;
  S.worker.post('params', {
    method: S.method, stepSize: S.stepSize[S.method] ?? 1, leapfrog: S.leapfrog, friction: S.friction, pool: S.pool,
  });
}

function wireControls() {
  $('method').addEventListener('change', () => {
    S.method = $('method').value;
    sendParams();
    syncControls();
  });
  $('beta').addEventListener('input', () => {
    S.beta = roundNice(betaOf(Number($('beta').value)));
    syncControls();
    applyBeta();
  });
  $('step-size').addEventListener('input', () => {
    S.stepSize[S.method] = roundNice(Math.pow(10, Number($('step-size').value)));
    sendParams();
    syncControls();
  });
  $('friction').addEventListener('input', () => {
    S.friction = roundNice(Math.pow(10, Number($('friction').value)));
    sendParams();
    syncControls();
  });
  $('leapfrog').addEventListener('input', () => {
    S.leapfrog = Number($('leapfrog').value);
    sendParams();
    syncControls();
  });
  $('pool').addEventListener('input', () => {
    S.pool = Number($('pool').value);
    sendParams();
    syncControls();
  });
  $('chains').addEventListener('change', () => {
    S.n = Number($('chains').value);
    restart();
  });
  $('run').addEventListener('click', toggleRun);
  $('step').addEventListener('click', stepOnce);
  $('reset').addEventListener('click', () => restart());
  for (const id of ['show-heat', 'show-data', 'show-generator', 'show-chains', 'show-trails']) {
    $(id).addEventListener('change', requestDraw);
  }
  $('model').addEventListener('change', () => pickModel($('model').value));
  $('file').addEventListener('change', async () => {
    const f = $('file').files[0];
    $('file').value = '';
    if (f) await openLocal(f);
  });
  $('error-close').addEventListener('click', clearError);
  wireDrop();
  document.addEventListener('keydown', (ev) => {
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    if (!$('train').hidden) return; // the keys drive the sampler, not Train mode
    const t = ev.target;
    if (t instanceof HTMLInputElement || t instanceof HTMLSelectElement || t instanceof HTMLTextAreaElement ||
        t instanceof HTMLButtonElement) return;
    const k = ev.key.toLowerCase();
    if (k === ' ' && !$('run').disabled) { ev.preventDefault(); toggleRun(); }
    else if (k === 's' && !$('step').disabled) { ev.preventDefault(); stepOnce(); }
    else if (k === 'r' && !$('reset').disabled) { ev.preventDefault(); restart(); }
  });
  window.addEventListener('resize', requestDraw);
}

function wireDrop() {
  let depth = 0;
  const hasFiles = (ev) => ev.dataTransfer && Array.from(ev.dataTransfer.types || []).includes('Files');
  document.addEventListener('dragenter', (ev) => {
    if (!hasFiles(ev)) return;
    ev.preventDefault();
    depth++;
    $('drop').hidden = false;
  });
  document.addEventListener('dragleave', () => {
    depth = Math.max(0, depth - 1);
    if (depth === 0) $('drop').hidden = true;
  });
  document.addEventListener('dragover', (ev) => {
    if (hasFiles(ev)) ev.preventDefault();
  });
  document.addEventListener('drop', async (ev) => {
    ev.preventDefault();
    depth = 0;
    $('drop').hidden = true;
    const f = ev.dataTransfer && ev.dataTransfer.files[0];
    if (f) await openLocal(f);
  });
}

// ---- the sampler ----

async function applyBeta() {
  if (!S.model || S.busy) return;
  const ep = S.epoch;
  try {
    const f = await S.worker.call('beta', { beta: S.beta });
    if (f.epoch === ep) onFrame(f);
  } catch (e) {
    showError(`β = ${S.beta}: ${e.message}`);
  }
}

async function toggleRun() {
  if (!S.model || S.busy) return;
  if (!S.running) {
    S.running = true;
    syncControls();
    S.ticks = [];
    sendParams();
    await S.worker.call('run');
    status(`Running ${S.method.toUpperCase()} on ${S.model}`);
  } else {
    await pause();
    syncControls();
    status(`Paused after ${S.steps} steps`);
  }
}

// pause stops the workers' loops and takes their last frame, with
// energies; the page is running until it has it, so that a paused page
// shows the final state.
async function pause() {
  let f;
  try {
    f = await S.worker.call('pause');
  } finally {
    S.running = false;
  }
  if (f && f.x) onFrame(f);
}

async function stepOnce() {
  if (!S.model || S.busy) return;
  if (S.running) await toggleRun();
  sendParams();
  const ep = S.epoch;
  try {
    const f = await S.worker.call('step', { steps: 1 });
    if (f.epoch === ep) onFrame(f);
  } catch (e) {
    showError(`${S.method.toUpperCase()} step: ${e.message}`);
  }
}

function onFrame(f) {
  if (f.epoch !== S.epoch) return; // from chains since replaced
  if (S.view === 'plane' && S.chains && f.steps > 0) {
    // An SIR draw does not move the chains, it replaces them: no trail.
    if (f.sir) S.trails = [];
    else S.trails.push(S.chains);
    if (S.trails.length > TRAIL) S.trails.shift();
  }
  S.chains = f.x;
  if (f.steps > 0) {
    S.steps += f.steps;
    S.acc = f.sir ? null : f.acc;
    S.sir = f.sir || null;
    const now = performance.now();
    S.ticks.push([now, f.steps]);
    while (S.ticks.length > 2 && now - S.ticks[0][0] > 2000) S.ticks.shift();
    if (S.ticks.length >= 2) {
      const span = (now - S.ticks[0][0]) / 1000;
      const n = S.ticks.slice(1).reduce((a, t) => a + t[1], 0);
      S.rate = n / span;
    } else if (f.stepMs > 0) {
      S.rate = f.steps / (f.stepMs / 1000);
    }
  }
  if (f.e) { // frames while running carry energies a few times a second
    let sum = 0, k = 0;
    for (const v of f.e) if (Number.isFinite(v)) { sum += v; k++; }
    S.meanE = k ? sum / k : NaN;
    if (S.startE === null) S.startE = S.meanE;
    S.history.push(S.meanE);
    if (S.history.length > 400) S.history.splice(0, S.history.length - 400);
  }
  requestDraw();
}

// restart makes a fresh chain set at the generator's latents (same seed):
// the start of every run, and Reset.
async function restart() {
  if (!S.model) return;
  const wasRunning = S.running;
  if (S.running) await pause();
  S.busy = true;
  syncControls();
  const ep = ++S.epoch;
  S.steps = 0; S.acc = null; S.sir = null; S.rate = null; S.ticks = []; S.trails = [];
  S.history = []; S.startE = null; S.meanE = null; S.chains = null;
  try {
    const f = await S.worker.call('chains', { n: S.n, seed: SEED, beta: S.beta, epoch: ep });
    if (S.marks.chains === undefined) S.marks.chains = performance.now();
    S.generator = f.x.slice();
    S.busy = false;
    onFrame(f);
    sendParams();
    if (wasRunning) await toggleRun();
  } catch (e) {
    showError(`Could not start ${S.n} chains: ${e.message}`);
  } finally {
    S.busy = false;
    syncControls();
  }
}

// ---- models ----

// BUNDLED_LABELS names the bundled models in the picker where the file name
// says too little: there are two of MNIST, the convolutional one first.
const BUNDLED_LABELS = {
  'mnist-dcgan': 'MNIST (DCGAN generator, MLP energy)',
  mnist: 'MNIST (MLP)',
};

// orderModels puts the bundled models that have a label in the label
// table's order, after the rest (the server lists each group by name), so
// that the convolutional MNIST model comes before the MLP one; the order of
// the others is kept.
function orderModels(models) {
  const rank = (m) => (m.source === 'bundled' && m.name in BUNDLED_LABELS ? Object.keys(BUNDLED_LABELS).indexOf(m.name) : -1);
  const rest = models.filter((m) => rank(m) < 0), labelled = models.filter((m) => rank(m) >= 0);
  return rest.concat(labelled.sort((a, b) => rank(a) - rank(b)));
}

function setModelOptions() {
  S.models = orderModels(S.models);
  const sel = $('model');
  sel.textContent = '';
  for (const m of S.models) {
    const o = document.createElement('option');
    o.value = m.name;
    o.textContent = m.source === 'local' ? `${m.name} (your file)`
      : m.source === 'folder' ? `${m.name} (--models)` : BUNDLED_LABELS[m.name] || m.name;
    sel.append(o);
  }
  if (S.model !== null) sel.value = S.model;
  sel.disabled = S.busy || S.models.length === 0;
}

function fetchModel(m) {
  return fetch(m.url).then((r) => {
    if (!r.ok) throw new Error(`HTTP ${r.status}`);
    return r.arrayBuffer();
  });
}

// pickModel opens a model of the picker; prefetched, when given, is a
// promise of its bytes already on the way.
async function pickModel(name, prefetched = null) {
  const m = S.models.find((x) => x.name === name);
  if (!m) return;
  let bytes;
  if (m.source === 'local') {
    bytes = S.local.get(name).slice(0);
  } else {
    status(`Fetching ${m.name}…`);
    try {
      bytes = await (prefetched || fetchModel(m));
    } catch (e) {
      showError(`Could not fetch ${m.url}: ${e.message}`);
      setModelOptions();
      return;
    }
  }
  await openModel(name, bytes, m.size ?? bytes.byteLength, m.source);
}

async function openLocal(file) {
  if (!S.ready) {
    showError('The sampler is not loaded yet.');
    return;
  }
  if (S.busy) {
    showError(`Still opening a model: drop ${file.name} again in a moment.`);
    return;
  }
  if (file.size > 512 << 20) {
    showError(`${file.name}: ${fmtBytes(file.size)} is too large for a model file`);
    return;
  }
  let bytes;
  try {
    bytes = await file.arrayBuffer();
  } catch (e) {
    showError(`Could not read ${file.name}: ${e.message}`);
    return;
  }
  const name = file.name.replace(/\.gebm$/i, '') || file.name;
  S.localData.delete(name); // a file, not the model trained here under that name
  await openAsLocal(name, bytes, file.name);
}

// openAsLocal opens a model the page holds (a user's file, or one trained
// in Train mode) and adds it to the picker as a local file.
async function openAsLocal(name, bytes, label = name) {
  const keep = bytes.slice(0);
  if (await openModel(name, bytes, keep.byteLength, 'local', label)) {
    S.local.set(name, keep);
    S.models = S.models.filter((m) => m.name !== name || m.source !== 'local');
    S.models.push({ name, source: 'local', size: keep.byteLength });
    setModelOptions();
    return true;
  }
  return false;
}

// openTrained opens a model trained in Train mode in the sampler.
// data, when given, is the training data (n×2, the model's coordinates),
// which the plane shows instead of a toy set's sample.
async function openTrained(name, bytes, data = null) {
  if (!S.ready) {
    showError('The sampler is not loaded yet.');
    return false;
  }
  if (data) S.localData.set(name, data);
  return openAsLocal(name, bytes, `${name} (trained here)`);
}

// openModel opens bytes in the worker; on failure the current model stays
// open and running as it was.
async function openModel(name, bytes, size, source, label = name) {
  const wasRunning = S.running;
  if (S.running) await pause();
  S.busy = true;
  syncControls();
  status(`Opening ${label}…`);
  let desc;
  try {
    desc = await S.worker.call('open', { bytes }, [bytes]);
  } catch (e) {
    S.busy = false;
    const what = e.kind === 'model' ? 'is not a usable model file' : 'could not be opened';
    showError(`${label} ${what}: ${e.message.replace(/^sampler: open: /, '')}`);
    setModelOptions();
    syncControls();
    status(S.model ? `Still showing ${S.model}` : 'No model open');
    if (wasRunning && S.model) await toggleRun();
    return false;
  }
  clearError();
  if (S.marks.opened === undefined) S.marks.opened = performance.now();
  S.model = name;
  S.desc = desc;
  S.epoch++; // frames of the old model's chains are stale now
  setModelOptions();
  describe(desc, size, source);
  S.view = viewOf(desc);
  $('none-text').textContent = S.view === 'none' && desc.image
    ? `This model's samples are ${imageWords(desc.image)} images: the image view draws one channel (grey) or three (colour), ` +
      'so the page runs its chains and reports their energy, but draws nothing.'
    : NONE_TEXT;
  $('view-2d').hidden = S.view !== 'plane';
  $('view-image').hidden = S.view !== 'image';
  $('view-none').hidden = S.view !== 'none';
  $('layers-panel').hidden = S.view !== 'plane';
  const choices = CHAIN_CHOICES[S.view].filter((n) => n <= desc.maxChains);
  if (choices.length === 0) choices.push(desc.maxChains);
  S.n = choices.includes(DEFAULT_CHAINS[S.view]) ? DEFAULT_CHAINS[S.view] : choices[choices.length - 1];
  const sel = $('chains');
  sel.textContent = '';
  for (const n of choices) {
    const o = document.createElement('option');
    o.value = n;
    o.textContent = String(n);
    sel.append(o);
  }
  sel.value = S.n;
  S.data = null; S.heat = null; S.bounds = null; S.generator = null;
  if (S.view === 'image') S.stepSize.mala = Math.min(S.stepSize.mala, 0.02);
  syncControls();
  await restart();
  const what = desc.image ? `${imageWords(desc.image)} images` : `${desc.dim}-D`;
  status(`${name}${desc.dataset && desc.dataset !== name ? ` (${desc.dataset})` : ''}: ${what}, latent ${desc.latent}`);
  if (S.view === 'plane') await planeBackground(desc);
  flowModel(S.worker.workers[0], desc); // the MMD flow panel (flow.js), for 2-D models
  if (wasRunning) await toggleRun();
  return true;
}

function describe(d, size, source) {
  const rows = [
    ['data', d.dataset || 'unknown'],
    ['sample', d.image ? imageWords(d.image) : `${d.dim}-D`],
    ['latent z', `${d.latent}-D`],
    ['parameters', d.params.toLocaleString('en')],
    ['trained', `${d.trainingSteps.toLocaleString('en')} steps`],
    ['log-normaliser A', fmt(d.a)],
    ['file', `${fmtBytes(size)}, ${source === 'local' ? 'your file' : source === 'folder' ? '--models folder' : 'bundled'}`],
  ];
  const dl = $('model-info');
  dl.textContent = '';
  for (const [k, v] of rows) {
    const dt = document.createElement('dt');
    dt.textContent = k;
    const dd = document.createElement('dd');
    dd.textContent = v;
    dl.append(dt, dd);
  }
}

// planeBackground fetches the data set's reference points and computes the
// energy heat map, after the first samples are on screen.
async function planeBackground(desc) {
  const model = S.model;
  $('data-note').textContent = '';
  const given = S.models.some((m) => m.name === model && m.source === 'local') ? S.localData.get(model) : null;
  if (given) {
    S.data = given;
  } else if (desc.dataset && desc.dataset !== 'points') { // "points": drawn data (sampler.PointsName), not a toy set
    try {
      const r = await fetch(`data/${encodeURIComponent(desc.dataset)}.json`);
      if (r.ok) {
        const j = await r.json();
        if (j.dim === 2 && S.model === model) {
          S.data = Float32Array.from(j.points, (v) => v * desc.scale + desc.offset);
        }
      }
    } catch (e) { /* no data points: the legend says so */ }
  }
  if (S.model !== model) return;
  if (!S.data) $('data-note').textContent = ` (not available for “${desc.dataset || 'this model'}”)`;
  S.bounds = bounds(S.data, S.generator);
  requestDraw();
  try {
    const b = S.bounds;
    const { e } = await S.worker.call('grid', { xmin: b.xmin, xmax: b.xmax, ymin: b.ymin, ymax: b.ymax, res: GRID_RES });
    if (S.model !== model) return;
    S.range = energyRange(e);
    S.heat = heatImage(e, GRID_RES, S.range);
    S.heatBounds = b;
    $('ramp-lo').textContent = fmt(S.range.lo);
    $('ramp-hi').textContent = fmt(S.range.hi);
    requestDraw();
  } catch (e) {
    showError(`Energy heat map: ${e.message}`);
  }
}

// ---- drawing ----

// While running, the image view redraws at most every imageEveryMs: its
// frames arrive faster than a person follows 64 changing digits, and every
// repaint of the grids takes CPU from the workers on a machine with few
// cores. Anything else draws once per animation frame that asks.
const imageEveryMs = 200;
const drawNow = oncePerFrame(draw);
let lastImageDraw = -Infinity;
let imageTimer = 0;
function requestDraw() {
  if (S.view === 'image' && S.running) {
    const wait = lastImageDraw + imageEveryMs - performance.now();
    if (wait > 0) {
      if (!imageTimer) imageTimer = setTimeout(() => { imageTimer = 0; drawNow(); }, wait);
      return;
    }
  }
  drawNow();
}
let genDrawn = null; // the generator's samples the image view's first grid shows

// imageRange is the model-space values drawn as black and white: the
// data's offset (a raw pixel of 0) and 1, the top of the [−1, 1] that
// gebm scales image data to (or of [0, 1], for data not shifted).
function imageRange() {
  const lo = S.desc ? S.desc.offset : 0;
  return { lo, hi: Math.max(1, lo + 1e-3) };
}

function draw() {
  if (S.view === 'plane' && plane && S.chains) {
    if (!S.bounds) S.bounds = bounds(S.data, S.generator);
    plane.draw({
      bounds: S.bounds, heat: S.heat, heatBounds: S.heatBounds, data: S.data, generator: S.generator,
      chains: S.chains, trails: S.trails,
      show: {
        heat: $('show-heat').checked, data: $('show-data').checked, generator: $('show-generator').checked,
        chains: $('show-chains').checked, trails: $('show-trails').checked && S.running,
      },
    });
  } else if (S.view === 'image' && S.chains && S.desc) {
    lastImageDraw = performance.now();
    const { lo, hi } = imageRange();
    if (genDrawn !== S.generator) { // they change with the chain set only
      drawGrid($('grid-gen'), S.generator, S.n, S.desc.image, lo, hi);
      genDrawn = S.generator;
    }
    drawGrid($('grid-mcmc'), S.chains, S.n, S.desc.image, lo, hi);
  }
  if (S.chains) {
    S.draws++;
    if (S.firstSamplesMs === null) {
      S.firstSamplesMs = performance.now(); // since navigation started
      $('first-note').textContent = `first drawn at ${Math.round(S.firstSamplesMs)} ms`;
    }
  }
  if (S.method === 'sir') $('acceptance').textContent = S.sir ? `${(100 * S.sir.ess / S.sir.pool).toFixed(1)}%` : '–';
  else $('acceptance').textContent = S.acc === null ? '–' : `${(100 * S.acc).toFixed(1)}%`;
  syncReadoutNote();
  $('mean-energy').textContent = fmt(S.meanE, 4);
  $('energy-start').textContent = fmt(S.startE, 4);
  $('rate').textContent = S.rate === null ? '–' : S.rate >= 100 ? Math.round(S.rate).toLocaleString('en') : S.rate.toFixed(1);
  $('steps').textContent = S.steps.toLocaleString('en');
  sparkline($('energy-spark'), S.history, COLORS.chain);
}

// ---- start ----

// noteCSP records a Content-Security-Policy violation (the server's policy,
// www/server.go, allows everything the page does, so any is a bug, or an
// extension's script) and warns on the console.
function noteCSP(v) {
  S.csp.push(v);
  console.warn(`Content-Security-Policy: ${v.directive} blocked ${v.blocked || 'a script'}` +
    (v.source ? ` (${v.source}:${v.line})` : ''));
}

document.addEventListener('securitypolicyviolation', (ev) => noteCSP({
  directive: ev.effectiveDirective, blocked: ev.blockedURI, source: ev.sourceFile, line: ev.lineNumber,
}));

async function start() {
  plane = new Plane($('plane'));
  NONE_TEXT = $('none-text').textContent;
  $('ramp').style.background = rampCSS();
  wireControls();
  wireFlow();
  wireTrain({
    async pauseSampler() {
      if (S.running) {
        await pause();
        syncControls();
      }
    },
    openModel: openTrained,
    status,
    noteCSP,
    redraw: requestDraw,
  });
  syncControls();
  S.worker = new SamplerPool(); // one sampler worker per core (pool.js)
  S.worker.onframe = (f) => {
    S.worker.post('ack');
    onFrame(f);
  };
  S.worker.oncsp = (v) => noteCSP({ directive: v.directive, blocked: v.blocked, source: v.source, line: v.line, worker: true });
  S.worker.onstopped = (err) => {
    S.running = false;
    syncControls();
    showError(`The sampler stopped: ${err.message}`);
  };
  S.worker.onfatal = (err) => {
    S.ready = false;
    S.running = false;
    syncControls();
    showError(err.message);
    status('The sampler is not available');
  };
  // The model list and the default model download while the sampler
  // compiles.
  const index = fetch('models/index.json').then((r) => {
    if (!r.ok) throw new Error(`models/index.json: HTTP ${r.status}`);
    return r.json();
  });
  const first = index.then((idx) => {
    const m = idx.models.find((x) => x.name === idx.default);
    return m ? fetchModel(m) : null;
  });
  first.catch(() => {}); // reported when used
  try {
    await S.worker.call('init');
  } catch (e) {
    showError(e.message);
    status('The sampler is not available');
    return;
  }
  S.ready = true;
  S.marks.sampler = performance.now();
  let idx;
  try {
    idx = await index;
  } catch (e) {
    showError(`Could not list the models: ${e.message}. You can still open a .gebm file.`);
    status('Open a model file');
    syncControls();
    return;
  }
  S.models = idx.models;
  setModelOptions();
  if (!idx.default) {
    status('No bundled model: open a .gebm file');
    syncControls();
    return;
  }
  $('model').value = idx.default;
  await pickModel(idx.default, first);
}

start();
