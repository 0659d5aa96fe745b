package sampler

import (
	"fmt"
	"runtime"
	"time"

	"github.com/gebm/gebm/shared/ckpt"
)

// TrainModel returns trainer tr's current model as a model file (package
// ckpt), the format `gebm train` writes as model.gebm: it loads natively
// (gebm sample, gebm eval, shared/model) and in Open. The header records
// the data set (a toy name, or PointsName), the base steps done, the seed,
// the options (train.Options.Record) and the device, "cpu GOOS/GOARCH".
func (s *Sampler) TrainModel(tr Handle) (file []byte, err error) {
	err = s.call("train model", func() error {
		t, err := s.trainer(tr)
		if err != nil {
			return err
		}
		file, err = t.file()
		return err
	})
	return file, err
}

// TrainSnapshot opens trainer tr's current model as a model (as Open does
// with TrainModel's bytes) and returns its handle: its generator samples
// (Generate), energy grid (EnergyGrid) and chains show the model as it was
// at this call; the trainer goes on independently.
func (s *Sampler) TrainSnapshot(tr Handle) (h Handle, err error) {
	var file []byte
	if file, err = s.TrainModel(tr); err != nil {
		return 0, err
	}
	return s.Open(file)
}

// file encodes the model with the run's training header.
func (t *trainer) file() ([]byte, error) {
	c := t.t
	o := &c.Opts
	m := c.Model
	m.Training = ckpt.Training{Dataset: t.spec, Steps: c.Position().BaseSteps, Seed: o.Seed, Seconds: t.seconds,
		Time: time.Now().UTC().Format(time.RFC3339), Device: fmt.Sprintf("%s %s/%s", c.Back.Name(), runtime.GOOS, runtime.GOARCH),
		Options: o.Record()}
	return ckpt.Encode(m.Header(), m.Tensors())
}
