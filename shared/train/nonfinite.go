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
// network net that is NaN or infinite, else nil (one pass over the
// parameters, small beside a step's matrix products: v − v is 0 for a
// finite v and NaN for ±Inf and NaN, one float32 subtraction and one
// comparison a weight).
func FiniteParams(net string, ps []*nn.Param) error {
	for _, p := range ps {
		for i, v := range p.Value {
			if v-v != 0 {
				return &NonFiniteError{fmt.Sprintf("%s weight %s[%d]", net, p.Name, i), float64(v)}
			}
		}
	}
	return nil
}
