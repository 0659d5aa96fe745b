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
// batch sums are block reductions in double (deterministic, but added in
// another order than the CPU's, so μ, σ² and the parameter gradients may
// differ from the CPU's in the last bits of a double). No atomics.
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

// bn_batch_stats (one block per channel): μ and inv of the batch's M
// values of the channel into mean and inv, and the running statistics
// updated, m = 0.9·m + 0.1·μ and v = 0.9·v + 0.1·σ²·M/(M−1) (v is left
// alone when M = 1).
extern "C" __global__ void bn_batch_stats(const float* x, i64 n, i64 c, i64 plane, double* mean, double* inv,
		float* run_mean, float* run_var) {
	i64 ch = blockIdx.x, M = n * plane;
	double s = 0;
	for (i64 k = threadIdx.x; k < M; k += blockDim.x) s += (double)bn_value(x, k, c, plane, ch);
	double mu = block_sum(s) / (double)M;
	double ss = 0;
	for (i64 k = threadIdx.x; k < M; k += blockDim.x) {
		double d = (double)bn_value(x, k, c, plane, ch) - mu;
		ss += d * d;
	}
	ss = block_sum(ss);
	if (threadIdx.x == 0) {
		mean[ch] = mu;
		inv[ch] = 1 / sqrt(ss / (double)M + BN_EPS);
		run_mean[ch] = (float)(BN_KEEP * (double)run_mean[ch] + BN_MOMENTUM * mu);
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

// bn_backward_sums (one block per channel): s1 = Σ dy and
// s2 = Σ dy·(x − μ)·inv over the channel's M values into sums[2ch] and
// sums[2ch+1]; with params, γ's gradient += s2 and β's += s1.
extern "C" __global__ void bn_backward_sums(const float* x, const float* dy, i64 n, i64 c, i64 plane,
		const double* mean, const double* inv, double* sums, float* dgamma, float* dbeta, i64 params) {
	i64 ch = blockIdx.x, M = n * plane;
	double mu = mean[ch], iv = inv[ch], s1 = 0, s2 = 0;
	for (i64 k = threadIdx.x; k < M; k += blockDim.x) {
		double d = (double)bn_value(dy, k, c, plane, ch);
		s1 += d;
		s2 += d * ((double)bn_value(x, k, c, plane, ch) - mu) * iv;
	}
	s1 = block_sum(s1);
	s2 = block_sum(s2);
	if (threadIdx.x == 0) {
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
