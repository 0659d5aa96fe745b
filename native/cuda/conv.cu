// The convolutions' own kernels (their matrix products go through the gemm
// implementation), mirroring shared/nn/conv.go's convGeom one to one: im2col,
// col2im, and the bias and its gradient over NCHW images. The geometry: an
// image of c channels of h×w values and the oh×ow positions of a k×k kernel
// moved over it with stride s after zero padding p; row (ch, i, j) of the
// column matrix (c·k·k rows, oh·ow columns) holds, for every position
// (a, b), the image value x[ch, a·s + i − p, b·s + j − p] (0 in the padding).
// Each result but the bias gradient's (row_sums_partial, in double) is
// computed in the CPU's order of float32 operations, so given the same
// inputs these kernels give the CPU's bits. None uses atomics.
#include "common.cuh"

// im2col: col = the column matrices of nb images side by side, as
// shared/nn's convBuffers.lower writes them: col is rows × nb·cols, image t
// in columns t·cols to (t+1)·cols − 1 (images c·h·w values apart in img).
// One thread per entry of col, on a 2-D grid: a block row takes rows r of
// col (blockIdx.y, then every gridDim.y-th), whose channel and tap (ch, i,
// j) it derives once, and its threads the row's nb·cols entries; an entry
// then costs two divisions (its image t and position (a, b)), where one
// flat index cost six.
extern "C" __global__ void im2col(const float* img, float* col, i64 nb, i64 c, i64 h, i64 w, i64 k, i64 s, i64 p,
		i64 oh, i64 ow) {
	const u32 cols = oh * ow, ld = nb * cols, rows = c * k * k, kk = k * k, ow_ = ow, k_ = k, hw = h * w, c_ = c;
	const int h_ = h, w_ = w, s_ = s, p_ = p;
	for (u32 r = blockIdx.y; r < rows; r += gridDim.y) {
		const u32 ch = r / kk, i = r / k_ % k_, j = r % k_;
		float* dst = col + r * ld;
		for (u32 q = blockIdx.x * blockDim.x + threadIdx.x; q < ld; q += gridDim.x * blockDim.x) {
			u32 t = q / cols, pos = q - t * cols, a = pos / ow_, b = pos - a * ow_;
			int hi = (int)a * s_ + (int)i - p_, wi = (int)b * s_ + (int)j - p_;
			dst[q] = hi >= 0 && hi < h_ && wi >= 0 && wi < w_ ? img[(t * c_ + ch) * hw + (u32)(hi * w_ + wi)] : 0.0f;
		}
	}
}

// col2im: each of the nb images += the adjoint of im2col applied to its
// columns of col (laid out as im2col writes them): every entry is added
// into the image value it was read from (padding entries are dropped). One
// thread per image value gathers its entries, taps (i, j) in the CPU's
// order, so the float32 sums are the CPU's and no two threads write the
// same value (no atomics). Tap i reads row y at position a = (y + p − i)/s
// when s divides y + p − i: the taps that do are i = (y + p) mod s, then
// every s-th, with a falling by one each, so one division finds them all
// (dividing at every tap cost two signed divisions, a few dozen
// instructions on the GPU, per tap and axis).
extern "C" __global__ void col2im(const float* col, float* img, i64 nb, i64 c, i64 h, i64 w, i64 k, i64 s, i64 p,
		i64 oh, i64 ow) {
	const u32 cols = oh * ow, ld = nb * cols, size = c * h * w, hw = h * w, h_ = h, w_ = w;
	const int k_ = k, s_ = s, p_ = p, oh_ = oh, ow_ = ow;
	FOR_EACH(idx, nb * size) {
		u32 e = idx, t = e / size, v = e % size;
		u32 ch = v / hw;
		int ry = v / w_ % h_ + p_, rx = v % w_ + p_;
		int j0 = rx % s_, b0 = rx / s_;
		float acc = img[idx];
		for (int i = ry % s_, a = ry / s_; i < k_ && a >= 0; i += s_, a--) {
			if (a >= oh_) continue;
			const float* src = col + (u32)((ch * k_ + i) * k_) * ld + t * cols + (u32)(a * ow_);
			for (int j = j0, b = b0; j < k_ && b >= 0; j += s_, b--) {
				if (b < ow_) acc += src[(u32)j * ld + (u32)b];
			}
		}
		img[idx] = acc;
	}
}

// swap_axes: dst[j][i] = src[i][j] for src a×b blocks of q values (shared/nn's
// swapAxes): moves a batch between the samples' layout (sample, channel,
// pixel) and a product's (channel, sample, pixel). One thread per value,
// on a 2-D grid: a block row takes blocks i of src (blockIdx.y, then every
// gridDim.y-th), its threads the b·q values of each, one division apiece.
extern "C" __global__ void swap_axes(float* dst, const float* src, i64 a, i64 b, i64 q) {
	const u32 a_ = a, q_ = q, bq = b * q;
	for (u32 i = blockIdx.y; i < a_; i += gridDim.y) {
		for (u32 u = blockIdx.x * blockDim.x + threadIdx.x; u < bq; u += gridDim.x * blockDim.x) {
			u32 j = u / q_, e = u - j * q_;
			dst[(j * a_ + i) * q_ + e] = src[i * bq + u];
		}
	}
}

// add_bias_nchw: m[t, r, j] += b[r] for n samples of rows×cols values
// (addBias on each sample).
extern "C" __global__ void add_bias_nchw(float* m, const float* b, i64 n, i64 rows, i64 cols) {
	const u32 rows_ = rows, cols_ = cols;
	FOR_EACH(idx, n * rows * cols) { m[idx] = m[idx] + b[(u32)idx / cols_ % rows_]; }
}

// row_sums_partial: part[r·parts + p] = Σ m[t, r, j] over part p of channel
// r's n·cols values (taken in the order e = t·cols + j: values p·chunk to
// (p+1)·chunk − 1 of them), in double, for n samples of rows×cols values
// (a bias's gradient; n = 1 reads a channels × pixels matrix). A grid of
// parts × rows blocks, each thread's share (every blockDim.x-th value)
// then block_sum, so the result depends only on chunk and the block size:
// deterministic, but not the CPU's float32 order. add_row_part_sums then
// adds each row's parts in order. (One block per row, summing up to batch
// × pixels values, left most of the GPU idle: the one-channel output of a
// generator is 401,408 values at batch 512 on MNIST.)
extern "C" __global__ void row_sums_partial(const float* m, i64 n, i64 rows, i64 cols, i64 chunk, double* part) {
	const u32 p = blockIdx.x, rows_ = rows, cols_ = cols, end = n * cols, beg = p * (u32)chunk;
	const u32 stop = end - beg < (u32)chunk ? end : beg + (u32)chunk;
	for (u32 r = blockIdx.y; r < rows_; r += gridDim.y) { // rows may outnumber the grid's rows
		double acc = 0;
		for (u32 e = beg + threadIdx.x; e < stop; e += blockDim.x) acc += m[(e / cols_ * rows_ + r) * cols_ + e % cols_];
		acc = block_sum(acc);
		if (threadIdx.x == 0) part[r * gridDim.x + p] = acc;
	}
}

// add_row_part_sums: dst[r] += Σ_p part[r·parts + p], the parts added in
// order, one thread per row.
extern "C" __global__ void add_row_part_sums(float* dst, const double* part, i64 rows, i64 parts) {
	FOR_EACH(r, rows) {
		double s = 0;
		for (i64 p = 0; p < parts; p++) s += part[r * parts + p];
		dst[r] = (float)((double)dst[r] + s);
	}
}
