package sampler

// Description is what a front-end needs to know about an open model. Its
// JSON form (the field tags) is what both front-ends hand out.
type Description struct {
	// Dim is the size D of the data space: a sample is D float32s.
	Dim int `json:"dim"`
	// Shape is the image shape of a sample (e.g. [28, 28]), or empty for
	// unstructured data such as 2-D toy sets.
	Shape []int `json:"shape"`
	// Latent is the size d of the latent space: a chain's state is d float32s.
	Latent int `json:"latent"`
	// A is the model's learned log-normaliser.
	A float64 `json:"a"`
	// Dataset names the training data ("8gaussians", "mnist", ...).
	Dataset string `json:"dataset"`
	// TrainingSteps is the number of generator updates the model had.
	TrainingSteps int `json:"trainingSteps"`
	// Scale and Offset map raw data values to the model's space:
	// model = raw·Scale + Offset. Samples and energy grids are in the
	// model's space.
	Scale  float64 `json:"scale"`
	Offset float64 `json:"offset"`
	// Params is the number of trainable parameters of base and energy.
	Params int `json:"params"`
	// FLOPsPerStep is the floating-point work of one potential gradient per
	// chain: forward through base and energy, and back to the latent
	// (twice the forward matrix products).
	FLOPsPerStep int `json:"flopsPerStep"`
	// MaxChains is the most chains a set on this model may have (see
	// MaxBatchFloats).
	MaxChains int `json:"maxChains"`
}

// Describe returns the description of an open model.
func (s *Sampler) Describe(m Handle) (d Description, err error) {
	err = s.call("describe", func() error {
		om, err := s.model(m)
		if err != nil {
			return err
		}
		g := om.g
		name := g.Training.Dataset
		if name == "" {
			name = g.Data.Name
		}
		d = Description{
			Dim: g.Dim(), Shape: append([]int{}, g.Data.Shape...), Latent: g.Latent(), A: g.A,
			Dataset: name, TrainingSteps: g.Training.Steps, Scale: g.Data.Scale, Offset: g.Data.Offset,
			Params:       g.Base.ParamCount() + g.Energy.ParamCount(),
			FLOPsPerStep: 2 * (g.Base.Spec().FLOPs() + g.Energy.Spec().FLOPs()),
			MaxChains:    om.maxBatch(),
		}
		return nil
	})
	return d, err
}

// maxBatch is the largest batch the limits allow for this model.
func (om *openModel) maxBatch() int {
	return max(1, min(MaxChains, MaxBatchFloats/om.width))
}
