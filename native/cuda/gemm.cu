// A tiled SGEMM for builds without cuBLAS (the nocublas tag: the binary
// then needs only the driver's libcuda). Row-major, as nn.Gemm:
//
//	C = alpha op(A) op(B) + beta C,  op(A) m×k, op(B) k×n, C m×n,
//
// with lda, ldb, ldc the row strides as stored. A block of 256 threads
// computes a BM×BN tile of C in steps of BK along k through shared memory.
// This file alone is compiled with fused multiply-adds.
//
// Each thread holds TM×TN = (BM/16)×(BN/16) accumulators: its rows are
// groups of V = min(TM, 4) consecutive rows of the tile, 16·V apart, and
// likewise its columns, so that one step along k reads each group from
// shared memory in one V-wide load (LDS.128 for the 128×128 tile: 4 loads
// for 64 fused multiply-adds, where one float per load took 16). A warp
// is 4 thread rows × 8 thread columns of the block's 16×16, so a load of
// A broadcasts 4 distinct vectors and a load of B reads 8: 128 bytes, one
// shared-memory transaction each. While the block multiplies one k step
// out of shared memory, each thread already holds the next step's values
// of A and B, read from global memory in registers (register double
// buffering), so the loads' latency hides behind the arithmetic.
//
// Every accumulator adds its products in the order of l, whatever the
// layout, so the layout does not change the results' bits.
//
// Split-K: when C has too few tiles to fill the GPU and k is long (a
// convolution's weight gradient sums over batch × pixels), the k range is
// cut into `splits` slices of whole BK steps; block row blockIdx.y covers
// tile row blockIdx.y % tiles_m of slice blockIdx.y / tiles_m and writes
// its partial product, unscaled, to work[slice] (m×n, row stride n);
// gemm_reduce then adds the slices in order and applies alpha and beta.
// Deterministic: the partition depends only on the shape.
#include "common.cuh"

#define BK 16
// The shared tiles are stored k-major, as[l][i] and bs[l][j], their rows
// padded by PAD floats: still 16-byte aligned for the vector loads, and a
// warp storing 16 values of l for two x hits each bank at most twice.
#define PAD 4

// vec_load copies V consecutive floats of shared memory, from p (aligned
// to V floats), into r[0..V-1] with one load instruction.
template <int V>
__device__ inline void vec_load(float* r, const float* p) {
	if (V == 4) {
		float4 v = *reinterpret_cast<const float4*>(p);
		r[0] = v.x, r[1] = v.y, r[2] = v.z, r[3] = v.w;
	} else if (V == 2) {
		float2 v = *reinterpret_cast<const float2*>(p);
		r[0] = v.x, r[1] = v.y;
	} else {
		r[0] = p[0];
	}
}

// operand stages one k step of an operand's tile: the BS×BK values
// X[x0 + xx, l0 + ll] of X stored with row stride ld as X[x, l] = p[x·ld + l],
// or p[l·ld + x] when KMAJOR (op(A) is X with KMAJOR = TA, op(B)ᵀ is X with
// KMAJOR = !TB). Slot e of the block's 256·L places takes (xx, ll) so that
// consecutive slots read consecutive addresses.
template <int BS, bool KMAJOR>
struct operand {
	static constexpr int L = BS * BK / 256; // values per thread

	__device__ static void slot(int e, int& xx, int& ll) {
		if (KMAJOR) {
			ll = e / BS, xx = e % BS;
		} else {
			xx = e / BK, ll = e % BK;
		}
	}

	// fetch reads this thread's values into r: 0 where x ≥ xn or l ≥ kend.
	// Slot threadIdx.x + 256s is the thread's slot 0 moved by 16s rows of
	// X (KMAJOR false) or 256s/BS values of l (KMAJOR true).
	__device__ static void fetch(float* r, const float* __restrict__ p, i64 ld, i64 xn, i64 x0, i64 l0, i64 kend) {
		int xx, ll;
		slot(threadIdx.x, xx, ll);
		const i64 x = x0 + xx, l = l0 + ll;
		const float* q = KMAJOR ? p + l * ld + x : p + x * ld + l;
		const i64 step = KMAJOR ? 256 / BS * ld : 256 / BK * ld;
#pragma unroll
		for (int s = 0; s < L; s++) {
			bool in = KMAJOR ? x < xn && l + 256 / BS * s < kend : x + 256 / BK * s < xn && l < kend;
			r[s] = in ? q[s * step] : 0.0f;
		}
	}

	// store writes r to the shared tile t[ll][xx].
	__device__ static void store(float (*t)[BS + PAD], const float* r) {
#pragma unroll
		for (int s = 0; s < L; s++) {
			int xx, ll;
			slot(threadIdx.x + 256 * s, xx, ll);
			t[ll][xx] = r[s];
		}
	}
};

template <int BM, int BN, bool TA, bool TB>
__device__ void gemm_tile(i64 m, i64 n, i64 k, double alphad, const float* __restrict__ a, i64 lda,
		const float* __restrict__ b, i64 ldb, double betad, float* __restrict__ c, i64 ldc, i64 splits,
		float* __restrict__ work) {
	constexpr int TM = BM / 16, TN = BN / 16;
	constexpr int VM = TM < 4 ? TM : 4, VN = TN < 4 ? TN : 4; // vector widths
	__shared__ __align__(16) float as[BK][BM + PAD];
	__shared__ __align__(16) float bs[BK][BN + PAD];
	const float alpha = (float)alphad, beta = (float)betad;
	// Warp w is thread rows 4(w/2)..4(w/2)+3 and columns 8(w%2)..8(w%2)+7.
	const int lane = threadIdx.x % 32, warp = threadIdx.x / 32;
	const int ty = warp / 2 * 4 + lane / 8, tx = warp % 2 * 8 + lane % 8;
	const i64 tiles_m = (m + BM - 1) / BM, slice = (i64)blockIdx.y / tiles_m;
	const i64 i0 = (i64)blockIdx.y % tiles_m * BM, j0 = (i64)blockIdx.x * BN;
	const i64 kc = ((k + splits - 1) / splits + BK - 1) / BK * BK;
	const i64 kbeg = slice * kc, kend = kbeg + kc < k ? kbeg + kc : k;
	float acc[TM][TN];
#pragma unroll
	for (int r = 0; r < TM; r++)
#pragma unroll
		for (int q = 0; q < TN; q++) acc[r][q] = 0;

	// ra, rb: this thread's values of the next k step.
	typedef operand<BM, TA> opa;
	typedef operand<BN, !TB> opb;
	float ra[opa::L], rb[opb::L];
	opa::fetch(ra, a, lda, m, i0, kbeg, kend);
	opb::fetch(rb, b, ldb, n, j0, kbeg, kend);
	for (i64 l0 = kbeg; l0 < kend; l0 += BK) {
		opa::store(as, ra);
		opb::store(bs, rb);
		__syncthreads();
		if (l0 + BK < kend) {
			opa::fetch(ra, a, lda, m, i0, l0 + BK, kend);
			opb::fetch(rb, b, ldb, n, j0, l0 + BK, kend);
		}
#pragma unroll
		for (int ll = 0; ll < BK; ll++) {
			float av[TM], bv[TN];
#pragma unroll
			for (int g = 0; g < TM / VM; g++) vec_load<VM>(av + g * VM, &as[ll][g * 16 * VM + ty * VM]);
#pragma unroll
			for (int g = 0; g < TN / VN; g++) vec_load<VN>(bv + g * VN, &bs[ll][g * 16 * VN + tx * VN]);
#pragma unroll
			for (int r = 0; r < TM; r++)
#pragma unroll
				for (int q = 0; q < TN; q++) acc[r][q] += av[r] * bv[q];
		}
		__syncthreads();
	}
	// Accumulator (r, q) is C[i0 + row(r), j0 + col(q)].
#pragma unroll
	for (int r = 0; r < TM; r++) {
		i64 i = i0 + r / VM * 16 * VM + ty * VM + r % VM;
		if (i >= m) continue;
#pragma unroll
		for (int q = 0; q < TN; q++) {
			i64 j = j0 + q / VN * 16 * VN + tx * VN + q % VN;
			if (j >= n) continue;
			if (splits > 1) {
				work[(slice * m + i) * n + j] = acc[r][q];
				continue;
			}
			float* p = c + i * ldc + j;
			*p = beta == 0 ? alpha * acc[r][q] : alpha * acc[r][q] + beta * *p;
		}
	}
}

// The kernels: sgemm_<op(A)><op(B)>_<tile>, n = as stored, t = transposed.
// The launch bounds ask for 2, 3 and 4 blocks a multiprocessor for the
// 128-, 64- and 32-wide tiles (at most 128, 85 and 64 registers a thread;
// sm_90's ptxas then spills 52 bytes in the 128-wide ones, reloaded once a
// k step, and none in the others).
#define GEMM_KERNEL(name, BM, BN, TA, TB)                                                                  \
	extern "C" __global__ void __launch_bounds__(256, BM == 128 ? 2 : BM == 64 ? 3 : 4) name(i64 m, i64 n, i64 k, double alpha,                 \
			const float* a, i64 lda, const float* b, i64 ldb, double beta, float* c, i64 ldc, i64 splits,    \
			float* work) {                                                                                  \
		gemm_tile<BM, BN, TA, TB>(m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, splits, work);                \
	}

GEMM_KERNEL(sgemm_nn_64, 64, 64, false, false)
GEMM_KERNEL(sgemm_nt_64, 64, 64, false, true)
GEMM_KERNEL(sgemm_tn_64, 64, 64, true, false)
GEMM_KERNEL(sgemm_tt_64, 64, 64, true, true)
GEMM_KERNEL(sgemm_nn_128, 128, 128, false, false)
GEMM_KERNEL(sgemm_nt_128, 128, 128, false, true)
GEMM_KERNEL(sgemm_tn_128, 128, 128, true, false)
GEMM_KERNEL(sgemm_tt_128, 128, 128, true, true)
GEMM_KERNEL(sgemm_nn_32, 32, 32, false, false)
GEMM_KERNEL(sgemm_nt_32, 32, 32, false, true)
GEMM_KERNEL(sgemm_tn_32, 32, 32, true, false)
GEMM_KERNEL(sgemm_tt_32, 32, 32, true, true)

// gemm_reduce: C = alpha Σ_slice work[slice] + beta C, the slices added in
// order (split-K's second pass; beta 0 ignores C).
extern "C" __global__ void gemm_reduce(const float* work, i64 splits, i64 m, i64 n, double alphad, double betad,
		float* c, i64 ldc) {
	const float alpha = (float)alphad, beta = (float)betad;
	FOR_EACH(idx, m * n) {
		float acc = 0;
		for (i64 z = 0; z < splits; z++) acc += work[z * m * n + idx];
		float* p = c + idx / n * ldc + idx % n;
		*p = beta == 0 ? alpha * acc : alpha * acc + beta * *p;
	}
}
