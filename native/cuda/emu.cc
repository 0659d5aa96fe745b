//go:build cuda && cudaemu

// A CPU emulation of gebm's CUDA kernels: the .cu files compiled as C++
// over emu_cuda.h, launched by name. Slow (every thread is a fiber), and
// meant for running this package's tests on machines without a GPU.

// Fibers jump between stacks with _longjmp, which glibc's fortified
// __longjmp_chk would refuse.
#undef _FORTIFY_SOURCE

#include "emu.h"

#include <stdlib.h>
#include <string.h>

#include <cstddef>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "emu_cuda.h"

EmuThread* emu_cur;
dim3 emu_block_idx, emu_block_dim, emu_grid_dim;

#include "activation.cu"
#include "adam.cu"
#include "batchnorm.cu"
#include "conv.cu"
#include "gemm.cu"
#include "kale.cu"
#include "linear.cu"
#include "penalty.cu"
#include "reduce.cu"
#include "spectral.cu"

namespace {

const size_t kStack = 64 << 10;

// The fibers: made once each (makecontext), then parked and resumed with
// _setjmp/_longjmp. swapcontext would save and restore the signal mask, a
// system call at every switch; a GEMM switches fibers millions of times,
// and where system calls are slow (a traced or sandboxed process) that
// alone made the emulated tests run for tens of minutes.
jmp_buf sched;
std::vector<EmuThread> threads(1024);
std::vector<char> stacks(1024 * kStack);
int started = 0;  // threads[0:started] have been made

struct Barrier {
	int count;
	long gen;
};
Barrier block_bar, warp_bar[32];
double xchg[32][32];

// yield parks the current fiber and returns to the scheduler; it returns
// when the scheduler resumes the fiber.
void yield() {
	if (_setjmp(emu_cur->env) == 0) _longjmp(sched, 1);
}

// resume runs fiber t until it next parks.
void resume(EmuThread& t) {
	emu_cur = &t;
	if (_setjmp(sched) == 0) _longjmp(t.env, 1);
}

void wait(Barrier& b, int n) {
	long g = b.gen;
	if (++b.count == n) {
		b.count = 0;
		b.gen++;
		return;
	}
	while (b.gen == g) yield();
}

void (*kernel)(void**);
void** kernel_args;

// reverse asks for the blocks of a grid, and the threads of a block between
// two barriers, to run from the last to the first (emu_set_reverse). A
// kernel that reads what another thread or block of the same launch wrote,
// without a barrier between them (a race on a GPU), then reads other values
// in one of the two orders, so its tests, run in both, see it.
bool reverse = false;

// fiber is every fiber's body: park, run the kernel for the current block
// when resumed, and park again; it never returns.
void fiber() {
	for (;;) {
		yield();
		kernel(kernel_args);
		emu_cur->done = true;
	}
}

// start makes fiber t and runs it to its first park.
void start(EmuThread& t, int i) {
	getcontext(&t.ctx);
	t.ctx.uc_stack.ss_sp = &stacks[i * kStack];
	t.ctx.uc_stack.ss_size = kStack;
	t.ctx.uc_link = nullptr;  // fiber never returns
	makecontext(&t.ctx, fiber, 0);
	ucontext_t from;  // abandoned: the fiber comes back through sched
	emu_cur = &t;
	if (_setjmp(sched) == 0) swapcontext(&from, &t.ctx);
}

template <typename... A, size_t... I>
void call(void (*f)(A...), void** a, std::index_sequence<I...>) {
	f(*static_cast<A*>(a[I])...);
}

template <typename... A>
void invoke(void (*f)(A...), void** a) {
	call(f, a, std::index_sequence_for<A...>{});
}

// emu_race_probe: out[t] = what thread t − 1 of the block wrote to shared
// memory, s[t − 1] = 1000·tag + t − 1, read with no barrier between (a race
// on a GPU): that value when the threads run in order, an older one in
// reverse. For TestEmulatorOrder; no PTX has it.
__global__ void emu_race_probe(float* out, i64 tag) {
	__shared__ float s[1024];
	const int t = threadIdx.x;
	s[t] = (float)(1000 * tag + t);
	out[t] = t > 0 ? s[t - 1] : -1.0f;
}

#define K(name) {#name, [](void** a) { invoke(name, a); }}

const std::map<std::string, void (*)(void**)> kernels = {
	K(act_forward), K(act_backward), K(act_tangent), K(act_backward_tangent),
	K(adam), K(soft_clip),
	K(sgemm_nn_128), K(sgemm_nt_128), K(sgemm_tn_128), K(sgemm_tt_128),
	K(sgemm_nn_64), K(sgemm_nt_64), K(sgemm_tn_64), K(sgemm_tt_64),
	K(sgemm_nn_32), K(sgemm_nt_32), K(sgemm_tn_32), K(sgemm_tt_32), K(gemm_reduce),
	K(energy_loss), K(importance_weights),
	K(bias_add), K(add_column_sums),
	K(bn_partial_sums), K(bn_mean), K(bn_finish_stats), K(bn_running_stats), K(bn_apply), K(bn_backward_sums),
	K(bn_backward_dx),
	K(im2col), K(col2im), K(swap_axes), K(add_bias_nchw), K(row_sums_partial), K(add_row_part_sums),
	K(interpolate), K(scale), K(scale_rows),
	K(sumsq_partial), K(dot_partial), K(sum_final), K(to_double), K(fill),
	K(sn_wt_u), K(sn_w_v), K(sn_normalize), K(sn_sigma), K(sn_scale), K(sn_finish),
	K(emu_race_probe),
};

}  // namespace

void __syncthreads() { wait(block_bar, (int)blockDim.x); }

void __syncwarp(unsigned) {
	int w = (int)threadIdx.x / 32;
	wait(warp_bar[w], (int)blockDim.x - 32 * w < 32 ? (int)blockDim.x - 32 * w : 32);
}

double emu_shfl_down(double v, int delta) {
	int tid = (int)threadIdx.x, w = tid / 32, lane = tid % 32;
	int n = (int)blockDim.x - 32 * w < 32 ? (int)blockDim.x - 32 * w : 32;
	xchg[w][lane] = v;
	wait(warp_bar[w], n);
	double r = lane + delta < n ? xchg[w][lane + delta] : v;
	wait(warp_bar[w], n);
	return r;
}

extern "C" {

int emu_has(const char* name) { return kernels.count(name) != 0; }

void emu_set_reverse(int r) { reverse = r != 0; }

int emu_launch(const char* name, int gx, int gy, int block, const uint64_t* argv, int nargs) {
	auto it = kernels.find(name);
	if (it == kernels.end() || block < 1 || block > 1024 || nargs > 16) return -1;
	uint64_t args[16];
	void* ptrs[16];
	for (int i = 0; i < nargs; i++) {
		args[i] = argv[i];
		ptrs[i] = &args[i];
	}
	kernel = it->second;
	kernel_args = ptrs;
	emu_grid_dim = {(unsigned)gx, (unsigned)gy, 1};
	emu_block_dim = {(unsigned)block, 1, 1};
	for (; started < block; started++) start(threads[started], started);
	const bool rev = reverse;
	for (int byi = 0; byi < gy; byi++) {
		for (int bxi = 0; bxi < gx; bxi++) {
			const int by = rev ? gy - 1 - byi : byi, bx = rev ? gx - 1 - bxi : bxi;
			emu_block_idx = {(unsigned)bx, (unsigned)by, 0};
			block_bar = {0, 0};
			for (auto& b : warp_bar) b = {0, 0};
			for (int t = 0; t < block; t++) {
				threads[t].idx = {(unsigned)t, 0, 0};
				threads[t].done = false;
			}
			for (bool running = true; running;) {
				running = false;
				for (int ti = 0; ti < block; ti++) {
					const int t = rev ? block - 1 - ti : ti;
					if (threads[t].done) continue;
					running = true;
					resume(threads[t]);
				}
			}
		}
	}
	return 0;
}

uintptr_t emu_alloc(size_t bytes) { return (uintptr_t)calloc(1, bytes); }
void emu_free(uintptr_t p) { free((void*)p); }
void emu_to_dev(uintptr_t dst, const void* src, size_t bytes) { memcpy((void*)dst, src, bytes); }
void emu_to_host(void* dst, uintptr_t src, size_t bytes) { memcpy(dst, (const void*)src, bytes); }
void emu_dev_copy(uintptr_t dst, uintptr_t src, size_t bytes) { memmove((void*)dst, (const void*)src, bytes); }
void emu_zero(uintptr_t p, size_t bytes) { memset((void*)p, 0, bytes); }

}  // extern "C"
