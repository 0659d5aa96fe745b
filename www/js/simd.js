// The glue between a Go WebAssembly module built with -tags wasmsimd and
// gebm's SIMD128 matrix kernel (wasm/simd/gemm.wasm): the Go code does every
// matrix product through one import, gebm.gemm, which this file provides as
// a trampoline into the kernel's export, once the kernel runs on the Go
// module's own memory. A classic script, for importScripts in a worker and
// require in Node; it defines globalThis.gebmSIMD:
//
//   const link = gebmSIMD.link();
//   const go = new Go();
//   Object.assign(go.importObject, link.imports);   // before instantiating
//   const { instance } = await WebAssembly.instantiate(bytes, go.importObject);
//   go.run(instance);                                  // registers gebm
//   await link.attach(instance.exports.mem, gebm.simdKernel());  // true: SIMD on
//
// Until attach succeeds (and where the engine lacks SIMD128, for good) the
// trampoline answers 0, and the Go code does the product with its own
// kernel instead.
'use strict';
(function () {
  // (func (result v128) i32.const 0 i8x16.splat i8x16.popcnt): valid only
  // in an engine with SIMD128.
  const probe = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0,
    10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11]);

  function supported() {
    try {
      return typeof WebAssembly === 'object' && WebAssembly.validate(probe);
    } catch (e) {
      return false;
    }
  }

  function link() {
    let kernel = null;
    const gemm = (tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc) =>
      kernel === null ? 0 : kernel(tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    return {
      imports: { gebm: { gemm } },
      // attach instantiates the kernel (bytes: a BufferSource) on memory, the
      // Go instance's exported memory (exports.mem for GOOS=js, exports.memory
      // for wasip1). It resolves to false, and leaves the Go kernel in
      // charge, where the engine has no SIMD128 or there are no bytes.
      async attach(memory, bytes) {
        if (!bytes || !supported()) return false;
        const { instance } = await WebAssembly.instantiate(bytes, { env: { memory } });
        kernel = instance.exports.gemm;
        return true;
      },
      get attached() { return kernel !== null; },
    };
  }

  globalThis.gebmSIMD = { supported, link };
})();
