// The convolutions' own kernels (their matrix products go through the gemm
// implementation), mirroring shared/nn/conv.go's convGeom one to one: im2col,
// col2im, and the bias and its gradient over NCHW images. The geometry: an
// image of c channels of h×w values and the oh×ow positions of a k×k kernel
// moved over it with stride s after zero padding p; row (ch, i, j) of the
// column matrix (c·k·k rows, oh·ow columns) holds, for every position
// (a, b), the image value x[ch, a·s + i − p, b·s + j − p] (0 in the padding).
// Each result but the bias gradient's (add_row_sums_nchw, in double) is
// computed in the CPU's order of float32 operations, so given the same
// inputs these kernels give the CPU's bits. None uses atomics.
#include "common.cuh"

// im2col: col = the column matrices of nb images side by side, as
// shared/nn's convBuffers.lower writes them: col is rows × nb·cols, image t
// in columns t·cols to (t+1)·cols − 1 (images c·h·w values apart in img).
// One thread per entry of col.
extern "C" __global__ void im2col(const float* img, float* col, i64 nb, i64 c, i64 h, i64 w, i64 k, i64 s, i64 p,
		i64 oh, i64 ow) {
	i64 cols = oh * ow, ld = nb * cols;
	FOR_EACH(idx, c * k * k * ld) {
		i64 r = idx / ld, q = idx % ld, t = q / cols, pos = q % cols;
		i64 ch = r / (k * k), i = r / k % k, j = r % k;
		i64 hi = pos / ow * s + i - p, wi = pos % ow * s + j - p;
		col[idx] = hi >= 0 && hi < h && wi >= 0 && wi < w ? img[t * c * h * w + (ch * h + hi) * w + wi] : 0.0f;
	}
}

// col2im: each of the nb images += the adjoint of im2col applied to its
// columns of col (laid out as im2col writes them): every entry is added
// into the image value it was read from (padding entries are dropped). One
// thread per image value gathers its entries, taps (i, j) in the CPU's
// order, so the float32 sums are the CPU's and no two threads write the
// same value (no atomics).
extern "C" __global__ void col2im(const float* col, float* img, i64 nb, i64 c, i64 h, i64 w, i64 k, i64 s, i64 p,
		i64 oh, i64 ow) {
	i64 cols = oh * ow, ld = nb * cols, size = c * h * w;
	FOR_EACH(idx, nb * size) {
		i64 t = idx / size, v = idx % size;
		i64 ch = v / (h * w), y = v / w % h, x = v % w;
		float acc = img[idx];
		for (i64 i = 0; i < k; i++) {
			i64 ay = y + p - i; // = a·s for the position a whose tap i reads row y
			if (ay < 0 || ay % s != 0 || ay / s >= oh) continue;
			const float* src = col + ((ch * k + i) * k) * ld + t * cols + ay / s * ow;
			for (i64 j = 0; j < k; j++) {
				i64 bx = x + p - j;
				if (bx < 0 || bx % s != 0 || bx / s >= ow) continue;
				acc += src[j * ld + bx / s];
			}
		}
		img[idx] = acc;
	}
}

// swap_axes: dst[j][i] = src[i][j] for src a×b blocks of q values (shared/nn's
// swapAxes): moves a batch between the samples' layout (sample, channel,
// pixel) and a product's (channel, sample, pixel). One thread per value.
extern "C" __global__ void swap_axes(float* dst, const float* src, i64 a, i64 b, i64 q) {
	FOR_EACH(idx, a * b * q) {
		i64 i = idx / (b * q), j = idx / q % b, e = idx % q;
		dst[(j * a + i) * q + e] = src[idx];
	}
}

// add_bias_nchw: m[t, r, j] += b[r] for n samples of rows×cols values
// (addBias on each sample).
extern "C" __global__ void add_bias_nchw(float* m, const float* b, i64 n, i64 rows, i64 cols) {
	FOR_EACH(idx, n * rows * cols) { m[idx] = m[idx] + b[idx / cols % rows]; }
}

// add_row_sums_nchw: dst[r] += Σ_t Σ_j m[t, r, j] over n samples of rows×cols
// values (a bias's gradient; n = 1 reads a channels × pixels matrix). One
// block per row r; the sum is in double, each thread's share (every
// blockDim.x-th value) then block_sum, so the result depends only on the
// block size: deterministic, but not the CPU's float32 order (a bias
// gradient sums up to batch × pixels values, which one thread in the CPU's
// order took milliseconds to add).
extern "C" __global__ void add_row_sums_nchw(float* dst, const float* m, i64 n, i64 rows, i64 cols) {
	i64 r = blockIdx.x;
	double acc = 0;
	for (i64 e = threadIdx.x; e < n * cols; e += blockDim.x) acc += m[(e / cols * rows + r) * cols + e % cols];
	acc = block_sum(acc);
	if (threadIdx.x == 0) dst[r] = (float)((double)dst[r] + acc);
}
