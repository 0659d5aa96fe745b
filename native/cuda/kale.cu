// The KALE loss reductions, each in one block of blockDim.x threads, in
// double: the energy loss of shared/kale/energyloss.go (EnergyLoss) and the
// base step's importance weights (native/train/cpu.go, BaseStep).
#include "common.cuh"

// energy_loss computes, with a = *pa (A, float32),
//
//	L = (1/n) Σ_i (ep[i] + a) + (1/m) Σ_j exp(-(eq[j] + a)) - 1,
//	gp[i] = 1/n,  gq[j] = -exp(-(eq[j] + a) - log m) (saturated at -FLT_MAX),
//	dA = 1 - (1/m) Σ_j exp(-(eq[j] + a)),
//
// the mean of the exponentials as exp(log-mean-exp) shifted by the smallest
// exponent, as EnergyLoss does. It writes out[0] = L, out[1] = dA,
// means[0] = mean ep, means[1] = mean eq and, when grad_a is not null,
// *grad_a = dA.
extern "C" __global__ void energy_loss(const float* ep, i64 n, const float* eq, i64 m, const float* pa,
		float* gp, float* gq, float* grad_a, double* out, double* means) {
	double a = (double)*pa;
	double sp = 0, sq = 0, zmin = INFINITY;
	for (i64 i = threadIdx.x; i < n; i += blockDim.x) sp += (double)ep[i];
	for (i64 j = threadIdx.x; j < m; j += blockDim.x) {
		double e = (double)eq[j];
		sq += e;
		zmin = nan_min(zmin, e + a);
	}
	sp = block_sum(sp);
	sq = block_sum(sq);
	zmin = block_min(zmin);
	double lme;
	if (isinf(zmin)) {
		lme = -zmin;  // some -Inf: +Inf; all +Inf: -Inf
	} else {
		double s = 0;
		for (i64 j = threadIdx.x; j < m; j += blockDim.x) s += exp(zmin - ((double)eq[j] + a));
		s = block_sum(s);
		lme = -zmin + log(s / (double)m);  // NaN when zmin is NaN
	}
	double mean_exp = exp(lme);
	double log_m = log((double)m);
	float inv_n = (float)(1 / (double)n);
	for (i64 i = threadIdx.x; i < n; i += blockDim.x) gp[i] = inv_n;
	for (i64 j = threadIdx.x; j < m; j += blockDim.x) {
		double g = -exp(-((double)eq[j] + a) - log_m);
		if (g < -FLOAT32_MAX) g = -FLOAT32_MAX;
		gq[j] = (float)g;
	}
	if (threadIdx.x == 0) {
		double dA = 1 - mean_exp;
		out[0] = sp / (double)n + a + mean_exp - 1;
		out[1] = dA;
		means[0] = sp / (double)n;
		means[1] = sq / (double)m;
		if (grad_a) *grad_a = (float)dA;
	}
}

// importance_weights: for the energies e of n generated rows, the model's
// weights softmax(-e) give out[0] = Σ exp(-e - max(-e)) (checked for
// finiteness), out[1] = Â = logsumexp(-e) - log n and *ess = 1/Σw², the
// effective sample size; w receives the base step's weights with tilt
// gamma (shared/backend's Config.BaseTilt), softmax(-gamma e) (float32),
// with each gamma e rounded to float32 first as shared/kale's TiltedWeights
// does: for gamma = 1 the model's weights, for gamma = 0 equal weights.
extern "C" __global__ void importance_weights(const float* e, i64 n, double gamma, float* w, double* out, double* ess) {
	double mx = -INFINITY;
	for (i64 i = threadIdx.x; i < n; i += blockDim.x) mx = nan_max(mx, -(double)e[i]);
	mx = block_max(mx);
	double s = 0;
	for (i64 i = threadIdx.x; i < n; i += blockDim.x) s += exp(-(double)e[i] - mx);
	s = block_sum(s);
	double sq = 0;
	for (i64 i = threadIdx.x; i < n; i += blockDim.x) {
		double wi = exp(-(double)e[i] - mx) / s;
		sq += wi * wi;
		if (gamma == 1) w[i] = (float)wi;
	}
	sq = block_sum(sq);
	if (gamma != 1) {  // the same branch in every thread: the reductions inside see them all
		float g = (float)gamma;
		double mt = -INFINITY;
		for (i64 i = threadIdx.x; i < n; i += blockDim.x) mt = nan_max(mt, -(double)(g * e[i]));
		mt = block_max(mt);
		double st = 0;
		for (i64 i = threadIdx.x; i < n; i += blockDim.x) st += exp(-(double)(g * e[i]) - mt);
		st = block_sum(st);
		for (i64 i = threadIdx.x; i < n; i += blockDim.x) w[i] = (float)(exp(-(double)(g * e[i]) - mt) / st);
	}
	if (threadIdx.x == 0) {
		out[0] = s;
		out[1] = mx + log(s) - log((double)n);
		*ess = 1 / sq;
	}
}
