//go:build cuda

package cuda

import (
	"fmt"
	"unsafe"
)

// pinned is page-locked host memory: copies from it run asynchronously, so
// an upload can overlap kernels queued before it.
type pinned struct {
	p unsafe.Pointer
	f []float32
}

func allocPinned(n int) (pinned, error) {
	p, err := drvAllocHost(4 * max(n, 1))
	if err != nil {
		return pinned{}, fmt.Errorf("cuda: %w", err)
	}
	return pinned{p, unsafe.Slice((*float32)(p), max(n, 1))[:n]}, nil
}

func (p *pinned) free() error {
	if p.p == nil {
		return nil
	}
	err := drvFreeHost(p.p)
	*p = pinned{}
	return err
}

// uploadAsync queues the copy of the first len(src) values into dst on
// stream s, staging them through p (which must not be written again until
// the copy is done).
func (d *Device) uploadAsync(dst Buffer, p pinned, src []float32, s drvStream) {
	if len(src) > len(p.f) || len(src) > dst.n {
		panic(fmt.Sprintf("cuda: upload of %d values through %d into %d", len(src), len(p.f), dst.n))
	}
	if len(src) == 0 {
		return
	}
	copy(p.f, src)
	d.fail(drvHtoDAsync(dst.ptr, p.p, int64(4*len(src)), s))
}
