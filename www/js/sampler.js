// The page's side of the sampler worker (worker.js) or of the trainer's
// (trainworker.js): calls that return
// promises, and callbacks for the frames a running sampler sends and for
// the Content-Security-Policy violations the worker reports (oncsp).


export class SamplerWorker {
  // script: the worker's script, worker.js (the sampler) or trainworker.js
  // (the trainer), which speak the same protocol.
  constructor(script = 'worker.js') {
    this.worker = new Worker(new URL(`./${script}`, import.meta.url));
    this.next = 1;
    this.pending = new Map();
    this.onframe = () => {};
    this.onstopped = () => {};
    this.onfatal = () => {};
    this.oncsp = () => {};
    this.worker.onmessage = (ev) => this.receive(ev.data);
    this.worker.onerror = (ev) => {
      ev.preventDefault();
      const err = Object.assign(new Error(ev.message || 'the sampler worker failed'), { kind: 'load' });
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
      this.onfatal(err);
    };
  }

  receive(m) {
    if (m.op === 'frame') return this.onframe(m);
    if (m.op === 'stopped') return this.onstopped(m.error, m.frame);
    if (m.op === 'csp') return this.oncsp(m);
    const p = this.pending.get(m.id);
    if (!p) return;
    this.pending.delete(m.id);
    if (m.ok) p.resolve(m.result);
    else p.reject(Object.assign(new Error(m.error.message), { kind: m.error.kind }));
  }

  // call runs op in the worker and resolves to its result; a failure
  // rejects with an Error whose kind is the sampler's error kind.
  call(op, args = {}, transfer = []) {
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, op, ...args }, transfer);
    });
  }

  // post sends op without waiting for an answer.
  post(op, args = {}) {
    this.worker.postMessage({ op, ...args });
  }
}
