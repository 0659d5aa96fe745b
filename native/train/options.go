// Package train is what a native program needs around the training step
// of shared/train: the run folder with its checkpoints, resume and the
// options it records, the log, the progress, the plots, the CUDA backend
// (build tag cuda) and the benchmark of the step.
//
// docs/TRAINING.md describes a run; shared/train the procedure.
package train

import (
	"errors"
	"fmt"

	"github.com/gebm/gebm/shared/data"
	core "github.com/gebm/gebm/shared/train"
)

// Options is everything a training run is given: the procedure's options
// (shared/train's Options, whose fields are promoted) and what belongs to a
// native run: its data spec, output folder, device, resume, and the log and
// checkpoint intervals.
type Options struct {
	Data string // data spec: a toy name, "mnist", a .npy/.csv/.bin path or a folder (data.ParseSpec)
	Out  string // output directory
	// ImageSize, when > 0, resamples the data's images to ImageSize×ImageSize
	// (data.LoadOptions.ImageSize); 0 keeps their own size.
	ImageSize int

	// Options holds the procedure: network sizes, the step options a
	// backend reads (Config), the schedule, Adam and the seed.
	core.Options

	Device string // "cpu" or "cuda"
	// Resume continues the run in Out from its checkpoint; the options that
	// define the run must be those it was started with (ResumeOptions fills
	// them in). Force starts a new run in an Out that holds one, deleting
	// its files. Without either, New refuses an Out that holds a run.
	Resume, Force   bool
	CheckpointEvery int // base steps between checkpoints
	LogEvery        int // base steps between log.csv rows
	// TestFraction is the fraction of a .npy/.csv file's rows held out from
	// training, for the log's held-out KALE and for gebm eval (a toy set has
	// a test sample of its own, MNIST its 10000 test images).
	TestFraction float64
	// Quiet turns off progress output (tests).
	Quiet bool
}

// Defaults returns the options for a data spec: the procedure's
// (shared/train's Defaults: the models that fit, docs/EVAL.md), on the CPU,
// a checkpoint every 500 base steps, a log row every 50 (100 for MNIST)
// and a tenth of a data file held out.
func Defaults(data string) Options {
	o := Options{Data: data, Options: core.Defaults(data),
		Device: "cpu", CheckpointEvery: 500, LogEvery: 50, TestFraction: 0.1}
	if data == "mnist" {
		o.LogEvery = 100
	}
	return o
}

// Validate refuses absurd options with a message naming the flag: the
// procedure's (shared/train's Problems) and the native run's.
func (o *Options) Validate() error {
	var errs []error
	bad := func(flag string, format string, args ...any) {
		errs = append(errs, fmt.Errorf("--%s: %s", flag, fmt.Sprintf(format, args...)))
	}
	if o.Data == "" {
		bad("data", "required")
	}
	if o.Out == "" {
		bad("out", "required")
	}
	if o.ImageSize < 0 || o.ImageSize > data.MaxImageSide {
		bad("image-size", "%d must be in 0..%d (0: the images' own size)", o.ImageSize, data.MaxImageSide)
	}
	for _, p := range o.Problems() {
		bad(p.Option, "%s", p.Message)
	}
	if o.CheckpointEvery < 0 || o.LogEvery < 0 {
		bad("checkpoint-every/--log-every", "must not be negative")
	}
	if !(o.TestFraction >= 0 && o.TestFraction < 1) {
		bad("test-fraction", "%v must be in [0, 1)", o.TestFraction)
	}
	if o.Base == "realnvp" && o.Device == "cuda" {
		bad("device", "cuda has no kernels for the realnvp base's coupling layers: train it with --device cpu")
	}
	switch o.Device {
	case "cpu", "cuda":
	default:
		bad("device", "%q: use cpu or cuda", o.Device)
	}
	switch o.CUDAGemm {
	case "", "cublas", "kernel":
	default:
		bad("cuda-gemm", "%q: use cublas or kernel", o.CUDAGemm)
	}
	return errors.Join(errs...)
}
