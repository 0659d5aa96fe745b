// Shared definitions of gebm's CUDA kernels. Every kernel is extern "C" so
// that the Go side finds it by name in the PTX module; scalar parameters are
// long long or double because gorgonia.org/cu copies 8 bytes per parameter.
//
// All files except gemm.cu are compiled with -fmad=false: the elementwise
// kernels then round every product and sum separately, exactly as the Go
// code in shared/nn does, so that their float32 results match the CPU bit
// for bit where the CPU's order of operations is followed.
#pragma once

typedef long long i64;

#define FLOAT32_MAX 3.40282346638528859811704183484516925440e+38

// Grid-stride loop over [0, n).
#define FOR_EACH(i, n) \
	for (i64 i = blockIdx.x * (i64)blockDim.x + threadIdx.x; i < (n); i += (i64)gridDim.x * blockDim.x)

// u32 is the index type of kernels whose Go side keeps every count below
// 2^31 (Device.fits32): their divisions and remainders then take 32-bit
// instructions instead of 64-bit ones, which are emulated and made the
// convolutions' index arithmetic cost more than their memory traffic.
typedef unsigned int u32;

// Block-wide reductions of doubles; blockDim.x is a multiple of 32, at most
// 1024. Every thread gets the result. Deterministic: the order of the
// additions depends only on blockDim.x.
__device__ inline double warp_sum(double v) {
	for (int o = 16; o > 0; o >>= 1) v += __shfl_down_sync(0xffffffff, v, o);
	return v;
}

__device__ inline double block_sum(double v) {
	__shared__ double part[32];
	__shared__ double total;
	int lane = threadIdx.x & 31, w = threadIdx.x >> 5;
	v = warp_sum(v);
	if (lane == 0) part[w] = v;
	__syncthreads();
	if (w == 0) {
		v = lane < (blockDim.x >> 5) ? part[lane] : 0.0;
		v = warp_sum(v);
		if (lane == 0) total = v;
	}
	__syncthreads();
	double r = total;
	__syncthreads();
	return r;
}

// nan_max and nan_min propagate NaN, like Go's math.Max and min.
__device__ inline double nan_max(double a, double b) {
	if (a != a || b != b) return a + b;
	return a > b ? a : b;
}

__device__ inline double nan_min(double a, double b) {
	if (a != a || b != b) return a + b;
	return a < b ? a : b;
}

__device__ inline double block_max(double v) {
	__shared__ double part[32];
	__shared__ double total;
	int lane = threadIdx.x & 31, w = threadIdx.x >> 5;
	for (int o = 16; o > 0; o >>= 1) v = nan_max(v, __shfl_down_sync(0xffffffff, v, o));
	if (lane == 0) part[w] = v;
	__syncthreads();
	if (w == 0) {
		v = lane < (blockDim.x >> 5) ? part[lane] : -INFINITY;
		for (int o = 16; o > 0; o >>= 1) v = nan_max(v, __shfl_down_sync(0xffffffff, v, o));
		if (lane == 0) total = v;
	}
	__syncthreads();
	double r = total;
	__syncthreads();
	return r;
}

__device__ inline double block_min(double v) {
	return -block_max(-v);
}
