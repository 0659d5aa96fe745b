//go:build wasip1

package main

import (
	"fmt"
	"unsafe"

	"github.com/gebm/gebm/wasm/sampler"
)

// maxAlloc is the largest buffer mem_alloc hands out (1 GiB).
const maxAlloc = 1 << 30

// buffers holds every buffer handed to the host, by address, so that the
// garbage collector keeps it (Go's collector does not move objects, so the
// address stays valid) until mem_free.
var buffers = map[uint32][]byte{}

// address is the linear-memory address of b's first byte.
func address(b []byte) uint32 { return uint32(uintptr(unsafe.Pointer(unsafe.SliceData(b)))) }

// mem_alloc returns a buffer of size bytes, zeroed and 8-byte aligned, for
// the host to pass arrays through; 0 on failure (see last_error).
//
//go:wasmexport mem_alloc
func memAlloc(size uint32) (ptr uint32) {
	defer func() {
		if r := recover(); r != nil {
			status(fmt.Errorf("wasi: mem_alloc: %w: %v", sampler.ErrInternal, r))
			ptr = 0
		}
	}()
	if size < 1 || size > maxAlloc {
		status(fmt.Errorf("wasi: mem_alloc: %w: size %d: must be in 1..%d", sampler.ErrArgument, size, maxAlloc))
		return 0
	}
	b := make([]byte, (size+7)&^7) // a multiple of 8, which the allocator aligns to 8
	buffers[address(b)] = b
	return address(b)
}

// mem_free returns a buffer from mem_alloc; ptr must be the address
// mem_alloc returned.
//
//go:wasmexport mem_free
func memFree(ptr uint32) int32 {
	return guard(func() (int32, error) {
		if _, ok := buffers[ptr]; !ok {
			return 0, fmt.Errorf("wasi: mem_free: %w: %#x is not a buffer from mem_alloc", sampler.ErrArgument, ptr)
		}
		delete(buffers, ptr)
		return 0, nil
	})
}

// view returns the n bytes at ptr, which must lie inside one buffer from
// mem_alloc.
func view(ptr, n uint32) ([]byte, error) {
	if n == 0 {
		return nil, nil
	}
	for base, b := range buffers {
		if ptr >= base && uint64(ptr)+uint64(n) <= uint64(base)+uint64(len(b)) {
			off := ptr - base
			return b[off : off+n : off+n], nil
		}
	}
	return nil, fmt.Errorf("wasi: %w: %d bytes at %#x are not inside a buffer from mem_alloc", sampler.ErrArgument, n, ptr)
}

// float32s returns the count float32 values at ptr, which must be 4-byte
// aligned inside one buffer.
func float32s(ptr, count uint32) ([]float32, error) {
	b, err := typed(ptr, count, 4)
	if b == nil {
		return nil, err
	}
	return unsafe.Slice((*float32)(unsafe.Pointer(&b[0])), count), nil
}

// float64s is float32s for 8-byte values.
func float64s(ptr, count uint32) ([]float64, error) {
	b, err := typed(ptr, count, 8)
	if b == nil {
		return nil, err
	}
	return unsafe.Slice((*float64)(unsafe.Pointer(&b[0])), count), nil
}

func typed(ptr, count, size uint32) ([]byte, error) {
	if count == 0 {
		return nil, nil
	}
	if ptr%size != 0 {
		return nil, fmt.Errorf("wasi: %w: pointer %#x is not aligned to %d bytes", sampler.ErrArgument, ptr, size)
	}
	if count > maxAlloc/size {
		return nil, fmt.Errorf("wasi: %w: %d values of %d bytes exceed any buffer", sampler.ErrArgument, count, size)
	}
	return view(ptr, count*size)
}

// fits returns the number of values written, or an error when the
// sampler needed more room than the host's buffer of count values (it then
// wrote into a buffer of its own, and the host's is unchanged).
func fits(written int, count uint32) (int32, error) {
	if written > int(count) {
		return 0, fmt.Errorf("wasi: %w: the buffer holds %d values, the result has %d", sampler.ErrArgument, count, written)
	}
	return int32(written), nil
}
