package train

import (
	"errors"
	"fmt"
	"math"
	"testing"

	"github.com/gebm/gebm/shared/nn"
)

// TestFiniteParams: NaN and both infinities are named with their place;
// the largest, smallest and subnormal finite values and zeros pass.
func TestFiniteParams(t *testing.T) {
	finite := []float32{0, float32(math.Copysign(0, -1)), math.MaxFloat32, -math.MaxFloat32,
		math.SmallestNonzeroFloat32, -math.SmallestNonzeroFloat32, 1, -3.5}
	ok := &nn.Param{Name: "w", Value: finite}
	if err := FiniteParams("energy", []*nn.Param{ok}); err != nil {
		t.Fatalf("finite values: %v", err)
	}
	for _, bad := range []float32{float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1))} {
		p := &nn.Param{Name: "b", Value: append(append([]float32{}, finite...), bad, 1)}
		err := FiniteParams("energy", []*nn.Param{ok, p})
		var nf *NonFiniteError
		if !errors.As(err, &nf) || nf.Quantity != "energy weight b[8]" ||
			math.Float64bits(nf.Value) != math.Float64bits(float64(bad)) && !(math.IsNaN(nf.Value) && bad != bad) {
			t.Fatalf("%v: %v", bad, err)
		}
		// Every place in the four interleaved sums and the tail.
		for at := range 11 {
			v := make([]float32, 11)
			copy(v, finite)
			v[at] = bad
			err := FiniteParams("base", []*nn.Param{{Name: "w", Value: v}})
			if !errors.As(err, &nf) || nf.Quantity != fmt.Sprintf("base weight w[%d]", at) {
				t.Fatalf("%v at %d: %v", bad, at, err)
			}
		}
	}
}
