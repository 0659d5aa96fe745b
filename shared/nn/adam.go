package nn

import (
	"fmt"
	"math"
)

// Adam is the Adam optimiser (Kingma & Ba 2015) over a fixed list of
// parameters. After t = Step updates, for each element with gradient g:
//
//	m ← β1 m + (1-β1) g,  v ← β2 v + (1-β2) g²
//	θ ← θ - lr · (m / (1-β1^t)) / (sqrt(v / (1-β2^t)) + ε)
//
// (PyTorch's formulation). Its state (Step, m, v) can be saved and restored
// through StateTensors so that a resumed run continues exactly.
type Adam struct {
	LR, Beta1, Beta2, Eps float64
	Step                  int64
	params                []*Param
	m, v                  []*Param
}

// NewAdam returns an optimiser for params with zero state.
func NewAdam(params []*Param, lr, beta1, beta2, eps float64) *Adam {
	a := &Adam{LR: lr, Beta1: beta1, Beta2: beta2, Eps: eps, params: params}
	for _, p := range params {
		a.m = append(a.m, &Param{Name: p.Name + ".adam_m", Shape: p.Shape, Value: make([]float32, len(p.Value))})
		a.v = append(a.v, &Param{Name: p.Name + ".adam_v", Shape: p.Shape, Value: make([]float32, len(p.Value))})
	}
	return a
}

// Validate reports hyper-parameters outside their meaningful ranges.
func (a *Adam) Validate() error {
	switch {
	case !(a.LR > 0) || math.IsInf(a.LR, 0):
		return fmt.Errorf("adam: learning rate %v must be positive and finite", a.LR)
	case !(a.Beta1 >= 0 && a.Beta1 < 1):
		return fmt.Errorf("adam: beta1 %v must be in [0, 1)", a.Beta1)
	case !(a.Beta2 >= 0 && a.Beta2 < 1):
		return fmt.Errorf("adam: beta2 %v must be in [0, 1)", a.Beta2)
	case !(a.Eps > 0) || math.IsInf(a.Eps, 0):
		return fmt.Errorf("adam: eps %v must be positive and finite", a.Eps)
	}
	return nil
}

// Update applies one step using the parameters' current Grad.
func (a *Adam) Update() {
	a.Step++
	bc1 := 1 - math.Pow(a.Beta1, float64(a.Step))
	bc2 := 1 - math.Pow(a.Beta2, float64(a.Step))
	stepSize := float32(a.LR / bc1)
	invSqrtBC2 := float32(1 / math.Sqrt(bc2))
	b1, b2 := float32(a.Beta1), float32(a.Beta2)
	eps := float32(a.Eps)
	for k, p := range a.params {
		m, v := a.m[k].Value, a.v[k].Value
		g := p.Grad[:len(p.Value)]
		m, v = m[:len(p.Value)], v[:len(p.Value)]
		for i := range p.Value {
			gi := g[i]
			m[i] = b1*m[i] + (1-b1)*gi
			v[i] = b2*v[i] + (1-b2)*gi*gi
			denom := float32(math.Sqrt(float64(v[i])))*invSqrtBC2 + eps
			p.Value[i] -= stepSize * m[i] / denom
		}
	}
}

// StateTensors returns the first and second moment tensors, named after
// their parameters ("0.weight.adam_m", ...), for saving and restoring; their
// Values are the live state.
func (a *Adam) StateTensors() []*Param {
	out := make([]*Param, 0, 2*len(a.m))
	for k := range a.m {
		out = append(out, a.m[k], a.v[k])
	}
	return out
}
