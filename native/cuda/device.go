//go:build cuda

package cuda

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"runtime"
	"strings"
	"sync"
	"unsafe"
)

// The kernels, compiled by `make kernels` (nvcc -ptx) from the .cu files
// beside this one, one PTX file per .cu, for ptxTarget: the driver
// JIT-compiles that PTX for the GPU at hand, of the same compute capability
// or newer (A100, H100, H200 alike; scripts/cuda-kernels.sh says why one
// target).
//
//go:embed ptx/*.ptx
var ptxFiles embed.FS

// ptxTarget is the target the PTX is compiled for: compute capability 8.0.
const ptxTarget = "sm_80"

// Device is one GPU with the kernels loaded into its primary context. Its
// methods are not safe for concurrent use: gebm runs everything on the
// legacy default stream, in order, from one goroutine at a time.
type Device struct {
	ordinal int
	ctx     drvContext
	name    string
	sms     int
	fn      map[string]drvFunc

	copyStream drvStream // non-blocking: uploads that overlap compute
	partial    Doubles   // scratch of the two-pass reductions
	blockSums  Doubles   // per-block sums of the channel reductions (scratch)

	// arguments of the launch in progress (no allocation per launch)
	argv [16]uint64
	argp [16]unsafe.Pointer

	err error // the first failed launch or copy, reported at the next check
}

var (
	devicesMu sync.Mutex
	devices   = map[int]*Device{}
)

// Open returns device ordinal with gebm's kernels loaded; later calls with
// the same ordinal return the same Device.
func Open(ordinal int) (*Device, error) {
	devicesMu.Lock()
	defer devicesMu.Unlock()
	if d := devices[ordinal]; d != nil {
		return d, nil
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	info, err := drvOpen(ordinal)
	if err != nil {
		return nil, fmt.Errorf("cuda: %w", err)
	}
	d := &Device{ordinal: ordinal, ctx: info.ctx, name: info.name, sms: info.sms, fn: map[string]drvFunc{}}
	if info.major < 8 {
		return nil, fmt.Errorf("cuda: %s has compute capability %d.%d; gebm's kernels (PTX for %s) need 8.0 or newer", d.name, info.major, info.minor, ptxTarget)
	}
	if err := drvSetCurrent(d.ctx); err != nil {
		return nil, fmt.Errorf("cuda: %w", err)
	}
	// Each .cu file is one module: its PTX, as make kernels wrote it.
	paths, err := fs.Glob(ptxFiles, "ptx/*.ptx")
	if err != nil || len(paths) == 0 {
		return nil, fmt.Errorf("cuda: no PTX embedded (%v)", err)
	}
	for _, path := range paths {
		name := strings.TrimSuffix(strings.TrimPrefix(path, "ptx/"), ".ptx")
		src, err := ptxFiles.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("cuda: %w", err)
		}
		fns, err := drvLoad(string(src), kernelNames(string(src)))
		if err != nil {
			return nil, fmt.Errorf("cuda: loading the %s kernels (%s PTX) on %s: %w", name, ptxTarget, d.name, err)
		}
		for k, f := range fns {
			d.fn[k] = f
		}
	}
	if d.copyStream, err = drvMakeStream(); err != nil {
		return nil, fmt.Errorf("cuda: %w", err)
	}
	d.partial = d.allocDoubles(maxPartials)
	if d.err != nil {
		return nil, d.err
	}
	devices[ordinal] = d
	return d, nil
}

// kernelNames lists the entry points of a PTX module (".entry name(").
func kernelNames(ptx string) []string {
	var names []string
	const tag = ".entry "
	for i := 0; ; {
		j := indexFrom(ptx, tag, i)
		if j < 0 {
			return names
		}
		j += len(tag)
		k := j
		for k < len(ptx) && ptx[k] != '(' && ptx[k] != ' ' && ptx[k] != '\n' {
			k++
		}
		names = append(names, ptx[j:k])
		i = k
	}
}

func indexFrom(s, sub string, from int) int {
	for i := from; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return i
		}
	}
	return -1
}

// Name is the GPU's name, e.g. "NVIDIA H200".
func (d *Device) Name() string { return d.name }

// bind makes the device's context current on this goroutine's OS thread
// and returns the function that releases the thread. Every exported entry
// point that touches the GPU starts with it.
func (d *Device) bind() func() {
	runtime.LockOSThread()
	if err := drvSetCurrent(d.ctx); err != nil {
		d.fail(err)
	}
	return runtime.UnlockOSThread
}

func (d *Device) fail(err error) {
	if d.err == nil && err != nil {
		d.err = fmt.Errorf("cuda: %w", err)
	}
}

// fits32 reports whether a buffer of n values is within the 32-bit indices
// of the kernels that use u32 (common.cuh: the convolutions', the swap,
// the NCHW bias and batch norm); else it fails the device with an error
// naming what. 2^31 values are 8 GiB in one buffer.
func (d *Device) fits32(what string, n int) bool {
	if n < 1<<31 {
		return true
	}
	d.fail(fmt.Errorf("%s: %d values in one buffer, more than the 2^31 its kernels index; use a smaller batch", what, n))
	return false
}

// check returns (and clears) the first error since the last check.
func (d *Device) check() error {
	err := d.err
	d.err = nil
	return err
}

// Buffer is a run of float32 on the device.
type Buffer struct {
	ptr devPtr
	n   int
}

// Len is the number of float32 elements.
func (b Buffer) Len() int { return b.n }

// isNil reports an absent buffer (an optional output).
func (b Buffer) isNil() bool { return b.ptr == 0 }

// Slice returns elements [from, to) as a Buffer sharing memory.
func (b Buffer) Slice(from, to int) Buffer {
	if from < 0 || to < from || to > b.n {
		panic(fmt.Sprintf("cuda: slice [%d:%d] of %d", from, to, b.n))
	}
	return Buffer{b.ptr + devPtr(4*from), to - from}
}

// Doubles is a run of float64 on the device (reductions and statistics).
type Doubles struct {
	ptr devPtr
	n   int
}

// At returns element i as a one-element Doubles.
func (b Doubles) At(i int) Doubles {
	if i < 0 || i >= b.n {
		panic(fmt.Sprintf("cuda: element %d of %d", i, b.n))
	}
	return Doubles{b.ptr + devPtr(8*i), 1}
}

// Range returns elements [from, to) as a Doubles sharing memory.
func (b Doubles) Range(from, to int) Doubles {
	if from < 0 || to < from || to > b.n {
		panic(fmt.Sprintf("cuda: range [%d:%d] of %d", from, to, b.n))
	}
	return Doubles{b.ptr + devPtr(8*from), to - from}
}

// Alloc returns n zeroed float32 on the device (n ≥ 1).
func (d *Device) Alloc(n int) Buffer {
	p := d.alloc(4 * max(n, 1))
	return Buffer{p, n}
}

func (d *Device) allocDoubles(n int) Doubles {
	p := d.alloc(8 * max(n, 1))
	return Doubles{p, n}
}

func (d *Device) alloc(bytes int) devPtr {
	p, err := drvAlloc(int64(bytes))
	if err != nil {
		d.fail(fmt.Errorf("allocating %d bytes: %w", bytes, err))
		return 0
	}
	d.fail(drvZero(p, int64(bytes/4)))
	return p
}

// Free releases a buffer made by Alloc.
func (d *Device) Free(b Buffer) {
	if b.ptr != 0 {
		d.fail(drvFree(b.ptr))
	}
}

func (d *Device) freeDoubles(b Doubles) {
	if b.ptr != 0 {
		d.fail(drvFree(b.ptr))
	}
}

// Upload copies x into the start of b (synchronously, from pageable memory).
func (d *Device) Upload(b Buffer, x []float32) {
	if len(x) > b.n {
		panic(fmt.Sprintf("cuda: upload of %d values into %d", len(x), b.n))
	}
	if len(x) > 0 {
		d.fail(drvHtoD(b.ptr, unsafe.Pointer(&x[0]), int64(4*len(x))))
	}
}

// Download copies the start of b into x (waits for the work before it).
func (d *Device) Download(x []float32, b Buffer) {
	if len(x) > b.n {
		panic(fmt.Sprintf("cuda: download of %d values from %d", len(x), b.n))
	}
	if len(x) > 0 {
		d.fail(drvDtoH(unsafe.Pointer(&x[0]), b.ptr, int64(4*len(x))))
	}
}

func (d *Device) downloadDoubles(x []float64, b Doubles) {
	if len(x) > 0 {
		d.fail(drvDtoH(unsafe.Pointer(&x[0]), b.ptr, int64(8*len(x))))
	}
}

// zero clears b, in order on the default stream.
func (d *Device) zero(b Buffer) {
	if b.n > 0 {
		d.fail(drvZeroAsync(b.ptr, int64(b.n)))
	}
}

func (d *Device) zeroDoubles(b Doubles) {
	if b.n > 0 {
		d.fail(drvZeroAsync(b.ptr, int64(2*b.n)))
	}
}

// copy copies src into dst on the default stream.
func (d *Device) copy(dst, src Buffer) {
	if src.n > dst.n {
		panic(fmt.Sprintf("cuda: copy of %d values into %d", src.n, dst.n))
	}
	if src.n > 0 {
		d.fail(drvDtoDAsync(dst.ptr, src.ptr, int64(4*src.n)))
	}
}

// Synchronize waits for all work queued on the device.
func (d *Device) Synchronize() error {
	defer d.bind()()
	d.fail(drvSynchronize())
	return d.check()
}

// Kernel arguments: each is 8 bytes, as gorgonia.org/cu copies them.
func ptr(b Buffer) uint64        { return uint64(b.ptr) }
func dptr(b Doubles) uint64      { return uint64(b.ptr) }
func i64(n int) uint64           { return uint64(int64(n)) }
func f64(x float64) uint64       { return math.Float64bits(x) }
func blocks(n, perBlock int) int { return max(1, (n+perBlock-1)/perBlock) }

func boolArg(v bool) uint64 {
	if v {
		return 1
	}
	return 0
}

// launch starts kernel name on the default stream with grid×block threads.
func (d *Device) launch(name string, grid, block int, args ...uint64) {
	fn, ok := d.fn[name]
	if !ok {
		panic("cuda: no kernel " + name)
	}
	if len(args) > len(d.argv) {
		panic("cuda: too many kernel arguments")
	}
	for i, a := range args {
		d.argv[i] = a
		d.argp[i] = unsafe.Pointer(&d.argv[i])
	}
	if err := drvLaunch(fn, grid, 1, block, d.argv[:len(args)], d.argp[:len(args)]); err != nil {
		d.fail(fmt.Errorf("launching %s: %w", name, err))
	}
}

// launch2D starts kernel name on a gx×gy grid of blocks of block threads.
func (d *Device) launch2D(name string, gx, gy, block int, args ...uint64) {
	fn, ok := d.fn[name]
	if !ok {
		panic("cuda: no kernel " + name)
	}
	for i, a := range args {
		d.argv[i] = a
		d.argp[i] = unsafe.Pointer(&d.argv[i])
	}
	if err := drvLaunch(fn, gx, gy, block, d.argv[:len(args)], d.argp[:len(args)]); err != nil {
		d.fail(fmt.Errorf("launching %s: %w", name, err))
	}
}

// elementwise launches a grid-stride kernel over n elements: enough blocks
// of 256 threads to fill the GPU, and no more than n needs.
func (d *Device) elementwise(name string, n int, args ...uint64) {
	d.launch(name, min(blocks(n, 256), 16*d.sms), 256, args...)
}

// scratch returns the device's buffer of per-block sums of the channel
// reductions (addRowSums, batch norm) with room for n doubles, growing it
// when needed. One buffer serves them all: launches run in order on one
// stream, and each reduction's second pass reads it before the next
// reduction's first pass writes it.
func (d *Device) scratch(n int) Doubles {
	if d.blockSums.n < n {
		d.freeDoubles(d.blockSums)
		d.blockSums = d.allocDoubles(n)
	}
	return d.blockSums
}

// maxPartials bounds the blocks of the first reduction pass.
const maxPartials = 512

// reduceBlocks is the number of first-pass blocks for n elements: a
// function of n alone, so that results are reproducible.
func reduceBlocks(n int) int { return min(maxPartials, blocks(n, 4096)) }

// sumSquares writes scale·Σ x² (in double) into out.
func (d *Device) sumSquares(x Buffer, scale float64, out Doubles) {
	nb := reduceBlocks(x.n)
	d.launch("sumsq_partial", nb, 256, ptr(x), i64(x.n), dptr(d.partial))
	d.launch("sum_final", 1, 256, dptr(d.partial), i64(nb), f64(scale), dptr(out))
}

// dot writes Σ x·y (in double) into out.
func (d *Device) dot(x, y Buffer, out Doubles) {
	nb := reduceBlocks(x.n)
	d.launch("dot_partial", nb, 256, ptr(x), ptr(y), i64(x.n), dptr(d.partial))
	d.launch("sum_final", 1, 256, dptr(d.partial), i64(nb), f64(1), dptr(out))
}

// toDoubles writes x (float32) into out (double), element by element.
func (d *Device) toDoubles(x Buffer, out Doubles) {
	d.elementwise("to_double", x.n, ptr(x), dptr(out), i64(x.n))
}

var errClosed = errors.New("cuda: trainer is closed")
