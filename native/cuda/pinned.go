//go:build cuda

package cuda

// #cgo LDFLAGS: -lcuda
// #include <cuda.h>
import "C"

import (
	"fmt"
	"unsafe"

	"gorgonia.org/cu"
)

// pinned is page-locked host memory (cuMemAllocHost, which gorgonia.org/cu
// does not wrap): copies from it run asynchronously, so an upload can
// overlap kernels queued before it.
type pinned struct {
	p unsafe.Pointer
	f []float32
}

func allocPinned(n int) (pinned, error) {
	var p unsafe.Pointer
	if r := C.cuMemAllocHost(&p, C.size_t(4*max(n, 1))); r != C.CUDA_SUCCESS {
		return pinned{}, fmt.Errorf("cuda: cuMemAllocHost(%d bytes): error %d", 4*n, int(r))
	}
	return pinned{p, unsafe.Slice((*float32)(p), max(n, 1))[:n]}, nil
}

func (p *pinned) free() error {
	if p.p == nil {
		return nil
	}
	err := cu.MemFreeHost(p.p)
	*p = pinned{}
	return err
}

// uploadAsync queues the copy of the first len(src) values into dst on
// stream s, staging them through p (which must not be written again until
// the copy is done).
func (d *Device) uploadAsync(dst Buffer, p pinned, src []float32, s cu.Stream) {
	if len(src) > len(p.f) || len(src) > dst.n {
		panic(fmt.Sprintf("cuda: upload of %d values through %d into %d", len(src), len(p.f), dst.n))
	}
	if len(src) == 0 {
		return
	}
	copy(p.f, src)
	d.fail(cu.MemcpyHtoDAsync(dst.ptr, p.p, int64(4*len(src)), s))
}
