// Deterministic reductions in double: each block sums a fixed strided share
// of the input into partial[blockIdx.x], then one block adds the partials.
// The host picks the number of blocks from n alone, so the same input gives
// the same bits on every run.
#include "common.cuh"

// sumsq_partial: partial[b] = Σ x[k]² over block b's share.
extern "C" __global__ void sumsq_partial(const float* x, i64 n, double* partial) {
	double s = 0;
	FOR_EACH(k, n) {
		double v = x[k];
		s += v * v;
	}
	s = block_sum(s);
	if (threadIdx.x == 0) partial[blockIdx.x] = s;
}

// dot_partial: partial[b] = Σ x[k] y[k] over block b's share.
extern "C" __global__ void dot_partial(const float* x, const float* y, i64 n, double* partial) {
	double s = 0;
	FOR_EACH(k, n) { s += (double)x[k] * (double)y[k]; }
	s = block_sum(s);
	if (threadIdx.x == 0) partial[blockIdx.x] = s;
}

// sum_final (one block): *out = scale · Σ partial[0..np).
extern "C" __global__ void sum_final(const double* partial, i64 np, double scale, double* out) {
	double s = 0;
	for (i64 k = threadIdx.x; k < np; k += blockDim.x) s += partial[k];
	s = block_sum(s);
	if (threadIdx.x == 0) *out = scale * s;
}

// to_double: y[k] = x[k] (float32 to double, exactly).
extern "C" __global__ void to_double(const float* x, double* y, i64 n) {
	FOR_EACH(k, n) { y[k] = (double)x[k]; }
}

// fill: x[k] = value (a float32 value passed as double).
extern "C" __global__ void fill(float* x, double value, i64 n) {
	float v = (float)value;
	FOR_EACH(k, n) { x[k] = v; }
}
