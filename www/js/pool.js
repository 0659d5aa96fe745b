// SamplerPool spreads the chains over one sampler worker (worker.js) per
// core and merges what they return, behind the interface of SamplerWorker
// (sampler.js): call(op, args, transfer), post(op, args), and the
// callbacks onframe, onstopped, onfatal and oncsp. Every worker holds the
// model; a chain set of n chains is n/W chains in each of W workers (seeds
// seed, seed+1, ...), and a frame is the workers' frames concatenated in
// worker order, so the page sees one chain set.
//
// While running, every worker runs its own loop (worker.js's run: frames of
// at least 30 ms of transitions, energies twice a second, at most two
// frames ahead of the pool's acknowledgements), so that no worker waits for
// another, nor for this thread while it draws: the chains of different
// workers are independent, so they need not move in lock-step. The pool
// acknowledges each worker frame when this thread takes it in, keeps the
// latest frame of every worker and hands the page a merged frame whenever
// every worker has sent a new one: their latest samples, the steps that all
// chains have completed since the last frame (the least of the workers'
// counts), and energies once every worker has sent fresh ones. The page's
// thread only concatenates arrays; all sampling runs in the workers. Single
// steps, β changes, new chains and pause still go to every worker and wait
// for all.
import { SamplerWorker } from './sampler.js';

// logSumExp is log Σ exp(v_i), computed about the largest v_i.
function logSumExp(v) {
  const m = Math.max(...v);
  if (!Number.isFinite(m)) return m;
  return m + Math.log(v.reduce((s, x) => s + Math.exp(x - m), 0));
}

// mergeSIR combines the SIR draws of the workers (gebm.sir's results) into
// the draw's description as one pool: the pools' sizes add, and the ESS of
// the union of the pools is (Σw)²/Σw² = exp(2 log Σw − log Σw²), the sums
// running over every worker's pool. (Each worker resamples its own chains
// from its own pool: a stratified draw, which is as exact.) With one worker
// its own result stands.
export function mergeSIR(rs) {
  if (rs.length === 1) return { ...rs[0] };
  const logSumW = logSumExp(rs.map((r) => r.logSumW));
  const logSumW2 = logSumExp(rs.map((r) => r.logSumW2));
  const sum = (k) => rs.reduce((s, r) => s + r[k], 0);
  return { pool: sum('pool'), ess: Math.exp(2 * logSumW - logSumW2), logSumW, logSumW2, zero: sum('zero'), distinct: sum('distinct') };
}

export class SamplerPool {
  // size: workers, by default one per core (navigator.hardwareConcurrency),
  // at most 8.
  constructor(size = Math.min(8, Math.max(1, navigator.hardwareConcurrency || 1))) {
    this.workers = [];
    this.onframe = () => {};
    this.onstopped = () => {};
    this.onfatal = () => {};
    this.oncsp = () => {};
    this.fatal = false;
    for (let i = 0; i < size; i++) {
      const w = new SamplerWorker();
      w.onfatal = (err) => {
        if (this.fatal) return;
        this.fatal = true;
        this.running = false;
        this.onfatal(err);
      };
      w.oncsp = (v) => this.oncsp(v);
      const i = this.workers.length;
      w.onframe = (f) => this.take(i, f);
      w.onstopped = (err) => this.stopped(err);
      this.workers.push(w);
    }
    this.active = 1;      // workers holding chains of the current set
    this.counts = [0];    // chains in each active worker
    this.epoch = 0;
    this.running = false;
    this.latest = [];     // while running: each active worker's latest frame
    this.done = [];       // while running: transitions each active worker has made
    this.reported = 0;    // while running: transitions of all chains handed to the page
    this.energies = [];   // while running: each worker's energies not yet handed on, or null
    this.fresh = [];      // while running: the workers whose latest frame the page has not had
    this.info = { workers: size, simd: false };
  }

  get size() { return this.workers.length; }

  // all runs op with args in the first n workers (args may be a function of
  // the worker's index) and resolves to their results in order.
  all(op, args = {}, n = this.active) {
    return Promise.all(this.workers.slice(0, n).map((w, i) => w.call(op, typeof args === 'function' ? args(i) : args)));
  }

  // merge concatenates the active workers' frames into one ({} where a
  // worker has no chains yet, as a single worker answers).
  merge(frames) {
    if (frames.some((f) => !f || !f.x)) return {};
    const total = frames.reduce((s, f) => s + f.x.length, 0);
    const x = new Float32Array(total);
    let off = 0;
    for (const f of frames) { x.set(f.x, off); off += f.x.length; }
    let e = null;
    if (frames.every((f) => f.e)) {
      e = new Float32Array(frames.reduce((s, f) => s + f.e.length, 0));
      off = 0;
      for (const f of frames) { e.set(f.e, off); off += f.e.length; }
    }
    let acc = null;
    if (frames.every((f) => typeof f.acc === 'number')) {
      let n = 0;
      acc = 0;
      frames.forEach((f, i) => { acc += f.acc * this.counts[i]; n += this.counts[i]; });
      acc = n ? acc / n : 0;
    }
    let sir = null;
    if (frames.every((f) => f.sir)) sir = mergeSIR(frames.map((f) => f.sir));
    return { x, e, acc, sir, steps: frames[0].steps, stepMs: Math.max(...frames.map((f) => f.stepMs)), epoch: frames[0].epoch };
  }

  async call(op, args = {}, transfer = []) {
    switch (op) {
      case 'init': {
        const r = await this.all('init', {}, this.size);
        this.info.simd = r.every((x) => x && x.simd);
        console.info(`gebm sampler: ${this.size} worker${this.size === 1 ? '' : 's'}, ` +
          (this.info.simd ? 'SIMD128 matrix kernel' : 'Go matrix kernel (no WebAssembly SIMD128)'));
        return { ...r[0], ...this.info };
      }
      case 'open': {
        // Every worker gets the model; all but the last a copy.
        const bytes = args.bytes;
        const r = await Promise.all(this.workers.map((w, i) => i === this.size - 1
          ? w.call('open', { bytes }, transfer)
          : w.call('open', { bytes: bytes.slice(0) })));
        this.active = 1;
        this.counts = [0];
        return r[0];
      }
      case 'grid': return this.workers[0].call('grid', args);
      case 'chains': {
        const n = args.n;
        this.active = Math.max(1, Math.min(this.size, n));
        this.counts = [];
        for (let i = 0; i < this.active; i++) this.counts.push(Math.floor(n / this.active) + (i < n % this.active ? 1 : 0));
        this.epoch = args.epoch;
        this.perTick = 1;
        return this.merge(await this.all('chains', (i) => ({ ...args, n: this.counts[i], seed: args.seed + i })));
      }
      case 'beta': return this.merge(await this.all('beta', args));
      case 'step': return this.merge(await this.all('step', args));
      case 'run':
        if (!this.running) {
          this.running = true;
          this.latest = new Array(this.active).fill(null);
          this.done = new Array(this.active).fill(0);
          this.reported = 0;
          this.energies = new Array(this.active).fill(null);
          this.fresh = new Array(this.active).fill(false);
          await this.all('run');
        }
        return {};
      case 'pause': {
        // Frames still on their way are dropped (take), as the page stops
        // counting when it asks to pause; the answer is the final state.
        this.running = false;
        return this.merge(await this.all('pause'));
      }
      default: { // params and anything new: every worker
        const r = await this.all(op, args, this.size);
        return r[0];
      }
    }
  }

  post(op, args = {}) {
    if (op === 'ack') return; // the pool acknowledges each worker's frames itself (take)
    for (const w of this.workers) w.post(op, args);
  }

  // take receives worker i's frame while running: it acknowledges it (the
  // worker may run two frames ahead of this thread, no further) and, once
  // every worker has sent a frame since the last merge, hands the page the
  // merged frame (see the file's comment): one merge and one frame for the
  // page per frame of the slowest worker, whose count is the page's anyway.
  take(i, f) {
    this.workers[i].post('ack');
    if (!this.running || i >= this.active || f.epoch !== this.epoch) return;
    this.latest[i] = f;
    this.done[i] += f.steps;
    this.fresh[i] = true;
    if (f.e) this.energies[i] = f.e;
    if (!this.fresh.every(Boolean)) return;
    this.fresh.fill(false);
    const m = this.merge(this.latest);
    const all = Math.min(...this.done);
    m.steps = all - this.reported;
    this.reported = all;
    m.e = null;
    if (this.energies.every((e) => e !== null)) {
      m.e = this.merge(this.latest.map((x, j) => ({ ...x, e: this.energies[j] }))).e;
      this.energies.fill(null);
    }
    this.onframe({ op: 'frame', ...m });
  }

  // stopped: a worker's loop failed; the others stop too.
  stopped(err) {
    if (!this.running) return;
    this.running = false;
    for (const w of this.workers) w.post('pause');
    this.onstopped(err);
  }
}
