package nn

// Param is one trainable tensor: its values and the gradient accumulated
// into it by backward passes. Shape is the tensor's shape as the model file
// records it ([out, in] for a weight, [out] for a bias).
type Param struct {
	Name  string
	Shape []int
	Value []float32
	Grad  []float32
}

func newParam(name string, shape ...int) *Param {
	n := 1
	for _, s := range shape {
		n *= s
	}
	return &Param{Name: name, Shape: shape, Value: make([]float32, n), Grad: make([]float32, n)}
}

// ZeroGrad sets the accumulated gradient to zero.
func (p *Param) ZeroGrad() { clear(p.Grad) }
