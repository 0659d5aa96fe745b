// The Adam update and the energy's optional soft clip, mirroring
// shared/nn/adam.go and native/train/cpu.go operation for operation (with
// -fmad=false the float32 results are bit-identical to the CPU's).
#include "common.cuh"

// adam: one step over n elements. b1, b2, eps, step_size and inv_sqrt_bc2
// are float32 values passed as double, computed on the host as the CPU
// does (step_size = lr/(1-β1^t), inv_sqrt_bc2 = 1/sqrt(1-β2^t)). When one
// of the nguard doubles at guard is not finite (a non-finite loss or
// gradient norm of this step), nothing is updated: the CPU backend stops
// before its update in that case.
extern "C" __global__ void adam(float* p, const float* g, float* m, float* v, i64 n, double b1d, double b2d,
		double epsd, double step_sized, double inv_sqrt_bc2d, const double* guard, i64 nguard) {
	for (i64 k = 0; k < nguard; k++) {
		if (!isfinite(guard[k])) return;
	}
	float b1 = (float)b1d, b2 = (float)b2d, eps = (float)epsd;
	float step_size = (float)step_sized, inv_sqrt_bc2 = (float)inv_sqrt_bc2d;
	FOR_EACH(i, n) {
		float gi = g[i];
		float mi = b1 * m[i] + (1 - b1) * gi;
		float vi = b2 * v[i] + (1 - b2) * gi * gi;
		m[i] = mi;
		v[i] = vi;
		float denom = (float)sqrt((double)vi) * inv_sqrt_bc2 + eps;
		p[i] -= step_size * mi / denom;
	}
}

// soft_clip: g ← 2g/(1+g²).
extern "C" __global__ void soft_clip(float* g, i64 n) {
	FOR_EACH(i, n) {
		float x = g[i];
		g[i] = 2 * x / (1 + x * x);
	}
}
