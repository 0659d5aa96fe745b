package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/gebm/gebm/native/blas"
	"github.com/gebm/gebm/native/train"
	core "github.com/gebm/gebm/shared/train"
)

func init() {
	commands["train"] = command{"train a GEBM with KALE on a data set", runTrain}
}

// dataFlag finds --data's value before the flags are parsed, because the
// other flags' defaults depend on the data set.
func dataFlag(args []string) string {
	for i, a := range args {
		for _, p := range []string{"--data=", "-data="} {
			if strings.HasPrefix(a, p) {
				return a[len(p):]
			}
		}
		if (a == "--data" || a == "-data") && i+1 < len(args) {
			return args[i+1]
		}
	}
	return ""
}

func runTrain(args []string, stdout, stderr io.Writer) error {
	o := train.Defaults(dataFlag(args))
	fs := newFlags("train", stderr)
	fs.StringVar(&o.Data, "data", o.Data, "data: a toy set (8gaussians, 25gaussians, swissroll, 2spirals, rings, moons, checkerboard, circle), mnist, a .npy/.csv file, "+
		"a CIFAR-10 .bin file, or a folder of PNG/JPEG images or CIFAR-10 .bin files")
	fs.IntVar(&o.ImageSize, "image-size", o.ImageSize, "resample the data's images to `N`×N (area averaging to shrink, bilinear to grow); 0: their own size, one size throughout a folder")
	fs.StringVar(&o.Out, "out", "", "output directory (model.gebm, checkpoint.gebm, log.csv, curves.png, samples.png)")
	fs.IntVar(&o.Steps, "steps", o.Steps, "base (generator) updates (0 with --base-from: none)")
	fs.IntVar(&o.Batch, "batch", o.Batch, "batch size (data rows and latents)")
	fs.IntVar(&o.Latent, "latent", o.Latent, "latent size d (a realnvp base's is the data dimension)")
	fs.StringVar(&o.Base, "base", o.Base, "the generator: mlp, or realnvp (a flow whose density gebm eval can measure)")
	fs.IntVar(&o.FlowLayers, "flow-layers", o.FlowLayers, "with --base realnvp, the number of affine coupling layers")
	fs.IntVar(&o.FlowHidden, "flow-hidden", o.FlowHidden, "with --base realnvp, the hidden width of each coupling's scale-and-shift network")
	fs.StringVar(&o.Arch, "arch", o.Arch, "the networks: mlp (--base-hidden, --energy-hidden), or dcgan for image data: a convolutional generator (--channels) with an mlp energy (--energy-hidden; --energy-arch dcgan: the convolutional one), with defaults of its own for what is not given: latent 64, batch 64, n-critic 3, learning rates 1e-3, 20000 steps, 1000 final energy steps")
	fs.StringVar(&o.EnergyArch, "energy-arch", o.EnergyArch, "the energy's architecture where it departs from --arch: mlp (--energy-hidden) on a dcgan generator, or dcgan (--channels) on an mlp generator")
	fs.IntVar(&o.Channels, "channels", o.Channels, "with --arch dcgan, the channel width `C`: the generator's convolutions 2C then C wide, the energy's C then 2C")
	fs.StringVar(&o.BaseFrom, "base-from", o.BaseFrom, "start from the trained generator of this model or checkpoint `FILE` (trained with the same --arch, --latent and sizes) and fit a new energy to it; with --steps 0 the generator is not trained further: only --final-energy-steps energy updates")
	fs.StringVar(&o.BaseLoss, "base-loss", o.BaseLoss, "what the base step minimises: kale (the paper's), or mle (a realnvp base's negative log-likelihood of the data)")
	var hidden []int
	fs.Var(intList{&hidden}, "hidden", "hidden widths of both networks, e.g. 256,512 (the energy uses them reversed)")
	fs.Var(intList{&o.BaseHidden}, "base-hidden", "hidden widths of the base")
	fs.Var(intList{&o.EnergyHidden}, "energy-hidden", "hidden widths of the energy")
	fs.Float64Var(&o.LREnergy, "lr-energy", o.LREnergy, "Adam learning rate of the energy and A")
	fs.Float64Var(&o.LRBase, "lr-base", o.LRBase, "Adam learning rate of the base")
	fs.Float64Var(&o.Beta1, "beta1", o.Beta1, "Adam beta1")
	fs.Float64Var(&o.Beta2, "beta2", o.Beta2, "Adam beta2")
	fs.IntVar(&o.NCritic, "n-critic", o.NCritic, "energy updates per base update")
	fs.IntVar(&o.FinalEnergySteps, "final-energy-steps", o.FinalEnergySteps, "energy-only updates after the last base update, so that the energy converges for the final base (0: none)")
	fs.Float64Var(&o.FinalLRScale, "final-lr-scale", o.FinalLRScale, "learning-rate factor of the --final-energy-steps updates")
	fs.Float64Var(&o.FinalAverage, "final-average", o.FinalAverage, "fraction of the --final-energy-steps updates, at the end, whose energy parameters and A the model averages (0: keeps the last)")
	fs.IntVar(&o.Warmup, "warmup", o.Warmup, "energy-only updates before the first base update")
	fs.IntVar(&o.BurstEvery, "burst-every", o.BurstEvery, "every this many base updates, a burst of energy updates (0: never)")
	fs.IntVar(&o.BurstLen, "burst-len", o.BurstLen, "energy updates in a burst")
	fs.Float64Var(&o.GP, "gp", o.GP, "weight of the gradient penalty mean ||grad_x E||^2")
	fs.BoolVar(&o.SpectralNorm, "spectral-norm", o.SpectralNorm, "spectral normalisation of the energy's layers")
	fs.Float64Var(&o.EnergyFloor, "energy-floor", o.EnergyFloor, "clamp the energy from below, E = max(f, `F`) (the reference's -10); 0: no clamp")
	fs.Float64Var(&o.EnergySlope, "energy-slope", o.EnergySlope, "LeakyReLU slope of the energy")
	fs.BoolVar(&o.SoftClip, "soft-clip", o.SoftClip, "soft-clip energy gradients g -> 2g/(1+g^2)")
	fs.Float64Var(&o.BaseTilt, "base-tilt", o.BaseTilt, "the base step weights its samples by softmax(-`G`*E): 1 the KALE gradient (the reference), 0 equal weights")
	fs.Float64Var(&o.LRDecay, "lr-decay", o.LRDecay, "learning-rate factor applied every --lr-decay-every base updates")
	fs.IntVar(&o.LRDecayEvery, "lr-decay-every", o.LRDecayEvery, "base updates between learning-rate decays (0: never)")
	fs.IntVar(&o.AInitBatches, "a-init-batches", o.AInitBatches, "batches of the Monte-Carlo estimate of log Z that initialises A")
	fs.Float64Var(&o.TestFraction, "test-fraction", o.TestFraction, "fraction of a file's or folder's rows held out from training (the log's held-out KALE, gebm eval)")
	fs.Uint64Var(&o.Seed, "seed", o.Seed, "random seed (initial weights, training stream, a toy's samples, a file's train/test split)")
	fs.StringVar(&o.Device, "device", o.Device, "cpu or cuda")
	fs.StringVar(&o.CUDAGemm, "cuda-gemm", o.CUDAGemm, "with --device cuda, the matrix product: cublas or kernel (default: cuBLAS where the build links it)")
	fs.BoolVar(&o.Resume, "resume", false, "continue the run in --out from its checkpoint.gebm, with the options it was started with")
	fs.BoolVar(&o.Force, "force", false, "start a new run in an --out that holds one, deleting its files")
	fs.IntVar(&o.CheckpointEvery, "checkpoint-every", o.CheckpointEvery, "base updates between checkpoints (0: only at the end and when interrupted)")
	fs.IntVar(&o.LogEvery, "log-every", o.LogEvery, "base updates between log.csv rows")
	quiet := fs.Bool("quiet", false, "no progress output")
	if err := parse(fs, args); err != nil {
		return err
	}
	if hidden != nil {
		o.BaseHidden = hidden
		o.EnergyHidden = reversed(hidden)
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if o.Arch == "dcgan" && !o.Resume {
		core.DCGANDefaults(&o.Options, func(flag string) bool { return set[flag] })
	}
	if o.Resume {
		given := func(name string) bool {
			return set[name] || set["hidden"] && (name == "base-hidden" || name == "energy-hidden")
		}
		var err error
		if o, err = train.ResumeOptions(o, given); err != nil {
			return err
		}
	}
	if err := archFlags(&o.Options, set); err != nil {
		return err
	}
	t, err := train.New(o)
	if err != nil {
		return err
	}
	products := blas.Name
	if o.Device != "cpu" {
		products = t.Device()
	}
	// Signals are caught before anything is printed: from the first line
	// on, Ctrl-C saves.
	ctx, stop := interruptible(stderr, "finishing the current base step and writing a checkpoint")
	defer stop()
	what := "training"
	if o.Resume {
		what = fmt.Sprintf("resuming %s at base step %d", o.Out, t.Step())
	}
	fmt.Fprintf(stderr, "%s on %s (%s): %d base steps, batch %d, latent %d, %s, seed %d, matrix products: %s\n",
		what, o.Data, o.Device, o.Steps, o.Batch, t.Model.Latent(), networkWords(o), o.Seed, products)
	if !*quiet {
		t.Progress = progress(stderr, o.Steps, "step")
		var final func(int, float64) // made at the phase's first step, so that its rate counts from there
		t.FinalProgress = func(step int, kale float64) {
			if final == nil {
				final = progress(stderr, o.FinalEnergySteps, "final energy-only step")
			}
			final(step, kale)
		}
	}
	start := time.Now()
	if err := t.Run(ctx); err != nil {
		var ie *train.InterruptedError
		if errors.As(err, &ie) {
			return fmt.Errorf("%w\ncontinue with: %s train --out %s --resume", err, shellQuote(os.Args[0]), shellQuote(o.Out))
		}
		return err
	}
	fmt.Fprintf(stdout, "wrote %s after %d base steps in %s\n", filepath.Join(o.Out, train.ModelFile), o.Steps, time.Since(start).Round(time.Millisecond))
	return nil
}

// shellQuote quotes s for a POSIX shell when it holds anything but
// letters, digits and ./_-+=:,@.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789./_-+=:,@") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func reversed(x []int) []int {
	out := make([]int, len(x))
	for i, v := range x {
		out[len(x)-1-i] = v
	}
	return out
}

// progress shows a bar (step, it/s, ETA, KALE) on a terminal and a plain
// line every few seconds otherwise.
func progress(stderr io.Writer, total int, what string) func(int, float64) {
	if f, ok := stderr.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		bar := progressbar.NewOptions(total, progressbar.OptionSetWriter(stderr), progressbar.OptionShowIts(),
			progressbar.OptionSetItsString("step"), progressbar.OptionShowCount(), progressbar.OptionSetWidth(30),
			progressbar.OptionThrottle(200*time.Millisecond), progressbar.OptionOnCompletion(func() { fmt.Fprintln(stderr) }))
		first := -1
		return func(step int, kale float64) {
			if first < 0 { // a resumed run: the bar covers the steps left
				first = step - 1
				bar.ChangeMax(total - first)
			}
			bar.Describe(fmt.Sprintf("%s %d/%d  KALE %.4f", what, step, total, kale))
			bar.Set(step - first)
		}
	}
	start, last, first := time.Now(), time.Now(), -1
	return func(step int, kale float64) {
		if first < 0 { // a resumed run starts past 0: rate and ETA count from here
			first = step - 1
		}
		if time.Since(last) < 5*time.Second && step != total {
			return
		}
		last = time.Now()
		el := time.Since(start).Seconds()
		rate := float64(step-first) / el
		eta := time.Duration(float64(total-step)/rate) * time.Second
		fmt.Fprintf(stderr, "%s %d/%d  %.1f step/s  ETA %s  KALE %.4f\n", what, step, total, rate, eta.Round(time.Second), kale)
	}
}

// networkWords describes the networks for the first line of gebm train.
func networkWords(o train.Options) string {
	var base, energy string
	switch {
	case o.Arch == "dcgan":
		base = fmt.Sprintf("dcgan: base convolutions %d, %d channels", 2*o.Channels, o.Channels)
	case o.Base == "realnvp":
		base = fmt.Sprintf("base realnvp (%d couplings, hidden %d, base loss %s)", o.FlowLayers, o.FlowHidden, o.BaseLoss)
	default:
		base = fmt.Sprintf("base %v", o.BaseHidden)
	}
	if o.EnergyArchitecture() == "dcgan" {
		energy = fmt.Sprintf("energy %d, %d channels", o.Channels, 2*o.Channels)
	} else {
		energy = fmt.Sprintf("energy %v", o.EnergyHidden)
	}
	if o.BaseFrom != "" {
		base += " from " + o.BaseFrom
	}
	return base + ", " + energy
}

// archFlags refuses a flag given on the command line (set) that the
// networks of o would ignore: the widths of an MLP (--base-hidden,
// --energy-hidden, --hidden for both) or a realnvp generator for a network
// that is convolutional, and --channels when neither is, so that a run is
// never silently not what was asked.
func archFlags(o *core.Options, set map[string]bool) error {
	convBase, convEnergy := o.Arch == "dcgan", o.EnergyArchitecture() == "dcgan"
	refuse := func(flag, net string) error {
		return fmt.Errorf("--%s sizes an mlp (or realnvp) network, and the %s is convolutional (--arch, --energy-arch): its convolutions are sized by --channels; drop --%s or use mlp", flag, net, flag)
	}
	if convBase {
		for _, name := range []string{"base-hidden", "flow-layers", "flow-hidden"} {
			if set[name] {
				return refuse(name, "generator")
			}
		}
	}
	if convEnergy && set["energy-hidden"] {
		return refuse("energy-hidden", "energy")
	}
	if (convBase || convEnergy) && set["hidden"] {
		return refuse("hidden", "generator or the energy")
	}
	if !convBase && !convEnergy && set["channels"] {
		return fmt.Errorf("--channels sizes the dcgan architecture's convolutions, and neither network is convolutional: give --arch dcgan (or --energy-arch dcgan), or size the mlp networks with --hidden, --base-hidden, --energy-hidden")
	}
	return nil
}
