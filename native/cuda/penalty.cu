// The pieces of the gradient penalty that are not passes of a layer
// (shared/nn/penalty.go and native/train/cpu.go): the interpolated rows
// x̂ = α x + (1-α) y and the seed of the input tangent.
#include "common.cuh"

// interpolate: xhat[i,:] = alpha[i] x[i,:] + (1-alpha[i]) y[i,:] for n rows of d.
extern "C" __global__ void interpolate(const float* x, const float* y, const float* alpha, float* xhat,
		i64 n, i64 d) {
	FOR_EACH(k, n * d) {
		float a = alpha[k / d];
		xhat[k] = a * x[k] + (1 - a) * y[k];
	}
}

// scale: y = s x (s is a float32 value passed as double).
extern "C" __global__ void scale(const float* x, double s, float* y, i64 n) {
	float f = (float)s;
	FOR_EACH(k, n) { y[k] = f * x[k]; }
}

// scale_rows: y[i,:] = w[i] x[i,:] for n rows of d (the base step's
// importance-weighted input gradients).
extern "C" __global__ void scale_rows(const float* x, const float* w, float* y, i64 n, i64 d) {
	FOR_EACH(k, n * d) { y[k] = w[k / d] * x[k]; }
}
