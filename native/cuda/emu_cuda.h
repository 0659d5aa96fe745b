// Just enough of CUDA C++ to run gebm's kernels on the CPU, for testing
// without a GPU (build tags cuda and cudaemu; see emu.cc). The threads of a
// block are fibers on one OS thread (made once with ucontext, switched with
// _setjmp/_longjmp, which make no system call), switched at __syncthreads
// and warp shuffles; blocks run one after another, so __shared__ variables
// can be statics. Floating-point arithmetic is the host's (SSE2, no fused
// multiply-adds): the same rounding as the GPU with -fmad=false, and CUDA's
// math library replaced by glibc's.
#pragma once
#include <math.h>
#include <stdint.h>
#include <setjmp.h>
#include <ucontext.h>

struct dim3 {
	unsigned x, y, z;
};

struct EmuThread {
	ucontext_t ctx;  // used once, to start the fiber on its own stack
	jmp_buf env;     // where the parked fiber resumes
	dim3 idx;
	bool done;
};

extern EmuThread* emu_cur;
extern dim3 emu_block_idx, emu_block_dim, emu_grid_dim;

#define threadIdx (emu_cur->idx)
#define blockIdx emu_block_idx
#define blockDim emu_block_dim
#define gridDim emu_grid_dim
#define __global__
#define __device__
#define __shared__ static
#define __launch_bounds__(...)
#define __align__(n) __attribute__((aligned(n)))

struct alignas(8) float2 {
	float x, y;
};
struct alignas(16) float4 {
	float x, y, z, w;
};

void __syncthreads();
void __syncwarp(unsigned mask = 0xffffffff);
double emu_shfl_down(double v, int delta);

template <typename T>
inline T __shfl_down_sync(unsigned, T v, int delta) {
	return (T)emu_shfl_down((double)v, delta);
}
