// Spectral normalisation of a weight W (out×in, row-major) with persistent
// vectors u (out) and v (in), mirroring shared/nn/spectral.go. The matrix-
// vector products accumulate in float32 in the CPU's order (Wᵀu in one sum
// over the rows, W v in dot4's four partial sums), one thread adding each
// output element's terms, so they match the CPU bit for bit
// (TestSpectralProducts); the norms and σ are sums in double (in a
// different order than the CPU's: last-bit differences in double, rarely
// visible in float32).
#include "common.cuh"

// sn_wt_u: v[j] = Σ_i u[i] W[i,j] (v = Wᵀu, before normalisation).
extern "C" __global__ void sn_wt_u(const float* w, const float* u, float* v, i64 out, i64 in) {
	FOR_EACH(j, in) {
		float acc = 0;
		for (i64 i = 0; i < out; i++) acc += u[i] * w[i * in + j];
		v[j] = acc;
	}
}

// sn_w_v: t[i] = Σ_j W[i,j] v[j] (t = W v), each row by one warp: its
// lanes read 32 consecutive values of the row and of v (coalesced) and
// multiply them, and lane 0 adds the products through shared memory in the
// order of shared/nn's dot4: four partial sums s_(j mod 4) over the first
// in − in mod 4 terms, the rest into s0, then (s0 + s1) + (s2 + s3).
// (A thread per row, before, read its row alone, and in one sum: the
// energy's last layer, one row of 6272 at MNIST size, was one thread's
// chain of dependent loads.) Blocks of at most 1024 threads.
extern "C" __global__ void sn_w_v(const float* w, const float* v, float* t, i64 out, i64 in) {
	__shared__ float prod[32][32];
	const int lane = threadIdx.x % 32, wb = threadIdx.x / 32;
	const i64 warps = (i64)gridDim.x * blockDim.x / 32, in4 = in - in % 4;
	for (i64 i = ((i64)blockIdx.x * blockDim.x + threadIdx.x) / 32; i < out; i += warps) {
		const float* row = w + i * in;
		const float* p = prod[wb];
		float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
		for (i64 j0 = 0; j0 < in; j0 += 32) {
			prod[wb][lane] = j0 + lane < in ? row[j0 + lane] * v[j0 + lane] : 0.0f;
			__syncwarp();
			if (lane == 0) {
				// j0 is a multiple of 32, so term j0 + l belongs to s_(l mod 4).
				const int n = in - j0 < 32 ? (int)(in - j0) : 32;
				const int full = in4 - j0 < n ? (int)(in4 - j0) : n; // a multiple of 4, maybe 0
				int l = 0;
				for (; l < full; l += 4) {
					s0 += p[l];
					s1 += p[l + 1];
					s2 += p[l + 2];
					s3 += p[l + 3];
				}
				for (; l < n; l++) s0 += p[l];
			}
			__syncwarp();
		}
		if (lane == 0) t[i] = (s0 + s1) + (s2 + s3);
	}
}

// sn_normalize (one block): x ← x/|x| (a zero vector is left alone).
extern "C" __global__ void sn_normalize(float* x, i64 n) {
	double s = 0;
	for (i64 k = threadIdx.x; k < n; k += blockDim.x) s += (double)x[k] * (double)x[k];
	s = block_sum(s);
	if (s == 0) return;
	float inv = (float)(1 / sqrt(s));
	for (i64 k = threadIdx.x; k < n; k += blockDim.x) x[k] *= inv;
}

// sn_sigma (one block): with set_u, u = t/|t| (the end of a power
// iteration step); then *sigma = Σ_i u[i] t[i] (σ = uᵀ W v, t = W v),
// floored at 1e-12 in magnitude as the CPU does.
extern "C" __global__ void sn_sigma(const float* t, float* u, i64 out, i64 set_u, double* sigma) {
	double s = 0;
	if (set_u) {
		for (i64 i = threadIdx.x; i < out; i += blockDim.x) s += (double)t[i] * (double)t[i];
		s = block_sum(s);
	}
	float inv = s == 0 ? 1.0f : (float)(1 / sqrt(s));
	double sg = 0;
	for (i64 i = threadIdx.x; i < out; i += blockDim.x) {
		float ui = u[i];
		if (set_u) {
			ui = s == 0 ? t[i] : t[i] * inv;
			u[i] = ui;
		}
		sg += (double)ui * (double)t[i];
	}
	sg = block_sum(sg);
	if (threadIdx.x == 0) {
		if (!(fabs(sg) > 1e-12)) sg = 1e-12;
		*sigma = sg;
	}
}

// sn_scale: weff = W/σ (multiplying by the float32 1/σ, as the CPU does).
extern "C" __global__ void sn_scale(const float* w, float* weff, i64 n, const double* sigma) {
	float inv = (float)(1 / *sigma);
	FOR_EACH(k, n) { weff[k] = w[k] * inv; }
}

// sn_finish: with inner = Σ geff·weff (a double on the device),
//
//	gw[i,j] += geff[i,j]/σ - (inner/σ) u[i] v[j],
//
// computed in double and added in float32, then geff ← 0.
extern "C" __global__ void sn_finish(float* gw, float* geff, const float* u, const float* v, i64 out, i64 in,
		const double* sigma, const double* inner) {
	double inv = 1 / *sigma;
	double c = *inner * inv;
	FOR_EACH(k, out * in) {
		double cu = c * (double)u[k / in];
		gw[k] += (float)((double)geff[k] * inv - cu * (double)v[k % in]);
		geff[k] = 0;
	}
}
