// Batch normalisation's kernels, mirroring shared/nn/batchnorm.go: a sample's
// row is read as c channels of plane values (NCHW), and channel ch is
// normalised over its M = n·plane values in a batch of n,
//
//	y = γ · (x − μ) · inv + β,   inv = 1/sqrt(σ² + ε),
//
// with the batch's μ and (biased) σ² in training, the running statistics
// otherwise. μ and inv are kept in double, per channel, for the backward
// pass. The elementwise kernels follow the CPU's order of double operations
// and round as it does, so given the same μ and inv they give its bits; the
// batch sums are reductions in double over parts of a channel, then the
// parts in order (deterministic, but added in another order than the
// CPU's, so μ, σ² and the parameter gradients may differ from the CPU's in
// the last bits of a double). No atomics.
#include "common.cuh"

#define BN_EPS 1e-5
// PyTorch's momentum 0.1; 0.9 is written out because the CPU's (1 − 0.1) is
// exact constant arithmetic in Go, whose float64 is the double 0.9.
#define BN_MOMENTUM 0.1
#define BN_KEEP 0.9

// bn_value is x[t, ch, j] for the k-th of channel ch's M values (k = t·plane + j).
__device__ inline float bn_value(const float* x, i64 k, i64 c, i64 plane, i64 ch) {
	const u32 u = k, pl = plane;
	return x[(u / pl * (u32)c + (u32)ch) * pl + u % pl];
}

// The batch sums are two passes: bn_partial_sums, a block for each part of
// chunk values of a channel (a grid of parts × c), then a thread per
// channel adding its parts in order. (One block per channel, before, left
// most of the GPU idle: 64 blocks of 256 threads each reading 100,352
// values, twice, for the generator's 64-channel layer at batch 512.)

// bn_partial_sums: over part p of channel ch's M values (k = p·chunk to
// (p+1)·chunk − 1, the k-th being x[t, ch, j] with k = t·plane + j), in
// double, part[2(ch·parts + p)] = Σ f and part[2(ch·parts + p) + 1] = Σ g:
// mode 0, f = x (g = 0); mode 1, f = (x − μ)² (g = 0); mode 2, f = dy and
// g = dy·(x − μ)·inv (μ, inv: mean[ch], inv[ch]).
extern "C" __global__ void bn_partial_sums(const float* x, const float* dy, i64 n, i64 c, i64 plane, i64 chunk,
		i64 mode, const double* mean, const double* inv, double* part) {
	const i64 p = blockIdx.x, M = n * plane, beg = p * chunk;
	const i64 end = M - beg < chunk ? M : beg + chunk;
	for (i64 ch = blockIdx.y; ch < c; ch += gridDim.y) { // channels may outnumber the grid's rows
		const double mu = mode ? mean[ch] : 0, iv = mode == 2 ? inv[ch] : 0;
		double f = 0, g = 0;
		for (i64 k = beg + threadIdx.x; k < end; k += blockDim.x) {
			double v = (double)bn_value(x, k, c, plane, ch);
			if (mode == 0) {
				f += v;
			} else if (mode == 1) {
				f += (v - mu) * (v - mu);
			} else {
				double d = (double)bn_value(dy, k, c, plane, ch);
				f += d;
				g += d * (v - mu) * iv;
			}
		}
		f = block_sum(f);
		if (mode == 2) g = block_sum(g);
		if (threadIdx.x == 0) {
			part[2 * (ch * gridDim.x + p)] = f;
			part[2 * (ch * gridDim.x + p) + 1] = g;
		}
	}
}

// bn_part_sum is Σ_p part[2(ch·parts + p) + which], the parts in order.
__device__ inline double bn_part_sum(const double* part, i64 ch, i64 parts, int which) {
	double s = 0;
	for (i64 p = 0; p < parts; p++) s += part[2 * (ch * parts + p) + which];
	return s;
}

// bn_mean: μ = Σ x / M per channel, from bn_partial_sums' mode 0.
extern "C" __global__ void bn_mean(const double* part, i64 c, i64 parts, i64 M, double* mean) {
	FOR_EACH(ch, c) { mean[ch] = bn_part_sum(part, ch, parts, 0) / (double)M; }
}

// bn_finish_stats: from bn_partial_sums' mode 1 (σ² = Σ (x − μ)² / M),
// inv = 1/sqrt(σ² + ε), and the running statistics updated,
// m = 0.9·m + 0.1·μ and v = 0.9·v + 0.1·σ²·M/(M−1) (v is left alone when
// M = 1).
extern "C" __global__ void bn_finish_stats(const double* part, i64 c, i64 parts, i64 M, const double* mean,
		double* inv, float* run_mean, float* run_var) {
	FOR_EACH(ch, c) {
		double ss = bn_part_sum(part, ch, parts, 0);
		inv[ch] = 1 / sqrt(ss / (double)M + BN_EPS);
		run_mean[ch] = (float)(BN_KEEP * (double)run_mean[ch] + BN_MOMENTUM * mean[ch]);
		if (M > 1) run_var[ch] = (float)(BN_KEEP * (double)run_var[ch] + BN_MOMENTUM * ss / (double)(M - 1));
	}
}

// bn_running_stats: mean and inv from the running statistics.
extern "C" __global__ void bn_running_stats(const float* run_mean, const float* run_var, i64 c, double* mean,
		double* inv) {
	FOR_EACH(ch, c) {
		mean[ch] = (double)run_mean[ch];
		inv[ch] = 1 / sqrt((double)run_var[ch] + BN_EPS);
	}
}

// bn_apply: y = scale·x + shift with scale = γ·inv and shift = β − scale·μ,
// in double, rounded to float32.
extern "C" __global__ void bn_apply(const float* x, float* y, i64 n, i64 c, i64 plane, const float* gamma,
		const float* beta, const double* mean, const double* inv) {
	FOR_EACH(idx, n * c * plane) {
		u32 ch = (u32)idx / (u32)plane % (u32)c;
		double scale = (double)gamma[ch] * inv[ch];
		double shift = (double)beta[ch] - scale * mean[ch];
		y[idx] = (float)(scale * (double)x[idx] + shift);
	}
}

// bn_backward_sums: from bn_partial_sums' mode 2, s1 = Σ dy and
// s2 = Σ dy·(x − μ)·inv over each channel's M values into sums[2ch] and
// sums[2ch+1]; with params, γ's gradient += s2 and β's += s1.
extern "C" __global__ void bn_backward_sums(const double* part, i64 c, i64 parts, double* sums, float* dgamma,
		float* dbeta, i64 params) {
	FOR_EACH(ch, c) {
		double s1 = bn_part_sum(part, ch, parts, 0), s2 = bn_part_sum(part, ch, parts, 1);
		sums[2 * ch] = s1;
		sums[2 * ch + 1] = s2;
		if (params) {
			dgamma[ch] += (float)s2;
			dbeta[ch] += (float)s1;
		}
	}
}

// bn_backward_dx: dx = γ·inv·(dy − s1/M − x̂·s2/M), x̂ = (x − μ)·inv, with
// the sums of bn_backward_sums when the forward pass used the batch's
// statistics (batched), and s1 = s2 = 0 (dx = γ·inv·dy) when it used the
// running ones.
extern "C" __global__ void bn_backward_dx(const float* x, const float* dy, float* dx, i64 n, i64 c, i64 plane,
		const float* gamma, const double* mean, const double* inv, const double* sums, i64 batched) {
	double M = (double)(n * plane);
	FOR_EACH(idx, n * c * plane) {
		u32 ch = (u32)idx / (u32)plane % (u32)c;
		double iv = inv[ch], g = (double)gamma[ch] * iv;
		double s1 = batched ? sums[2 * ch] : 0, s2 = batched ? sums[2 * ch + 1] : 0;
		double xh = ((double)x[idx] - mean[ch]) * iv;
		dx[idx] = (float)(g * ((double)dy[idx] - s1 / M - xh * s2 / M));
	}
}
