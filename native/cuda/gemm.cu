// A tiled SGEMM for builds without cuBLAS (the nocublas tag: the binary
// then needs only the driver's libcuda). Row-major, as nn.Gemm:
//
//	C = alpha op(A) op(B) + beta C,  op(A) m×k, op(B) k×n, C m×n,
//
// with lda, ldb, ldc the row strides as stored. A block of 256 threads
// computes a BM×BN tile of C in steps of BK along k through shared memory;
// each thread holds (BM/16)×(BN/16) accumulators for the rows ty+16r and
// columns tx+16c of the tile (coalesced stores, conflict-free reads). This
// file alone is compiled with fused multiply-adds.
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

template <int BM, int BN, bool TA, bool TB>
__device__ void gemm_tile(i64 m, i64 n, i64 k, double alphad, const float* __restrict__ a, i64 lda,
		const float* __restrict__ b, i64 ldb, double betad, float* __restrict__ c, i64 ldc, i64 splits,
		float* __restrict__ work) {
	constexpr int TM = BM / 16, TN = BN / 16;
	__shared__ float as[BK][BM + 1];
	__shared__ float bs[BK][BN + 1];
	const float alpha = (float)alphad, beta = (float)betad;
	const int tx = threadIdx.x % 16, ty = threadIdx.x / 16;
	const i64 tiles_m = (m + BM - 1) / BM, slice = (i64)blockIdx.y / tiles_m;
	const i64 i0 = (i64)blockIdx.y % tiles_m * BM, j0 = (i64)blockIdx.x * BN;
	const i64 kc = ((k + splits - 1) / splits + BK - 1) / BK * BK;
	const i64 kbeg = slice * kc, kend = kbeg + kc < k ? kbeg + kc : k;
	float acc[TM][TN];
#pragma unroll
	for (int r = 0; r < TM; r++)
#pragma unroll
		for (int q = 0; q < TN; q++) acc[r][q] = 0;

	for (i64 l0 = kbeg; l0 < kend; l0 += BK) {
		// op(A)[i, l] is a[i*lda + l], or a[l*lda + i] when transposed:
		// consecutive threads take consecutive addresses either way.
		for (int e = threadIdx.x; e < BM * BK; e += 256) {
			int ii, ll;
			if (TA) {
				ll = e / BM;
				ii = e % BM;
			} else {
				ii = e / BK;
				ll = e % BK;
			}
			i64 i = i0 + ii, l = l0 + ll;
			float x = 0;
			if (i < m && l < kend) x = TA ? a[l * lda + i] : a[i * lda + l];
			as[ll][ii] = x;
		}
		// op(B)[l, j] is b[l*ldb + j], or b[j*ldb + l] when transposed.
		for (int e = threadIdx.x; e < BN * BK; e += 256) {
			int jj, ll;
			if (TB) {
				jj = e / BK;
				ll = e % BK;
			} else {
				ll = e / BN;
				jj = e % BN;
			}
			i64 j = j0 + jj, l = l0 + ll;
			float x = 0;
			if (j < n && l < kend) x = TB ? b[j * ldb + l] : b[l * ldb + j];
			bs[ll][jj] = x;
		}
		__syncthreads();
#pragma unroll
		for (int ll = 0; ll < BK; ll++) {
			float av[TM], bv[TN];
#pragma unroll
			for (int r = 0; r < TM; r++) av[r] = as[ll][ty + 16 * r];
#pragma unroll
			for (int q = 0; q < TN; q++) bv[q] = bs[ll][tx + 16 * q];
#pragma unroll
			for (int r = 0; r < TM; r++)
#pragma unroll
				for (int q = 0; q < TN; q++) acc[r][q] += av[r] * bv[q];
		}
		__syncthreads();
	}
#pragma unroll
	for (int r = 0; r < TM; r++) {
		i64 i = i0 + ty + 16 * r;
		if (i >= m) continue;
#pragma unroll
		for (int q = 0; q < TN; q++) {
			i64 j = j0 + tx + 16 * q;
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
#define GEMM_KERNEL(name, BM, BN, TA, TB)                                                                  \
	extern "C" __global__ void __launch_bounds__(256) name(i64 m, i64 n, i64 k, double alpha,                 \
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
