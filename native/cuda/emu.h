// The C interface of the CPU emulation of gebm's kernels (emu.cc, build
// tags cuda and cudaemu), for driver_emu.go.
#pragma once
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

// emu_has reports whether the emulation has the kernel called name.
int emu_has(const char* name);

// emu_set_reverse makes later launches run the blocks of a grid, and the
// threads of a block between barriers, last first (r ≠ 0) or first first
// (r = 0, the default).
void emu_set_reverse(int r);

// emu_launch runs kernel name on a gx×gy grid of blocks of block threads,
// with nargs 8-byte arguments; it returns 0, or -1 for an unknown kernel
// or a block of more than 1024 threads.
int emu_launch(const char* name, int gx, int gy, int block, const uint64_t* argv, int nargs);

// Memory: the emulated device memory is host memory.
uintptr_t emu_alloc(size_t bytes);
void emu_free(uintptr_t p);
void emu_to_dev(uintptr_t dst, const void* src, size_t bytes);
void emu_to_host(void* dst, uintptr_t src, size_t bytes);
void emu_dev_copy(uintptr_t dst, uintptr_t src, size_t bytes);
void emu_zero(uintptr_t p, size_t bytes);

#ifdef __cplusplus
}
#endif
