package train

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gebm/gebm/shared/nn"
)

// TestGradNorm: gradNorm is √Σ g² over every parameter's gradients: 13
// for (3, 4, 12) split over parameters of lengths 1 and 2; and within
// 1e-14 (relative) of one running float64 sum on parameters whose lengths
// are and are not multiples of four, so no element is skipped or counted
// twice.
func TestGradNorm(t *testing.T) {
	ps := []*nn.Param{{Grad: []float32{3}}, {Grad: []float32{4, 12}}}
	if got := gradNorm(ps); got != 13 {
		t.Fatalf("gradNorm(3, 4, 12) = %v, want 13", got)
	}
	rng := rand.New(rand.NewPCG(3, 3))
	ps = nil
	var s float64
	for _, n := range []int{0, 1, 7, 8, 1001, 4096} {
		p := &nn.Param{Grad: make([]float32, n)}
		for i := range p.Grad {
			p.Grad[i] = float32(rng.NormFloat64())
			s += float64(p.Grad[i]) * float64(p.Grad[i])
		}
		ps = append(ps, p)
	}
	if got, want := gradNorm(ps), math.Sqrt(s); math.Abs(got-want) > 1e-14*want {
		t.Fatalf("gradNorm = %v, one running sum gives %v", got, want)
	}
}
