package train

import (
	"fmt"
	"math"

	"github.com/gebm/gebm/shared/nn"
)

// NonFiniteError names the quantity that stopped training.
type NonFiniteError struct {
	Quantity string
	Value    float64
}

func (e *NonFiniteError) Error() string {
	return fmt.Sprintf("%s is not finite (%v)", e.Quantity, e.Value)
}

// Finite returns a *NonFiniteError for the first of v1 and v2 that is NaN
// or infinite (v2 is checked only when name2 is not empty), else nil.
func Finite(name1 string, v1 float64, name2 string, v2 float64) error {
	if math.IsNaN(v1) || math.IsInf(v1, 0) {
		return &NonFiniteError{name1, v1}
	}
	if name2 != "" && (math.IsNaN(v2) || math.IsInf(v2, 0)) {
		return &NonFiniteError{name2, v2}
	}
	return nil
}

// FiniteParams returns a *NonFiniteError naming the first weight of
// network net that is NaN or infinite, else nil. v − v is 0 for a finite v
// and NaN for ±Inf and NaN, and a sum of such terms is 0 exactly when all
// are: the pass adds them in four interleaved sums without a branch (a
// float32 subtraction and addition a weight), and only a tensor whose sum
// is not 0 is searched for the weight to name.
func FiniteParams(net string, ps []*nn.Param) error {
	for _, p := range ps {
		if allFinite(p.Value) {
			continue
		}
		for i, v := range p.Value {
			if v-v != 0 {
				return &NonFiniteError{fmt.Sprintf("%s weight %s[%d]", net, p.Name, i), float64(v)}
			}
		}
	}
	return nil
}

// allFinite reports whether no value of x is NaN or infinite.
func allFinite(x []float32) bool {
	var s0, s1, s2, s3 float32
	i := 0
	for ; i+4 <= len(x); i += 4 {
		q := x[i : i+4 : i+4]
		s0 += q[0] - q[0]
		s1 += q[1] - q[1]
		s2 += q[2] - q[2]
		s3 += q[3] - q[3]
	}
	for ; i < len(x); i++ {
		s0 += x[i] - x[i]
	}
	return (s0+s1)+(s2+s3) == 0
}
