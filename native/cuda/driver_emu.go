//go:build cuda && cudaemu

package cuda

// #cgo CXXFLAGS: -std=c++17 -O2 -Wno-unknown-pragmas
// #include <stdlib.h>
// #include "emu.h"
import "C"

import (
	"embed"
	"errors"
	"fmt"
	"os"
	"unsafe"
)

// emuSources holds the kernel sources that emu.cc includes. Nothing reads
// it: embedding them puts their contents into the package's build cache
// key, which covers the Go, C++ and .h files but not .cu and .cuh files,
// so that after an edit of a kernel alone go test rebuilds the emulation
// instead of running the previous compilation (-count=1 does not rebuild).
//
//go:embed *.cu *.cuh
var emuSources embed.FS

// The driver functions of driver_cu.go over a CPU emulation of the kernels
// (emu.cc): device memory is host memory, every copy and launch is
// synchronous, and a launch runs the .cu source compiled as C++ with each
// GPU thread as a fiber. Build with -tags cuda,cudaemu to run this
// package's tests without a GPU (slowly: keep the shapes small).

// Emulated reports whether the kernels run in the CPU emulation.
const Emulated = true

// emuOrderEnv, set to "reverse", makes the emulation run the blocks of a
// grid and the threads of a block last first, so that a kernel reading
// another thread's write without a barrier between reads something else
// than in the default order (scripts/test-cuda.sh runs the tests in both).
const emuOrderEnv = "GEBM_EMU_ORDER"

func init() { emuSetReverse(os.Getenv(emuOrderEnv) == "reverse") }

// emuSetReverse sets the order of the emulation's later launches.
func emuSetReverse(r bool) {
	v := 0
	if r {
		v = 1
	}
	C.emu_set_reverse(C.int(v))
}

type (
	devPtr     uintptr
	drvStream  struct{}
	drvEvent   struct{}
	drvFunc    struct{ name *C.char }
	drvContext struct{}
)

var defaultStream drvStream

type drvInfo struct {
	name              string
	major, minor, sms int
	ctx               drvContext
}

func drvOpen(ordinal int) (drvInfo, error) {
	if ordinal != 0 {
		return drvInfo{}, fmt.Errorf("device %d does not exist (1 found)", ordinal)
	}
	return drvInfo{name: "CPU emulation", major: 9, sms: 2}, nil
}

func drvSetCurrent(drvContext) error { return nil }

func drvLoad(_ string, names []string) (map[string]drvFunc, error) {
	fns := map[string]drvFunc{}
	for _, k := range names {
		cs := C.CString(k) // kept for the process's life, as a loaded module
		if C.emu_has(cs) == 0 {
			return nil, fmt.Errorf("kernel %s: not in the emulation (emu.cc)", k)
		}
		fns[k] = drvFunc{cs}
	}
	return fns, nil
}

func drvLaunch(fn drvFunc, gx, gy, block int, argv []uint64, _ []unsafe.Pointer) error {
	var p *C.uint64_t
	if len(argv) > 0 {
		p = (*C.uint64_t)(unsafe.Pointer(&argv[0]))
	}
	if C.emu_launch(fn.name, C.int(gx), C.int(gy), C.int(block), p, C.int(len(argv))) != 0 {
		return fmt.Errorf("emulated launch of %s failed", C.GoString(fn.name))
	}
	return nil
}

func drvAlloc(bytes int64) (devPtr, error) {
	p := C.emu_alloc(C.size_t(bytes))
	if p == 0 {
		return 0, errors.New("out of memory")
	}
	return devPtr(p), nil
}

func drvFree(p devPtr) error                   { C.emu_free(C.uintptr_t(p)); return nil }
func drvZero(p devPtr, words int64) error      { C.emu_zero(C.uintptr_t(p), C.size_t(4*words)); return nil }
func drvZeroAsync(p devPtr, words int64) error { return drvZero(p, words) }
func drvHtoD(p devPtr, src unsafe.Pointer, bytes int64) error {
	C.emu_to_dev(C.uintptr_t(p), src, C.size_t(bytes))
	return nil
}
func drvDtoH(dst unsafe.Pointer, p devPtr, bytes int64) error {
	C.emu_to_host(dst, C.uintptr_t(p), C.size_t(bytes))
	return nil
}
func drvDtoDAsync(dst, src devPtr, bytes int64) error {
	C.emu_dev_copy(C.uintptr_t(dst), C.uintptr_t(src), C.size_t(bytes))
	return nil
}
func drvHtoDAsync(p devPtr, src unsafe.Pointer, bytes int64, _ drvStream) error {
	return drvHtoD(p, src, bytes)
}
func drvSynchronize() error                          { return nil }
func drvMakeStream() (drvStream, error)              { return drvStream{}, nil }
func drvMakeEvent() (drvEvent, error)                { return drvEvent{}, nil }
func drvRecord(drvEvent, drvStream) error            { return nil }
func drvWait(drvStream, drvEvent) error              { return nil }
func drvDestroyEvent(*drvEvent) error                { return nil }
func drvAllocHost(bytes int) (unsafe.Pointer, error) { return C.malloc(C.size_t(bytes)), nil }
func drvFreeHost(p unsafe.Pointer) error             { C.free(p); return nil }
