package wasihost

import (
	"testing"

	"github.com/gebm/gebm/wasm/sampler"
	"github.com/gebm/gebm/wasm/testmodel"
)

// TestMemoryBounded: 10,000 steps, in 100 calls of 100 that cycle through
// every method, each followed by reading every result, with a chain set
// created and freed and an energy grid drawn every 10 calls, leave the
// module's memory where it was after the first 1,000 steps: the linear
// memory (which never shrinks) stops growing after warm-up.
func TestMemoryBounded(t *testing.T) {
	in := instance(t)
	m, err := in.Open(testmodel.File(testmodel.Toy2D(3)))
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
	if end != warm {
		t.Fatalf("memory grew from %d to %d pages after warm-up", warm, end)
	}
}
