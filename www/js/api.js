// The sampler's JavaScript face. The GOOS=js module (wasm/js) cannot throw
// from Go: each of its functions returns a JavaScript Error when the call
// fails. This classic script, loaded before the module runs (importScripts
// in the worker, require in Node), defines globalThis.gebmAPI(raw), which the
// module calls once at start with its raw functions; the object it returns,
// frozen, becomes globalThis.gebm: the same functions, each throwing the
// Error its raw function returned instead of returning it. It is a file, not
// a string the module compiles (new Function), so that the page's
// Content-Security-Policy needs no 'unsafe-eval'.
'use strict';
globalThis.gebmAPI = function gebmAPI(raw) {
  const api = {};
  for (const [name, f] of Object.entries(raw)) {
    api[name] = (...args) => {
      const r = f(...args);
      if (r instanceof Error) throw r;
      return r;
    };
  }
  return Object.freeze(api);
};
