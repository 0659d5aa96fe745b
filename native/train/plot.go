package train

import (
	"path/filepath"

	"github.com/gebm/gebm/native/plots"
)

// plot writes DIR/curves.png (the KALE estimates against the step) and
// DIR/samples.png (2-D: data, generator samples and the energy; images: a
// grid of generator samples).
func (t *Trainer) plot() error {
	var steps, train, test []float64
	for i, r := range t.log.rows {
		steps = append(steps, float64(r.Step))
		train = append(train, t.log.kale[i])
		test = append(test, r.Eval.KALE)
	}
	if err := plots.Curves(filepath.Join(t.Opts.Out, CurvesFile), "KALE estimate during training", "base step", steps,
		map[string][]float64{"KALE (train batch)": train, "KALE (held out)": test}); err != nil {
		return err
	}
	return plots.Samples(filepath.Join(t.Opts.Out, SamplesFile), t.Model, t.test, 1000, t.Opts.Seed)
}
