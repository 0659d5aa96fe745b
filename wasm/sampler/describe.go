package sampler

// Description is what a front-end needs to know about an open model. Its
// JSON form (the field tags) is what both front-ends hand out.
type Description struct {
	// Dim is the size D of the data space: a sample is D float32s.
	Dim int `json:"dim"`
	// Shape is the image shape of a sample as the model file records it:
	// [H, W] for one channel (e.g. [28, 28]), [C, H, W] for more (e.g.
	// [3, 32, 32]), or empty for unstructured data such as 2-D toy sets.
	Shape []int `json:"shape"`
	// Image is the same shape with its channels named (Channels 1 for
	// [H, W]), nil when the samples are not images. A sample's D values
	// are the image's channels one after the other, each row by row
	// (NCHW, the convolutions' layout).
	Image *ImageShape `json:"image"`
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

// ImageShape is the shape of an image sample: Channels planes of Height ×
// Width values.
type ImageShape struct {
	Channels int `json:"channels"`
	Height   int `json:"height"`
	Width    int `json:"width"`
}

// imageShape reads a model file's data shape as an image: [H W] is
// 1×H×W, [C H W] is C×H×W; nil for any other rank or a shape whose size
// is not dim.
func imageShape(shape []int, dim int) *ImageShape {
	var im ImageShape
	switch len(shape) {
	case 2:
		im = ImageShape{1, shape[0], shape[1]}
	case 3:
		im = ImageShape{shape[0], shape[1], shape[2]}
	default:
		return nil
	}
	if im.Channels*im.Height*im.Width != dim {
		return nil
	}
	return &im
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
			Dim: g.Dim(), Shape: append([]int{}, g.Data.Shape...), Image: imageShape(g.Data.Shape, g.Dim()), Latent: g.Latent(), A: g.A,
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
