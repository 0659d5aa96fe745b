// Runs a GOOS=js GOARCH=wasm binary in Node with gebm's SIMD128 kernel
// attached to its memory (see go_js_wasm_exec): the same set-up as Go's
// $GOROOT/lib/wasm/wasm_exec_node.js, plus the import gebm.gemm and
// www/js/api.js (which wasm/js needs to register globalThis.gebm).
'use strict';
const fs = require('fs');
const path = require('path');

if (process.argv.length < 3) {
  console.error('usage: go_js_wasm_exec [wasm binary] [arguments]');
  process.exit(1);
}

globalThis.require = require;
globalThis.fs = fs;
globalThis.path = path;
globalThis.TextEncoder = require('util').TextEncoder;
globalThis.TextDecoder = require('util').TextDecoder;
globalThis.performance ??= require('perf_hooks').performance;
globalThis.crypto ??= require('crypto');

require(path.join(process.env.GOROOT, 'lib', 'wasm', 'wasm_exec.js'));
require(path.join(__dirname, '..', '..', 'www', 'js', 'simd.js'));
require(path.join(__dirname, '..', '..', 'www', 'js', 'api.js')); // globalThis.gebmAPI, for wasm/js

(async () => {
  const go = new Go();
  go.argv = process.argv.slice(2);
  go.env = Object.assign({ TMPDIR: require('os').tmpdir() }, process.env);
  go.exit = process.exit;
  const link = gebmSIMD.link();
  Object.assign(go.importObject, link.imports);
  const { instance } = await WebAssembly.instantiate(fs.readFileSync(process.argv[2]), go.importObject);
  if (process.env.GEBM_SIMD !== '0' &&
      !(await link.attach(instance.exports.mem, fs.readFileSync(path.join(__dirname, 'gemm.wasm'))))) {
    throw new Error('this Node has no WebAssembly SIMD128');
  }
  process.on('exit', (code) => { // Node exits if no event handler is pending
    if (code === 0 && !go.exited) {
      // deadlock: make Go print the error and stack traces
      go._pendingEvent = { id: 0 };
      go._resume();
    }
  });
  await go.run(instance);
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
