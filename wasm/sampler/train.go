package sampler

import (
	"bytes"
	"fmt"
	"math"

	"github.com/gebm/gebm/shared/backend"
	"github.com/gebm/gebm/shared/data"
	"github.com/gebm/gebm/shared/model"
	"github.com/gebm/gebm/shared/nn"
	"github.com/gebm/gebm/shared/tagjson"
	"github.com/gebm/gebm/shared/train"
)

// TrainData is the data set a trainer fits: a toy set by name, drawn as
// `gebm train --data NAME --seed S` draws it (data.DefaultToyTrain points
// from PCG stream (S, 0)), or, when Toy is "", the rows of Points, each of
// Dim values, row-major, used as given.
type TrainData struct {
	Toy    string
	Points []float32
	Dim    int
}

// PointsName is the data set name a model trained on TrainData.Points
// records in its file.
const PointsName = "points"

// trainer is an open training run: the shared trainer, the name its model
// file gives the data, the error that stopped it, if any, and its clock.
type trainer struct {
	t       *train.Trainer
	spec    string
	stopped error
	seconds float64 // time spent in TrainSteps
}

// TrainDefaults returns the options `gebm train` uses for a data set
// (train.Defaults): what NewTrainer's options start from in ParseTrainOptions.
func TrainDefaults(dataset string) train.Options { return train.Defaults(dataset) }

// ParseTrainOptions returns the default options for the data set
// (TrainDefaults; "" for points) with the options of the JSON object js set
// over them. The names are the flags of `gebm train` ("lr-energy", "gp",
// "n-critic", "base-hidden", ...); an unknown name, a value of the wrong
// type or trailing text is an error wrapping ErrArgument. The values are
// checked by NewTrainer.
func ParseTrainOptions(dataset string, js []byte) (train.Options, error) {
	o := TrainDefaults(dataset)
	if len(bytes.TrimSpace(js)) == 0 {
		return o, nil
	}
	if err := tagjson.Unmarshal(js, &o); err != nil {
		return o, fmt.Errorf("sampler: train options: %w: %v", ErrArgument, err)
	}
	return o, nil
}

// NewTrainer starts a training run of a fresh model on data d with options
// o, exactly as `gebm train` does with the same data set, seed and options
// (the same model bytes with the same matrix kernel), and returns its
// handle. Options out of range (train.Options.Problems), networks of more
// than MaxTrainParams parameters or whose batch would exceed MaxBatchFloats
// activations, and points that are empty, non-finite, more than
// MaxTrainFloats values or not whole rows are errors wrapping ErrArgument.
func (s *Sampler) NewTrainer(d TrainData, o train.Options) (h Handle, err error) {
	err = s.call("new trainer", func() error {
		if err := o.Validate(); err != nil {
			return fmt.Errorf("%w: %v", ErrArgument, err)
		}
		ds, spec, err := trainSet(d, o.Seed)
		if err != nil {
			return err
		}
		cfg, err := train.ModelConfig(&o, spec, ds)
		if err != nil {
			return fmt.Errorf("%w: %v", ErrArgument, err)
		}
		if err := checkTrainSize(cfg, o.Batch); err != nil {
			return err
		}
		m, err := train.NewModel(&o, spec, ds)
		if err != nil {
			return fmt.Errorf("%w: %v", ErrArgument, err)
		}
		t, err := train.New(o, m, ds, nil, func(m *model.GEBM, c backend.Config, a *nn.Param, optE, optB *nn.Adam) (backend.Backend, error) {
			return train.NewCPU(m, c, a, optE, optB), nil
		})
		if err != nil {
			return fmt.Errorf("%w: %v", ErrArgument, err)
		}
		if h, err = s.newHandle(); err != nil {
			return err
		}
		s.trainers[h] = &trainer{t: t, spec: spec}
		return nil
	})
	return h, err
}

// trainSet is the training set of d and the name the model file records.
func trainSet(d TrainData, seed uint64) (*data.Dataset, string, error) {
	if d.Toy != "" {
		if d.Points != nil {
			return nil, "", fmt.Errorf("%w: give a toy set or points, not both", ErrArgument)
		}
		spec, err := data.ParseSpec(d.Toy)
		if err != nil || spec.Kind != data.SpecToy {
			return nil, "", fmt.Errorf("%w: data %q: not a toy set (%v)", ErrArgument, d.Toy, data.ToyNames())
		}
		train, _, err := data.LoadToy(spec, data.LoadOptions{Seed: seed})
		if err != nil {
			return nil, "", fmt.Errorf("%w: %v", ErrArgument, err)
		}
		return train, spec.Name, nil
	}
	if d.Dim < 1 || d.Dim > nn.MaxDim {
		return nil, "", fmt.Errorf("%w: points of dimension %d: must be in 1..%d", ErrArgument, d.Dim, nn.MaxDim)
	}
	if len(d.Points) == 0 || len(d.Points)%d.Dim != 0 || len(d.Points) > MaxTrainFloats {
		return nil, "", fmt.Errorf("%w: %d point values: want whole rows of %d, at least one, at most %d values",
			ErrArgument, len(d.Points), d.Dim, MaxTrainFloats)
	}
	for i, v := range d.Points {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return nil, "", fmt.Errorf("%w: point value %d (row %d) is %v: must be finite", ErrArgument, i, i/d.Dim, v)
		}
	}
	ds := &data.Dataset{Name: PointsName, Dim: d.Dim, X: append([]float32(nil), d.Points...), Norm: data.Identity()}
	return ds, PointsName, nil
}

// checkTrainSize refuses a model of more than MaxTrainParams parameters,
// and a batch whose activations (two stacked batches in the energy step)
// exceed MaxBatchFloats, before anything is allocated.
func checkTrainSize(cfg model.Config, batch int) error {
	base, energy := cfg.Spec()
	params, width := 0, width(base)+width(energy)
	for _, sp := range []nn.Spec{base, energy} {
		if err := sp.Validate(); err != nil {
			return fmt.Errorf("%w: %v", ErrArgument, err)
		}
		for _, t := range sp.Tensors() {
			params += t.Size()
		}
	}
	if params > MaxTrainParams {
		return fmt.Errorf("%w: the networks have %d parameters, more than the %d a trainer allows", ErrArgument, params, MaxTrainParams)
	}
	if 2*batch*width > MaxBatchFloats {
		return fmt.Errorf("%w: batch %d: %d activations a row, at most %d rows at once for this model (limit %d)",
			ErrArgument, batch, width, MaxBatchFloats/(2*width), MaxBatchFloats)
	}
	return nil
}

func (s *Sampler) trainer(h Handle) (*trainer, error) {
	if t, ok := s.trainers[h]; ok {
		return t, nil
	}
	return nil, fmt.Errorf("%w: no open trainer %d", ErrHandle, h)
}
