// Elementwise activations y = σ(x) and their passes, mirroring
// shared/nn/activation.go (same formulas, same float32 rounding; the
// logistic is evaluated in double and rounded, as the CPU does; tanh is
// CUDA's tanh in double, rounded, where the CPU computes nn.Tanh32, which is
// within one unit in the last place of the correctly rounded tanh):
//
//	leakyrelu: σ' = 1 (x > 0) or slope;  σ'' = 0   (relu: slope 0)
//	tanh:      σ' = 1 - y²;              σ'' = -2y(1 - y²)
//	sigmoid:   σ' = y(1 - y);            σ'' = y(1 - y)(1 - 2y)
//	floor:     σ = max(x, c); σ' = 1 (x > c) or 0; σ'' = 0   (c passed as slope)
#include "common.cuh"

// Kinds, as native/cuda/activation.go numbers them.
#define KIND_LEAKY 0
#define KIND_TANH 1
#define KIND_SIGMOID 2
#define KIND_FLOOR 3

// A kind that activation.go does not number gives NaN, never some other
// kind's values (activation.go refuses such a layer before any launch).
__device__ inline float act_deriv(i64 kind, float slope, float x, float y) {
	switch (kind) {
	case KIND_LEAKY:
		return x > 0 ? 1.0f : slope;
	case KIND_TANH:
		return 1 - y * y;
	case KIND_SIGMOID:
		return y * (1 - y);
	case KIND_FLOOR:
		return x > slope ? 1.0f : 0.0f;
	}
	return NAN;
}

__device__ inline float act_second(i64 kind, float y) {
	switch (kind) {
	case KIND_TANH:
		return -2 * y * (1 - y * y);
	case KIND_SIGMOID:
		return y * (1 - y) * (1 - 2 * y);
	}
	return 0;
}

// act_forward: y = σ(x).
extern "C" __global__ void act_forward(i64 kind, double slope, const float* x, float* y, i64 n) {
	float s = (float)slope;
	FOR_EACH(i, n) {
		float v = x[i];
		switch (kind) {
		case KIND_TANH:
			y[i] = (float)tanh((double)v);
			break;
		case KIND_SIGMOID:
			y[i] = (float)(1 / (1 + exp(-(double)v)));
			break;
		case KIND_FLOOR:
			y[i] = v > s ? v : s;
			break;
		case KIND_LEAKY:
			y[i] = v > 0 ? v : s * v;
			break;
		default:
			y[i] = NAN;
		}
	}
}

// act_backward: dx = σ'(x) dy.
extern "C" __global__ void act_backward(i64 kind, double slope, const float* x, const float* y,
		const float* dy, float* dx, i64 n) {
	float s = (float)slope;
	FOR_EACH(i, n) { dx[i] = act_deriv(kind, s, x[i], y[i]) * dy[i]; }
}

// act_tangent: ry = σ'(x) rx.
extern "C" __global__ void act_tangent(i64 kind, double slope, const float* x, const float* y,
		const float* rx, float* ry, i64 n) {
	float s = (float)slope;
	FOR_EACH(i, n) { ry[i] = act_deriv(kind, s, x[i], y[i]) * rx[i]; }
}

// act_backward_tangent: rdx = σ'(x) rdy + σ''(x) rx dy.
extern "C" __global__ void act_backward_tangent(i64 kind, double slope, const float* x, const float* y,
		const float* rx, const float* dy, const float* rdy, float* rdx, i64 n) {
	float s = (float)slope;
	FOR_EACH(i, n) {
		float r = act_deriv(kind, s, x[i], y[i]) * rdy[i];
		if (kind == KIND_TANH || kind == KIND_SIGMOID) r += act_second(kind, y[i]) * rx[i] * dy[i];
		rdx[i] = r;
	}
}
