//go:build cuda && !cudaemu

package cuda

// #cgo LDFLAGS: -lcuda
// #include <cuda.h>
import "C"

import (
	"fmt"
	"unsafe"

	"gorgonia.org/cu"
)

// The CUDA driver, through gorgonia.org/cu (and cuMemAllocHost, which cu
// does not wrap). driver_emu.go has the same functions over a CPU emulation
// of the kernels (tag cudaemu), for testing this package without a GPU.

// Emulated reports whether the kernels run in the CPU emulation.
const Emulated = false

type (
	devPtr     = cu.DevicePtr
	drvStream  = cu.Stream
	drvEvent   = cu.Event
	drvFunc    = cu.Function
	drvContext = cu.CUContext
)

var defaultStream drvStream // the legacy default stream

type drvInfo struct {
	name              string
	major, minor, sms int
	ctx               drvContext
}

func drvOpen(ordinal int) (info drvInfo, err error) {
	n, err := cu.NumDevices()
	if err != nil {
		return info, err
	}
	if ordinal < 0 || ordinal >= n {
		return info, fmt.Errorf("device %d does not exist (%d found)", ordinal, n)
	}
	dev, err := cu.GetDevice(ordinal)
	if err != nil {
		return info, err
	}
	if info.name, err = dev.Name(); err != nil {
		return info, err
	}
	if info.major, info.minor, err = dev.ComputeCapability(); err != nil {
		return info, err
	}
	if info.sms, err = dev.Attribute(cu.MultiprocessorCount); err != nil {
		return info, err
	}
	if info.ctx, err = dev.RetainPrimaryCtx(); err != nil {
		return info, err
	}
	return info, nil
}

func drvSetCurrent(ctx drvContext) error { return cu.SetCurrentContext(ctx) }

// drvLoad loads a PTX module and looks up the named kernels.
func drvLoad(ptx string, names []string) (map[string]drvFunc, error) {
	mod, err := cu.LoadData(ptx)
	if err != nil {
		return nil, err
	}
	fns := map[string]drvFunc{}
	for _, k := range names {
		if fns[k], err = mod.Function(k); err != nil {
			return nil, fmt.Errorf("kernel %s: %w", k, err)
		}
	}
	return fns, nil
}

// drvLaunch starts fn on a gx×gy grid of block threads on the default
// stream; argp[i] points at argv[i].
func drvLaunch(fn drvFunc, gx, gy, block int, argv []uint64, argp []unsafe.Pointer) error {
	return fn.Launch(gx, gy, 1, block, 1, 1, 0, defaultStream, argp)
}

func drvAlloc(bytes int64) (devPtr, error)                    { return cu.MemAlloc(bytes) }
func drvFree(p devPtr) error                                  { return cu.MemFree(p) }
func drvZero(p devPtr, words int64) error                     { return cu.MemsetD32(p, 0, words) }
func drvZeroAsync(p devPtr, words int64) error                { return cu.MemsetD32Async(p, 0, words, defaultStream) }
func drvHtoD(p devPtr, src unsafe.Pointer, bytes int64) error { return cu.MemcpyHtoD(p, src, bytes) }
func drvDtoH(dst unsafe.Pointer, p devPtr, bytes int64) error { return cu.MemcpyDtoH(dst, p, bytes) }
func drvDtoDAsync(dst, src devPtr, bytes int64) error {
	return cu.MemcpyDtoDAsync(dst, src, bytes, defaultStream)
}
func drvHtoDAsync(p devPtr, src unsafe.Pointer, bytes int64, s drvStream) error {
	return cu.MemcpyHtoDAsync(p, src, bytes, s)
}
func drvSynchronize() error                   { return cu.Synchronize() }
func drvMakeStream() (drvStream, error)       { return cu.MakeStream(cu.NonBlocking) }
func drvMakeEvent() (drvEvent, error)         { return cu.MakeEvent(cu.DisableTiming) }
func drvRecord(e drvEvent, s drvStream) error { return e.Record(s) }
func drvWait(s drvStream, e drvEvent) error   { return s.Wait(e, 0) }
func drvDestroyEvent(e *drvEvent) error       { return cu.DestroyEvent(e) }

// drvAllocHost returns page-locked host memory.
func drvAllocHost(bytes int) (unsafe.Pointer, error) {
	var p unsafe.Pointer
	if r := C.cuMemAllocHost(&p, C.size_t(bytes)); r != C.CUDA_SUCCESS {
		return nil, fmt.Errorf("cuMemAllocHost(%d bytes): error %d", bytes, int(r))
	}
	return p, nil
}

func drvFreeHost(p unsafe.Pointer) error { return cu.MemFreeHost(p) }
