// The convolutions' own kernels (their matrix products go through the gemm
// implementation), mirroring shared/nn/conv.go's convGeom one to one: im2col,
// col2im, and the bias and its gradient over NCHW images. The geometry: an
// image of c channels of h×w values and the oh×ow positions of a k×k kernel
// moved over it with stride s after zero padding p; row (ch, i, j) of the
// column matrix (c·k·k rows, oh·ow columns) holds, for every position
// (a, b), the image value x[ch, a·s + i − p, b·s + j − p] (0 in the padding).
// Each result is computed in the CPU's order of float32 operations, so given
// the same inputs these kernels give the CPU's bits. None uses atomics.
#include "common.cuh"

// im2col: col = the column matrix of img, one thread per entry of col.
extern "C" __global__ void im2col(const float* img, float* col, i64 c, i64 h, i64 w, i64 k, i64 s, i64 p, i64 oh,
		i64 ow) {
	i64 cols = oh * ow;
	FOR_EACH(idx, c * k * k * cols) {
		i64 r = idx / cols, pos = idx % cols;
		i64 ch = r / (k * k), i = r / k % k, j = r % k;
		i64 hi = pos / ow * s + i - p, wi = pos % ow * s + j - p;
		col[idx] = hi >= 0 && hi < h && wi >= 0 && wi < w ? img[(ch * h + hi) * w + wi] : 0.0f;
	}
}

// col2im: img += the adjoint of im2col applied to col: every entry of col is
// added into the image value it was read from (padding entries are
// dropped). One thread per image value gathers its entries, taps (i, j) in
// the CPU's order, so the float32 sums are the CPU's and no two threads
// write the same value (no atomics).
extern "C" __global__ void col2im(const float* col, float* img, i64 c, i64 h, i64 w, i64 k, i64 s, i64 p, i64 oh,
		i64 ow) {
	i64 cols = oh * ow;
	FOR_EACH(idx, c * h * w) {
		i64 ch = idx / (h * w), y = idx / w % h, x = idx % w;
		float acc = img[idx];
		for (i64 i = 0; i < k; i++) {
			i64 ay = y + p - i; // = a·s for the position a whose tap i reads row y
			if (ay < 0 || ay % s != 0 || ay / s >= oh) continue;
			const float* src = col + ((ch * k + i) * k) * cols + ay / s * ow;
			for (i64 j = 0; j < k; j++) {
				i64 bx = x + p - j;
				if (bx < 0 || bx % s != 0 || bx / s >= ow) continue;
				acc += src[j * cols + bx / s];
			}
		}
		img[idx] = acc;
	}
}

// add_bias_nchw: m[t, r, j] += b[r] for n samples of rows×cols values
// (addBias on each sample).
extern "C" __global__ void add_bias_nchw(float* m, const float* b, i64 n, i64 rows, i64 cols) {
	FOR_EACH(idx, n * rows * cols) { m[idx] = m[idx] + b[idx / cols % rows]; }
}

// add_row_sums_nchw: dst[r] += Σ_j m[t, r, j] for the samples t = 0..n-1 in
// turn, each sample's row summed in float32 first (addRowSums on each
// sample, in the CPU's order: bit-identical).
extern "C" __global__ void add_row_sums_nchw(float* dst, const float* m, i64 n, i64 rows, i64 cols) {
	FOR_EACH(r, rows) {
		float acc = dst[r];
		for (i64 t = 0; t < n; t++) {
			const float* row = m + (t * rows + r) * cols;
			float sum = 0;
			for (i64 j = 0; j < cols; j++) sum += row[j];
			acc += sum;
		}
		dst[r] = acc;
	}
}
