//go:build cuda && cudaemu

package cuda

import (
	"os"
	"testing"
	"unsafe"
)

// TestEmulatorOrder: in the default order the emulation runs a block's
// threads first to last, so emu_race_probe's reads of the previous
// thread's shared-memory write, with no barrier between (a race on a GPU),
// see this launch's values; with emuSetReverse they see the previous
// launch's. scripts/test-cuda.sh runs the whole suite in both orders, so a
// missing barrier fails one of them.
func TestEmulatorOrder(t *testing.T) {
	defer emuSetReverse(os.Getenv(emuOrderEnv) == "reverse")
	fns, err := drvLoad("", []string{"emu_race_probe"})
	if err != nil {
		t.Fatal(err)
	}
	const n = 256
	out, err := drvAlloc(4 * n)
	if err != nil {
		t.Fatal(err)
	}
	defer drvFree(out)
	run := func(reverse bool, tag int) []float32 {
		emuSetReverse(reverse)
		if err := drvLaunch(fns["emu_race_probe"], 1, 1, n, []uint64{uint64(out), uint64(tag)}, nil); err != nil {
			t.Fatal(err)
		}
		got := make([]float32, n)
		if err := drvDtoH(unsafe.Pointer(&got[0]), out, 4*n); err != nil {
			t.Fatal(err)
		}
		return got
	}
	// raced counts the threads that read another launch's value.
	raced := func(got []float32, tag int) int {
		k := 0
		for i := 1; i < n; i++ {
			if got[i] != float32(1000*tag+i-1) {
				k++
			}
		}
		return k
	}
	if k := raced(run(false, 1), 1); k != 0 {
		t.Errorf("in order: %d of %d threads read a value their predecessor had not written yet", k, n-1)
	}
	if k := raced(run(true, 2), 2); k != n-1 {
		t.Errorf("in reverse: only %d of %d threads read before their predecessor wrote", k, n-1)
	}
}
