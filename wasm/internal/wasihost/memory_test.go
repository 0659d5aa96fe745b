package wasihost

import (
	"errors"
	"testing"

	"github.com/gebm/gebm/shared/model/modeltest"
	"github.com/gebm/gebm/wasm/sampler"
)

// TestMemoryBounded: 10,000 steps, in 100 calls of 100 that cycle through
// every method, each followed by reading every result, with a chain set
// created and freed and an energy grid drawn every 10 calls, leave the
// module's memory within slack of where it was after the first 1,000 steps:
// the linear memory (which never shrinks) stops growing after warm-up.
//
// The slack: the sampler's live heap is flat over such a run (HeapAlloc after
// runtime.GC, measured in wasip1 over 40,000 steps: constant to the byte),
// but the linear memory follows the Go runtime's heap goal and its
// fragmentation, and these still add a page now and then late in a run (16
// pages over 40,000 steps, starting after 2,000 to 22,000 steps depending
// on how much garbage each matrix product leaves). So the test catches
// growth of more than 1 MiB in the last 9,000 steps, not a slow trickle.
func TestMemoryBounded(t *testing.T) {
	const slack = 16 // pages (1 MiB)
	in := instance(t)
	m, err := in.Open(modeltest.File(modeltest.Toy2D(3)))
	if err != nil {
		t.Fatal(err)
	}
	c, err := in.NewChains(m, 8, 1, 1)
	if err != nil {
		t.Fatal(err)
	}
	methods := []string{"ula", "mala", "hmc", "kla", "mh", "imh"}
	start := in.MemoryPages()
	var warm uint32
	const calls, steps, warmCalls = 100, 100, 10
	for i := range calls {
		p := sampler.StepParams{Method: methods[i%len(methods)], StepSize: 0.02, Leapfrog: 1, Friction: 1, Steps: steps}
		if _, err := in.Step(c, p); err != nil {
			t.Fatal(err)
		}
		if _, err := in.Latents(c); err != nil {
			t.Fatal(err)
		}
		if _, err := in.Samples(c); err != nil {
			t.Fatal(err)
		}
		if _, err := in.Energies(c); err != nil {
			t.Fatal(err)
		}
		if _, err := in.Accept(c); err != nil {
			t.Fatal(err)
		}
		if i%10 == 0 {
			c2, err := in.NewChains(m, 32, uint64(i), 1)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := in.Step(c2, p); err != nil {
				t.Fatal(err)
			}
			if err := in.Free(c2); err != nil {
				t.Fatal(err)
			}
			if _, err := in.EnergyGrid(m, sampler.Grid{XMin: -3, XMax: 3, YMin: -3, YMax: 3, Res: 64}); err != nil {
				t.Fatal(err)
			}
		}
		if i == warmCalls-1 {
			warm = in.MemoryPages()
		}
	}
	end := in.MemoryPages()
	t.Logf("linear memory: %d pages (%.1f MiB) at start, %d after %d steps, %d after %d steps",
		start, float64(start)/16, warm, warmCalls*steps, end, calls*steps)
	if end > warm+slack {
		t.Fatalf("memory grew from %d to %d pages after warm-up (more than %d)", warm, end, slack)
	}
}

// TestHugeConvBuffersRefused: the module refuses a model file whose
// convolution would need a 1 GiB column matrix (modeltest.HugeColumns)
// with a status error of kind ErrModel and the native sampler's text,
// without growing its linear memory by more than the file's own copies
// (4 MiB of slack for a 0.3 MB file); it then opens and samples a
// convolutional model.
func TestHugeConvBuffersRefused(t *testing.T) {
	in := instance(t)
	file := modeltest.HugeColumns()
	before := in.MemoryPages()
	_, err := in.Open(file)
	_, nerr := sampler.New().Open(file)
	var se *StatusError
	if !errors.As(err, &se) || !errors.Is(err, sampler.ErrModel) || nerr == nil || se.Message != nerr.Error() {
		t.Fatalf("huge column buffers: wasm %v, native %v; want the same ErrModel", err, nerr)
	}
	if grown := in.MemoryPages() - before; grown > 64 {
		t.Fatalf("refusing the file grew the linear memory by %d pages", grown)
	}
	m, err := in.Open(modeltest.File(modeltest.Conv(3, 3, 8)))
	if err != nil {
		t.Fatal(err)
	}
	c, err := in.NewChains(m, 2, 1, 1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := in.Step(c, sampler.StepParams{Method: "mala", StepSize: 0.01, Steps: 2}); err != nil {
		t.Fatal(err)
	}
}
