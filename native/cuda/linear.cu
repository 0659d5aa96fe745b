// The linear layer's own kernels (its matrix products go through the gemm
// implementation): the bias, and the bias gradient as column sums. They
// mirror shared/nn/linear.go.
#include "common.cuh"

// bias_add: y[i,j] += b[j] for the n×cols row-major y.
extern "C" __global__ void bias_add(float* y, const float* b, i64 n, i64 cols) {
	FOR_EACH(k, n * cols) { y[k] = y[k] + b[k % cols]; }
}

// add_column_sums: dst[j] += Σ_i m[i,j], row after row in float32 as the
// CPU's addColumnSums does (bit-identical).
extern "C" __global__ void add_column_sums(float* dst, const float* m, i64 n, i64 cols) {
	FOR_EACH(j, cols) {
		float acc = dst[j];
		for (i64 i = 0; i < n; i++) acc += m[i * cols + j];
		dst[j] = acc;
	}
}
