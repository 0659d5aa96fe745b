package train

import "strconv"

// RecordedOption is an option of the procedure that a model file records
// as text under Key in its header's training options (ckpt.Training.Options),
// so that a run can be resumed, or evaluated, with the options it was
// trained with. Flag is its name on gebm train's command line and in the
// WebAssembly trainer's JSON; Get formats it so that Set reads back the
// same value (the same bits for a float).
type RecordedOption struct {
	Flag, Key string
	Get       func(*Options) string
	Set       func(*Options, string) error
}

// RecordedOptions are the options of Options that a model file records
// under a key of their own: the architecture's name and channel width, and
// those of the step and the schedule. The data set, seed, steps done and
// the networks' sizes are recorded elsewhere in the header
// (ckpt.Header.Training and the specs).
var RecordedOptions = []RecordedOption{
	{Flag: "arch", Key: "arch", Get: func(o *Options) string { return o.Arch },
		Set: func(o *Options, s string) error { o.Arch = s; return nil }},
	intOption("channels", "channels", func(o *Options) *int { return &o.Channels }),
	{Flag: "base-loss", Key: "base_loss", Get: func(o *Options) string { return o.BaseLoss },
		Set: func(o *Options, s string) error { o.BaseLoss = s; return nil }},
	boolOption("spectral-norm", "spectral_norm", func(o *Options) *bool { return &o.SpectralNorm }),
	intOption("batch", "batch", func(o *Options) *int { return &o.Batch }),
	floatOption("lr-energy", "lr_energy", func(o *Options) *float64 { return &o.LREnergy }),
	floatOption("lr-base", "lr_base", func(o *Options) *float64 { return &o.LRBase }),
	floatOption("beta1", "beta1", func(o *Options) *float64 { return &o.Beta1 }),
	floatOption("beta2", "beta2", func(o *Options) *float64 { return &o.Beta2 }),
	intOption("n-critic", "n_critic", func(o *Options) *int { return &o.NCritic }),
	intOption("warmup", "warmup", func(o *Options) *int { return &o.Warmup }),
	intOption("burst-every", "burst_every", func(o *Options) *int { return &o.BurstEvery }),
	intOption("burst-len", "burst_len", func(o *Options) *int { return &o.BurstLen }),
	intOption("final-energy-steps", "final_energy_steps", func(o *Options) *int { return &o.FinalEnergySteps }),
	floatOption("final-lr-scale", "final_lr_scale", func(o *Options) *float64 { return &o.FinalLRScale }),
	floatOption("final-average", "final_average", func(o *Options) *float64 { return &o.FinalAverage }),
	floatOption("gp", "gp", func(o *Options) *float64 { return &o.GP }),
	boolOption("soft-clip", "soft_clip", func(o *Options) *bool { return &o.SoftClip }),
	floatOption("base-tilt", "base_tilt", func(o *Options) *float64 { return &o.BaseTilt }),
	floatOption("lr-decay", "lr_decay", func(o *Options) *float64 { return &o.LRDecay }),
	intOption("lr-decay-every", "lr_decay_every", func(o *Options) *int { return &o.LRDecayEvery }),
	intOption("a-init-batches", "a_init_batches", func(o *Options) *int { return &o.AInitBatches }),
	intOption("steps", "target_steps", func(o *Options) *int { return &o.Steps }),
}

// Record returns the RecordedOptions of o as a model file keeps them,
// key → text.
func (o *Options) Record() map[string]string {
	m := map[string]string{}
	for _, r := range RecordedOptions {
		m[r.Key] = r.Get(o)
	}
	return m
}

// intOption, floatOption and boolOption are kept out of line (go:noinline):
// inlined into RecordedOptions' initialiser, each of the table's entries
// compiled its own copy of both closures, which cost the WebAssembly
// modules (whose package initialisers link all of it) about 4 KB gzipped
// (docs/WASM-BENCH.md).
//
//go:noinline
func intOption(flag, key string, field func(*Options) *int) RecordedOption {
	return RecordedOption{Flag: flag, Key: key,
		Get: func(o *Options) string { return strconv.Itoa(*field(o)) },
		Set: func(o *Options, s string) (err error) { *field(o), err = strconv.Atoi(s); return err }}
}

//go:noinline
func floatOption(flag, key string, field func(*Options) *float64) RecordedOption {
	return RecordedOption{Flag: flag, Key: key,
		Get: func(o *Options) string { return FormatFloat(*field(o)) },
		Set: func(o *Options, s string) (err error) { *field(o), err = strconv.ParseFloat(s, 64); return err }}
}

//go:noinline
func boolOption(flag, key string, field func(*Options) *bool) RecordedOption {
	return RecordedOption{Flag: flag, Key: key,
		Get: func(o *Options) string { return strconv.FormatBool(*field(o)) },
		Set: func(o *Options, s string) (err error) { *field(o), err = strconv.ParseBool(s); return err }}
}

// FormatFloat writes v so that strconv.ParseFloat reads back the same bits.
func FormatFloat(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
