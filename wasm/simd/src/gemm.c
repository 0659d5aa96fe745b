// gemm.c: gebm's matrix-multiply kernel for WebAssembly SIMD128.
//
// Built by ../build.sh (clang --target=wasm32 -msimd128, linked by wasm-ld with
// --import-memory) into ../gemm.wasm, a module of one function that works on the
// linear memory it imports as env.memory: the Go module's own memory, so that
// the Go code passes its slices by address and nothing is copied. The module
// has no data, no stack and no globals of its own (../simd_test.go checks), so it
// never writes a byte of that memory outside C.
//
//   int32 gemm(op, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
//
// computes C = alpha·A·op(B) + beta·C for row-major float32 matrices: A is
// m×k (row stride lda), op(B) is k×n, B stored k×n (tB = 0) or n×k (tB = 1)
// with row stride ldb, C m×n with row stride ldc. With beta = 0, C is not
// read (it may hold NaN). op's bit 0 is tB; op without bit 0 is 0 or the
// address of an epilogue (struct epilogue below, 8-byte aligned), which
// then changes what is stored (beta must then be 0). It returns 1 for a
// plain product, 2 for one with its epilogue (the Go side takes any other
// value, such as the 0 of a host without this kernel, to mean "not done").
//
// The epilogues are a linear layer's and the activation's after it
// (shared/nn, fused.go, whose Go loops compute the same values bit for bit:
// the same float32 and float64 operations in the same order; no fused
// multiply-adds exist in SIMD128 or are made by clang for WebAssembly):
//   - forward (tB = 1): P = alpha·A·Bᵀ + bias (bias[j] added to column j;
//     no bias when its address is 0), stored to pre (row stride ldc) unless
//     that is 0, and C = σ(P), σ by kind;
//   - backward (tB = 0): P = alpha·A·B, stored to pre unless 0, and
//     C = σ'·P, σ' the activation's derivative from aux (row stride ldc):
//     the activation's input for the piecewise-linear kinds, its output for
//     tanh (σ' = 1 − y²).
// The epilogue is applied to each block of C right after the block's last
// store, while it is in the L1 cache.
//
// The two layouts are the two products of a linear layer y = x·Wᵀ (W out×in):
//   - forward, tB = 1, B = W: every C entry is a dot product of a row of A and
//     a row of B, both contiguous. 2×4 blocks of C, each entry's four partial
//     sums in one vector, summed across at the end of the row: eight vector
//     accumulators, six vector loads per eight multiply-adds.
//   - backward to the input, tB = 0, B = W: C's rows are sums of B's rows
//     scaled by entries of A. 4×8 blocks of C (4 rows × two vectors), each
//     step of k one broadcast entry of A per row and two vectors of a row of
//     B: eight accumulators, six loads per eight multiply-adds. k is cut into
//     blocks of KC so that the k×8 panel of B stays in the L1 cache while
//     every block of rows of A passes over it.
// Twelve or fewer vector registers in either, so that V8 (15 usable on x64)
// and wazero keep them all in registers. No fused multiply-add: SIMD128 has
// none (relaxed SIMD's is not everywhere), so every product is rounded
// before the add, as in Go's kernel.
#include <wasm_simd128.h>

#define EXPORT(name) __attribute__((export_name(name)))

// The epilogue's activation kinds (shared/nn's epilogueKind).
enum { EP_NONE = 0, EP_LEAKY = 1, EP_TANH = 2, EP_FLOOR = 3 };

// epilogue, as shared/nn's epilogueDesc lays it out in the Go module's
// memory: 32-bit words, addresses as byte offsets into that memory.
struct epilogue {
  int kind;            // EP_*
  float param;         // EP_LEAKY: the slope for x ≤ 0 (0: ReLU); EP_FLOOR: the floor c
  const float *bias;   // forward: n floats, or 0
  float *pre;          // P's destination (row stride ldc), or 0
  const float *aux;    // backward: the activation's input (EP_LEAKY, EP_FLOOR) or output (EP_TANH), row stride ldc
  const double *coef;  // EP_TANH: clamp, P1..P6, Q1..Q3 (shared/nn's tanhCoef)
};

// tanh2 is Tanh32 (shared/nn/tanh.go) of the two float64 lanes of z: the
// clamp to ±coef[0], then z·P(z²)/Q(z²), every product rounded before its sum.
static inline v128_t tanh2(v128_t z, const double *coef) {
  v128_t cl = wasm_f64x2_splat(coef[0]), ncl = wasm_f64x2_neg(cl);
  z = wasm_v128_bitselect(cl, z, wasm_f64x2_gt(z, cl)); // NaN fails both comparisons
  z = wasm_v128_bitselect(ncl, z, wasm_f64x2_lt(z, ncl));
  v128_t t = wasm_f64x2_mul(z, z);
  v128_t p = wasm_f64x2_add(wasm_f64x2_mul(t, wasm_f64x2_splat(coef[6])), wasm_f64x2_splat(coef[5]));
  p = wasm_f64x2_add(wasm_f64x2_mul(t, p), wasm_f64x2_splat(coef[4]));
  p = wasm_f64x2_add(wasm_f64x2_mul(t, p), wasm_f64x2_splat(coef[3]));
  p = wasm_f64x2_add(wasm_f64x2_mul(t, p), wasm_f64x2_splat(coef[2]));
  p = wasm_f64x2_add(wasm_f64x2_mul(t, p), wasm_f64x2_splat(coef[1]));
  p = wasm_f64x2_add(wasm_f64x2_mul(t, p), wasm_f64x2_splat(1));
  v128_t q = wasm_f64x2_add(wasm_f64x2_mul(t, wasm_f64x2_splat(coef[9])), wasm_f64x2_splat(coef[8]));
  q = wasm_f64x2_add(wasm_f64x2_mul(t, q), wasm_f64x2_splat(coef[7]));
  q = wasm_f64x2_add(wasm_f64x2_mul(t, q), wasm_f64x2_splat(1));
  return wasm_f64x2_div(wasm_f64x2_mul(z, p), q);
}

// act4 is σ of four floats.
static inline v128_t act4(const struct epilogue *ep, v128_t v) {
  switch (ep->kind) {
  case EP_LEAKY:
    return wasm_v128_bitselect(v, wasm_f32x4_mul(wasm_f32x4_splat(ep->param), v), wasm_f32x4_gt(v, wasm_f32x4_splat(0)));
  case EP_TANH: {
    v128_t lo = tanh2(wasm_f64x2_promote_low_f32x4(v), ep->coef);
    v128_t hi = tanh2(wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(v, v, 2, 3, 2, 3)), ep->coef);
    return wasm_i32x4_shuffle(wasm_f32x4_demote_f64x2_zero(lo), wasm_f32x4_demote_f64x2_zero(hi), 0, 1, 4, 5);
  }
  case EP_FLOOR:
    return wasm_f32x4_max(v, wasm_f32x4_splat(ep->param));
  }
  return v;
}

// deriv4 is σ' of four floats from the activation's input x (EP_LEAKY,
// EP_FLOOR) or output (EP_TANH), as shared/nn's activation.derivAt.
static inline v128_t deriv4(const struct epilogue *ep, v128_t x) {
  switch (ep->kind) {
  case EP_LEAKY:
    return wasm_v128_bitselect(wasm_f32x4_splat(1), wasm_f32x4_splat(ep->param), wasm_f32x4_gt(x, wasm_f32x4_splat(0)));
  case EP_TANH:
    return wasm_f32x4_sub(wasm_f32x4_splat(1), wasm_f32x4_mul(x, x));
  case EP_FLOOR:
    return wasm_v128_and(wasm_f32x4_splat(1), wasm_f32x4_gt(x, wasm_f32x4_splat(ep->param)));
  }
  return wasm_f32x4_splat(1);
}

// ep4 applies the epilogue to the four floats of C at row offset off (c + off
// in C, pre + off, aux + off), columns j..j+3; fwd says which.
static inline void ep4(const struct epilogue *ep, int fwd, float *c, int off, int j) {
  v128_t v = wasm_v128_load(c + off);
  if (fwd) {
    if (ep->bias) v = wasm_f32x4_add(v, wasm_v128_load(ep->bias + j));
    if (ep->pre) wasm_v128_store(ep->pre + off, v);
    v = act4(ep, v);
  } else {
    if (ep->pre) wasm_v128_store(ep->pre + off, v);
    v = wasm_f32x4_mul(deriv4(ep, wasm_v128_load(ep->aux + off)), v);
  }
  wasm_v128_store(c + off, v);
}

// ep1 is ep4 for one float, through lane 0 of a vector, so that its values
// are ep4's.
static inline void ep1(const struct epilogue *ep, int fwd, float *c, int off, int j) {
  v128_t v = wasm_f32x4_splat(c[off]);
  if (fwd) {
    if (ep->bias) v = wasm_f32x4_add(v, wasm_f32x4_splat(ep->bias[j]));
    if (ep->pre) ep->pre[off] = wasm_f32x4_extract_lane(v, 0);
    v = act4(ep, v);
  } else {
    if (ep->pre) ep->pre[off] = wasm_f32x4_extract_lane(v, 0);
    v = wasm_f32x4_mul(deriv4(ep, wasm_f32x4_splat(ep->aux[off])), v);
  }
  c[off] = wasm_f32x4_extract_lane(v, 0);
}

// ep_block applies the epilogue to rows i0..i1-1, columns j0..j1-1 of C.
static void ep_block(const struct epilogue *ep, int fwd, float *c, int ldc, int i0, int i1, int j0, int j1) {
  if (!ep) return;
  for (int i = i0; i < i1; i++) {
    int j = j0;
    for (; j + 4 <= j1; j += 4) ep4(ep, fwd, c, i * ldc + j, j);
    for (; j < j1; j++) ep1(ep, fwd, c, i * ldc + j, j);
  }
}

// hsum4 returns the vector of the horizontal sums of s0..s3: lane j is the
// sum of the four lanes of sj.
static inline v128_t hsum4(v128_t s0, v128_t s1, v128_t s2, v128_t s3) {
  v128_t t0 = wasm_f32x4_add(wasm_i32x4_shuffle(s0, s1, 0, 4, 1, 5), wasm_i32x4_shuffle(s0, s1, 2, 6, 3, 7));
  v128_t t1 = wasm_f32x4_add(wasm_i32x4_shuffle(s2, s3, 0, 4, 1, 5), wasm_i32x4_shuffle(s2, s3, 2, 6, 3, 7));
  // t0 = [s0a, s1a, s0b, s1b], t1 = [s2a, s3a, s2b, s3b]
  return wasm_f32x4_add(wasm_i32x4_shuffle(t0, t1, 0, 1, 4, 5), wasm_i32x4_shuffle(t0, t1, 2, 3, 6, 7));
}

static inline float hsum(v128_t s) {
  return wasm_f32x4_extract_lane(s, 0) + wasm_f32x4_extract_lane(s, 1) +
         wasm_f32x4_extract_lane(s, 2) + wasm_f32x4_extract_lane(s, 3);
}

// store4 writes alpha·v + beta·C to the four floats at c.
static inline void store4(float *c, v128_t v, float alpha, float beta) {
  v = wasm_f32x4_mul(v, wasm_f32x4_splat(alpha));
  if (beta != 0) v = wasm_f32x4_add(v, wasm_f32x4_mul(wasm_f32x4_splat(beta), wasm_v128_load(c)));
  wasm_v128_store(c, v);
}

static inline void store1(float *c, float v, float alpha, float beta) {
  v *= alpha;
  if (beta != 0) v += beta * *c;
  *c = v;
}

// ---- tB = 1: C[i][j] = <A_i, B_j> ----

// nt_2x4: rows i, i+1 of C, columns j..j+3.
static inline void nt_2x4(int k, const float *a0, const float *a1, const float *b0, int ldb,
                          float *c0, float *c1, float alpha, float beta) {
  const float *b1 = b0 + ldb, *b2 = b1 + ldb, *b3 = b2 + ldb;
  v128_t s00 = wasm_f32x4_splat(0), s01 = s00, s02 = s00, s03 = s00;
  v128_t s10 = s00, s11 = s00, s12 = s00, s13 = s00;
  int p = 0;
  for (; p + 4 <= k; p += 4) {
    v128_t x0 = wasm_v128_load(a0 + p), x1 = wasm_v128_load(a1 + p);
    v128_t y = wasm_v128_load(b0 + p);
    s00 = wasm_f32x4_add(s00, wasm_f32x4_mul(x0, y));
    s10 = wasm_f32x4_add(s10, wasm_f32x4_mul(x1, y));
    y = wasm_v128_load(b1 + p);
    s01 = wasm_f32x4_add(s01, wasm_f32x4_mul(x0, y));
    s11 = wasm_f32x4_add(s11, wasm_f32x4_mul(x1, y));
    y = wasm_v128_load(b2 + p);
    s02 = wasm_f32x4_add(s02, wasm_f32x4_mul(x0, y));
    s12 = wasm_f32x4_add(s12, wasm_f32x4_mul(x1, y));
    y = wasm_v128_load(b3 + p);
    s03 = wasm_f32x4_add(s03, wasm_f32x4_mul(x0, y));
    s13 = wasm_f32x4_add(s13, wasm_f32x4_mul(x1, y));
  }
  v128_t r0 = hsum4(s00, s01, s02, s03), r1 = hsum4(s10, s11, s12, s13);
  if (p < k) {
    float t[2][4] = {{0}};
    for (; p < k; p++) {
      float x0 = a0[p], x1 = a1[p];
      t[0][0] += x0 * b0[p], t[0][1] += x0 * b1[p], t[0][2] += x0 * b2[p], t[0][3] += x0 * b3[p];
      t[1][0] += x1 * b0[p], t[1][1] += x1 * b1[p], t[1][2] += x1 * b2[p], t[1][3] += x1 * b3[p];
    }
    r0 = wasm_f32x4_add(r0, wasm_f32x4_make(t[0][0], t[0][1], t[0][2], t[0][3]));
    r1 = wasm_f32x4_add(r1, wasm_f32x4_make(t[1][0], t[1][1], t[1][2], t[1][3]));
  }
  store4(c0, r0, alpha, beta);
  store4(c1, r1, alpha, beta);
}

// nt_1x4: one row of C, columns j..j+3.
static inline void nt_1x4(int k, const float *a0, const float *b0, int ldb, float *c0, float alpha, float beta) {
  const float *b1 = b0 + ldb, *b2 = b1 + ldb, *b3 = b2 + ldb;
  v128_t s0 = wasm_f32x4_splat(0), s1 = s0, s2 = s0, s3 = s0;
  int p = 0;
  for (; p + 4 <= k; p += 4) {
    v128_t x = wasm_v128_load(a0 + p);
    s0 = wasm_f32x4_add(s0, wasm_f32x4_mul(x, wasm_v128_load(b0 + p)));
    s1 = wasm_f32x4_add(s1, wasm_f32x4_mul(x, wasm_v128_load(b1 + p)));
    s2 = wasm_f32x4_add(s2, wasm_f32x4_mul(x, wasm_v128_load(b2 + p)));
    s3 = wasm_f32x4_add(s3, wasm_f32x4_mul(x, wasm_v128_load(b3 + p)));
  }
  v128_t r = hsum4(s0, s1, s2, s3);
  if (p < k) {
    float t0 = 0, t1 = 0, t2 = 0, t3 = 0;
    for (; p < k; p++) {
      float x = a0[p];
      t0 += x * b0[p], t1 += x * b1[p], t2 += x * b2[p], t3 += x * b3[p];
    }
    r = wasm_f32x4_add(r, wasm_f32x4_make(t0, t1, t2, t3));
  }
  store4(c0, r, alpha, beta);
}

// dot is one entry of C.
static inline float dot(int k, const float *x, const float *y) {
  v128_t s = wasm_f32x4_splat(0);
  int p = 0;
  for (; p + 4 <= k; p += 4) s = wasm_f32x4_add(s, wasm_f32x4_mul(wasm_v128_load(x + p), wasm_v128_load(y + p)));
  float r = hsum(s);
  for (; p < k; p++) r += x[p] * y[p];
  return r;
}

static void gemm_nt(int m, int n, int k, float alpha, const float *a, int lda, const float *b, int ldb,
                    float beta, float *c, int ldc, const struct epilogue *ep) {
  int j = 0;
  // Four rows of B (the columns j..j+3 of C) at a time, against every row
  // of A: those rows of B stay in the L1 cache while A streams past.
  for (; j + 4 <= n; j += 4) {
    const float *bj = b + j * ldb;
    int i = 0;
    for (; i + 2 <= m; i += 2) {
      nt_2x4(k, a + i * lda, a + (i + 1) * lda, bj, ldb, c + i * ldc + j, c + (i + 1) * ldc + j, alpha, beta);
      ep_block(ep, 1, c, ldc, i, i + 2, j, j + 4);
    }
    if (i < m) {
      nt_1x4(k, a + i * lda, bj, ldb, c + i * ldc + j, alpha, beta);
      ep_block(ep, 1, c, ldc, i, i + 1, j, j + 4);
    }
  }
  for (; j < n; j++)
    for (int i = 0; i < m; i++) {
      store1(c + i * ldc + j, dot(k, a + i * lda, b + j * ldb), alpha, beta);
      ep_block(ep, 1, c, ldc, i, i + 1, j, j + 1);
    }
}

// ---- tB = 0: C[i][:] = Σ_p A[i][p]·B_p ----

// KC is the block of k whose k×8 panel of B (KC·32 bytes) stays in L1.
#define KC 256

// nn_4x8: rows i..i+3 of C, columns j..j+7, over p in [0, kc) of the block;
// first says whether to apply beta (the first block of k) or add to C.
static inline void nn_4x8(int kc, const float *a, int lda, const float *b, int ldb, float *c, int ldc,
                          float alpha, float beta) {
  v128_t s00 = wasm_f32x4_splat(0), s01 = s00, s10 = s00, s11 = s00;
  v128_t s20 = s00, s21 = s00, s30 = s00, s31 = s00;
  const float *a0 = a, *a1 = a + lda, *a2 = a1 + lda, *a3 = a2 + lda;
  for (int p = 0; p < kc; p++) {
    v128_t y0 = wasm_v128_load(b), y1 = wasm_v128_load(b + 4);
    b += ldb;
    v128_t x = wasm_v128_load32_splat(a0 + p);
    s00 = wasm_f32x4_add(s00, wasm_f32x4_mul(x, y0));
    s01 = wasm_f32x4_add(s01, wasm_f32x4_mul(x, y1));
    x = wasm_v128_load32_splat(a1 + p);
    s10 = wasm_f32x4_add(s10, wasm_f32x4_mul(x, y0));
    s11 = wasm_f32x4_add(s11, wasm_f32x4_mul(x, y1));
    x = wasm_v128_load32_splat(a2 + p);
    s20 = wasm_f32x4_add(s20, wasm_f32x4_mul(x, y0));
    s21 = wasm_f32x4_add(s21, wasm_f32x4_mul(x, y1));
    x = wasm_v128_load32_splat(a3 + p);
    s30 = wasm_f32x4_add(s30, wasm_f32x4_mul(x, y0));
    s31 = wasm_f32x4_add(s31, wasm_f32x4_mul(x, y1));
  }
  store4(c, s00, alpha, beta), store4(c + 4, s01, alpha, beta), c += ldc;
  store4(c, s10, alpha, beta), store4(c + 4, s11, alpha, beta), c += ldc;
  store4(c, s20, alpha, beta), store4(c + 4, s21, alpha, beta), c += ldc;
  store4(c, s30, alpha, beta), store4(c + 4, s31, alpha, beta);
}

// nn_1x16: one row of C, columns j..j+15 (the rows left over below the
// 4-row blocks, and m = 1).
static inline void nn_1x16(int kc, const float *a, const float *b, int ldb, float *c, float alpha, float beta) {
  v128_t s0 = wasm_f32x4_splat(0), s1 = s0, s2 = s0, s3 = s0;
  for (int p = 0; p < kc; p++) {
    v128_t x = wasm_v128_load32_splat(a + p);
    s0 = wasm_f32x4_add(s0, wasm_f32x4_mul(x, wasm_v128_load(b)));
    s1 = wasm_f32x4_add(s1, wasm_f32x4_mul(x, wasm_v128_load(b + 4)));
    s2 = wasm_f32x4_add(s2, wasm_f32x4_mul(x, wasm_v128_load(b + 8)));
    s3 = wasm_f32x4_add(s3, wasm_f32x4_mul(x, wasm_v128_load(b + 12)));
    b += ldb;
  }
  store4(c, s0, alpha, beta), store4(c + 4, s1, alpha, beta);
  store4(c + 8, s2, alpha, beta), store4(c + 12, s3, alpha, beta);
}

// nn_1x4: one row of C, columns j..j+3.
static inline void nn_1x4(int kc, const float *a, const float *b, int ldb, float *c, float alpha, float beta) {
  v128_t s = wasm_f32x4_splat(0);
  for (int p = 0; p < kc; p++, b += ldb) s = wasm_f32x4_add(s, wasm_f32x4_mul(wasm_v128_load32_splat(a + p), wasm_v128_load(b)));
  store4(c, s, alpha, beta);
}

// nn_1x1: one entry of C.
static inline void nn_1x1(int kc, const float *a, const float *b, int ldb, float *c, float alpha, float beta) {
  float s = 0;
  for (int p = 0; p < kc; p++, b += ldb) s += a[p] * *b;
  store1(c, s, alpha, beta);
}

static void gemm_nn(int m, int n, int k, float alpha, const float *a, int lda, const float *b, int ldb,
                    float beta, float *c, int ldc, const struct epilogue *ep) {
  if (k == 0) { // C = beta·C
    for (int i = 0; i < m; i++)
      for (int j = 0; j < n; j++) store1(c + i * ldc + j, 0, alpha, beta);
    ep_block(ep, 0, c, ldc, 0, m, 0, n);
    return;
  }
  for (int p0 = 0; p0 < k; p0 += KC) {
    int kc = k - p0 < KC ? k - p0 : KC;
    float bt = p0 == 0 ? beta : 1; // later blocks add to the first's sums
    float al = alpha;
    const struct epilogue *e = p0 + kc == k ? ep : 0; // after the last block only
    const float *ap = a + p0, *bp = b + p0 * ldb;
    int m4 = m & ~3;
    int j = 0;
    for (; j + 8 <= n; j += 8)
      for (int i = 0; i < m4; i += 4) {
        nn_4x8(kc, ap + i * lda, lda, bp + j, ldb, c + i * ldc + j, ldc, al, bt);
        ep_block(e, 0, c, ldc, i, i + 4, j, j + 8);
      }
    // Columns left over right of the 8-column blocks, for those rows.
    for (int i = 0; i < m4; i++) {
      int jj = j;
      for (; jj + 4 <= n; jj += 4) nn_1x4(kc, ap + i * lda, bp + jj, ldb, c + i * ldc + jj, al, bt);
      for (; jj < n; jj++) nn_1x1(kc, ap + i * lda, bp + jj, ldb, c + i * ldc + jj, al, bt);
      ep_block(e, 0, c, ldc, i, i + 1, j, n);
    }
    // Rows left over below the 4-row blocks, all columns.
    for (int i = m4; i < m; i++) {
      int jj = 0;
      for (; jj + 16 <= n; jj += 16) nn_1x16(kc, ap + i * lda, bp + jj, ldb, c + i * ldc + jj, al, bt);
      for (; jj + 4 <= n; jj += 4) nn_1x4(kc, ap + i * lda, bp + jj, ldb, c + i * ldc + jj, al, bt);
      for (; jj < n; jj++) nn_1x1(kc, ap + i * lda, bp + jj, ldb, c + i * ldc + jj, al, bt);
      ep_block(e, 0, c, ldc, i, i + 1, 0, n);
    }
  }
}

EXPORT("gemm")
int gemm(int op, int m, int n, int k, float alpha, const float *a, int lda, const float *b, int ldb, float beta,
         float *c, int ldc) {
  const struct epilogue *ep = (const struct epilogue *)(__SIZE_TYPE__)(op & ~1);
  int done = ep ? 2 : 1;
  if (m <= 0 || n <= 0) return done;
  if (op & 1)
    gemm_nt(m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, ep);
  else
    gemm_nn(m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, ep);
  return done;
}
