package train

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/gebm/gebm/shared/ckpt"
	"github.com/gebm/gebm/shared/nn"
	core "github.com/gebm/gebm/shared/train"
)

// A run is defined by its data, seed, network sizes and training procedure:
// a checkpoint records them all, and a resumed run continues with them (a
// different seed would draw another random stream and, for a data file,
// another train/test split; other sizes would describe another model). The
// planned number of steps, the log and checkpoint intervals and the device
// may change when a run is resumed; they are recorded too, so that a resume
// that does not give them continues as planned.

// runOption is one option of a run: its flag, whether a resumed run may
// change it, its value as text, and where a checkpoint records it: under key
// in ckpt.Training.Options, or (key "") elsewhere in the header, where
// recorded finds it.
type runOption struct {
	flag      string
	key       string
	mayChange bool
	get       func(*Options) string
	set       func(*Options, string) error
	recorded  func(*ckpt.File) (string, bool)
}

// value returns the value checkpoint f records for the option, false when f
// does not record it (a file written before the option was recorded).
func (r runOption) value(f *ckpt.File) (string, bool) {
	if r.key == "" {
		return r.recorded(f)
	}
	v, ok := f.Training.Options[r.key]
	return v, ok
}

// runOptions lists every option of Options that a checkpoint records: those
// the header holds, the procedure's (shared/train's RecordedOptions) and
// the native run's. Out, Resume, Force and Quiet are about this process,
// not the run.
var runOptions = append(append([]runOption{
	{flag: "data", get: func(o *Options) string { return filepath.Clean(o.Data) },
		set:      func(o *Options, s string) error { o.Data = s; return nil },
		recorded: func(f *ckpt.File) (string, bool) { return filepath.Clean(f.Training.Dataset), f.Training.Dataset != "" }},
	intOption("image-size", "image_size", false, func(o *Options) *int { return &o.ImageSize }),
	{flag: "seed", get: func(o *Options) string { return strconv.FormatUint(o.Seed, 10) },
		set: func(o *Options, s string) (err error) { o.Seed, err = strconv.ParseUint(s, 10, 64); return err },
		recorded: func(f *ckpt.File) (string, bool) {
			return strconv.FormatUint(f.Training.Seed, 10), true
		}},
	{flag: "latent", get: func(o *Options) string { return strconv.Itoa(o.Latent) },
		set: func(o *Options, s string) (err error) { o.Latent, err = strconv.Atoi(s); return err },
		recorded: func(f *ckpt.File) (string, bool) {
			return strconv.Itoa(f.Latent), f.Latent > 0
		}},
	{flag: "base", get: func(o *Options) string { return o.Base },
		set: func(o *Options, s string) error { o.Base = s; return nil },
		recorded: func(f *ckpt.File) (string, bool) {
			if f.Base.IsFlow() {
				return "realnvp", true
			}
			return "mlp", len(f.Base.Layers) > 0
		}},
	{flag: "base-hidden", get: func(o *Options) string { return formatWidths(o.BaseHidden) },
		set: func(o *Options, s string) (err error) { o.BaseHidden, err = parseWidths(s); return err },
		recorded: func(f *ckpt.File) (string, bool) {
			// A flow or a dcgan generator has no hidden widths of an MLP:
			// the option plays no part.
			return formatWidths(hiddenWidths(f.Base)), len(f.Base.Layers) > 0 && !f.Base.IsFlow() && !convolutional(f.Base)
		}},
	{flag: "flow-layers", get: func(o *Options) string { return strconv.Itoa(o.FlowLayers) },
		set:      func(o *Options, s string) (err error) { o.FlowLayers, err = strconv.Atoi(s); return err },
		recorded: func(f *ckpt.File) (string, bool) { return strconv.Itoa(len(f.Base.Layers)), f.Base.IsFlow() }},
	{flag: "flow-hidden", get: func(o *Options) string { return strconv.Itoa(o.FlowHidden) },
		set: func(o *Options, s string) (err error) { o.FlowHidden, err = strconv.Atoi(s); return err },
		recorded: func(f *ckpt.File) (string, bool) {
			if !f.Base.IsFlow() {
				return "", false
			}
			return strconv.Itoa(f.Base.Layers[0].Hidden), true
		}},
	{flag: "energy-hidden", get: func(o *Options) string { return formatWidths(o.EnergyHidden) },
		set: func(o *Options, s string) (err error) { o.EnergyHidden, err = parseWidths(s); return err },
		recorded: func(f *ckpt.File) (string, bool) {
			return formatWidths(hiddenWidths(f.Energy)), len(f.Energy.Layers) > 0 && !convolutional(f.Energy)
		}},
	{flag: "energy-arch", get: func(o *Options) string { return o.EnergyArchitecture() },
		set: func(o *Options, s string) error { o.EnergyArch = s; return nil },
		recorded: func(f *ckpt.File) (string, bool) {
			if convolutional(f.Energy) {
				return "dcgan", true
			}
			return "mlp", len(f.Energy.Layers) > 0
		}},
	{flag: "energy-slope", get: func(o *Options) string { return core.FormatFloat(o.EnergySlope) },
		set: func(o *Options, s string) (err error) { o.EnergySlope, err = strconv.ParseFloat(s, 64); return err },
		recorded: func(f *ckpt.File) (string, bool) {
			for _, l := range f.Energy.Layers {
				if l.Kind == nn.KindLeakyReLU {
					return core.FormatFloat(l.Slope), true
				}
			}
			return "", false // no hidden layer: the slope plays no part
		}},
	{flag: "energy-floor", get: func(o *Options) string { return core.FormatFloat(o.EnergyFloor) },
		set: func(o *Options, s string) (err error) { o.EnergyFloor, err = strconv.ParseFloat(s, 64); return err },
		recorded: func(f *ckpt.File) (string, bool) {
			for _, l := range f.Energy.Layers {
				if l.Kind == nn.KindFloor {
					return core.FormatFloat(l.Floor), true
				}
			}
			return "0", len(f.Energy.Layers) > 0 // no floor layer: unclamped
		}},
}, procedureOptions()...), nativeOptions...)

// nativeOptions are the options of a native run that a checkpoint records.
var nativeOptions = []runOption{
	floatOption("test-fraction", "test_fraction", func(o *Options) *float64 { return &o.TestFraction }),
	intOption("checkpoint-every", "checkpoint_every", true, func(o *Options) *int { return &o.CheckpointEvery }),
	intOption("log-every", "log_every", true, func(o *Options) *int { return &o.LogEvery }),
	{flag: "device", key: "device", mayChange: true, get: func(o *Options) string { return o.Device },
		set: func(o *Options, s string) error { o.Device = s; return nil }},
	{flag: "base-from", key: "base_from", get: func(o *Options) string { return o.BaseFrom },
		set: func(o *Options, s string) error { o.BaseFrom = s; return nil }},
}

// procedureOptions are shared/train's RecordedOptions as options of a
// native run; of them, only the planned steps may change on resume.
func procedureOptions() []runOption {
	var rs []runOption
	for _, r := range core.RecordedOptions {
		rs = append(rs, runOption{flag: r.Flag, key: r.Key, mayChange: r.Key == "target_steps",
			get: func(o *Options) string { return r.Get(&o.Options) },
			set: func(o *Options, s string) error { return r.Set(&o.Options, s) }})
	}
	return rs
}

// record returns the options kept in ckpt.Training.Options: those of
// runOptions that the header does not already hold (data, seed and the
// architecture are there).
func (o *Options) record() map[string]string {
	m := map[string]string{}
	for _, r := range runOptions {
		if r.key != "" {
			m[r.key] = r.get(o)
		}
	}
	return m
}

// legacyDefaults are the values of options that older versions of gebm did
// not record because they were not flags: every run used these.
var legacyDefaults = map[string]string{"arch": "mlp", "base-from": "", "image-size": "0", "a-init-batches": "10", "test-fraction": "0.1", "base-tilt": "1", "base-loss": "kale", "final-energy-steps": "0", "final-lr-scale": "0.1", "final-average": "0"}

// reconcile makes o the options of the run that checkpoint f (at path)
// belongs to. An option that given reports as set on the command line must
// agree with the recorded value, unless it may change; any other option takes
// the recorded value, or, where f does not record it, the default for the
// run's data. The error lists every contradiction, naming the flag and both
// values.
func reconcile(o *Options, f *ckpt.File, path string, given func(flag string) bool) error {
	var errs []string
	var unrecorded []runOption
	for _, r := range runOptions {
		rec, ok := r.value(f)
		if !ok {
			rec, ok = legacyDefaults[r.flag]
		}
		if !ok {
			if !given(r.flag) {
				unrecorded = append(unrecorded, r)
			}
			continue
		}
		if given(r.flag) {
			if cur := r.get(o); !r.mayChange && cur != rec {
				errs = append(errs, fmt.Sprintf("--%s %s contradicts the run's --%s %s", r.flag, cur, r.flag, rec))
			}
			continue
		}
		if err := r.set(o, rec); err != nil {
			errs = append(errs, fmt.Sprintf("%s records --%s as %q: %v", path, r.flag, rec, err))
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("--resume continues the run in %s with the options it was started with, and\n  %s\n"+
			"leave out those flags to continue it, or use --force instead of --resume to start a new run there",
			filepath.Dir(path), strings.Join(errs, "\n  "))
	}
	def := Defaults(o.Data)
	for _, r := range unrecorded {
		if err := r.set(o, r.get(&def)); err != nil {
			return err
		}
	}
	return nil
}

func intOption(flag, key string, mayChange bool, field func(*Options) *int) runOption {
	return runOption{flag: flag, key: key, mayChange: mayChange,
		get: func(o *Options) string { return strconv.Itoa(*field(o)) },
		set: func(o *Options, s string) (err error) { *field(o), err = strconv.Atoi(s); return err }}
}

func floatOption(flag, key string, field func(*Options) *float64) runOption {
	return runOption{flag: flag, key: key,
		get: func(o *Options) string { return core.FormatFloat(*field(o)) },
		set: func(o *Options, s string) (err error) { *field(o), err = strconv.ParseFloat(s, 64); return err }}
}

func formatWidths(w []int) string {
	s := make([]string, len(w))
	for i, v := range w {
		s[i] = strconv.Itoa(v)
	}
	return strings.Join(s, ",")
}

func parseWidths(s string) ([]int, error) {
	if s == "" {
		return nil, nil
	}
	var w []int
	for _, p := range strings.Split(s, ",") {
		v, err := strconv.Atoi(p)
		if err != nil {
			return nil, err
		}
		w = append(w, v)
	}
	return w, nil
}

// convolutional reports whether a network has convolutions (--arch dcgan),
// whose sizes come from --channels, not from the MLP's hidden widths.
func convolutional(s nn.Spec) bool {
	for _, l := range s.Layers {
		if l.Kind == nn.KindConv2D || l.Kind == nn.KindConvTranspose2D {
			return true
		}
	}
	return false
}

// hiddenWidths returns the output widths of a network's linear layers but
// the last: the hidden widths it was built with (model.Config.Spec).
func hiddenWidths(s nn.Spec) []int {
	var w []int
	for _, l := range s.Layers {
		if l.Kind == nn.KindLinear {
			w = append(w, l.Out)
		}
	}
	if len(w) == 0 {
		return nil
	}
	return w[:len(w)-1]
}
