package main

import (
	"errors"
	"flag"
	"fmt"
	"image/color"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"

	"github.com/gebm/gebm/native/plots"
	"github.com/gebm/gebm/shared/data"
	"github.com/gebm/gebm/shared/model"
	"github.com/gebm/gebm/shared/sample"
)

func init() {
	commands["sample"] = command{"draw samples from a model (generator alone, latent MCMC or SIR) to .npy, .csv or .png", runSample}
}

// samplerFlags are the sampling settings shared by sample and eval.
type samplerFlags struct {
	method   string
	steps    int
	warmup   int
	beta     float64
	stepSize float64
	leapfrog int
	friction float64
	jitter   float64
	sirPool  int // --sampler sir, and eval's β = 1 column: the pool is sirPool·n
}

// samplerKind is what --sampler selects.
type samplerKind int

const (
	kindMCMC samplerKind = iota // a latent MCMC kernel (sample.Config)
	kindNone                    // the generator alone
	kindSIR                     // sampling–importance–resampling (sirSampler)
)

// Recommended sampler settings, measured with gebm eval on 8gaussians,
// 25gaussians and MNIST models (README, "Evaluation"): short-run MALA at low
// temperature, β = 100 (the reference's value), with a small fixed step
// (1e-4) for 100 steps from the generator's latents, no step-size
// adaptation. Each sample is pulled into the energy well nearest its
// generator sample; the generator's allocation of mass between modes is
// kept. Longer chains, larger (or adapted) steps at β ≫ 1 travel between
// modes and amplify the energy's small errors in the relative depth of its
// wells: mode proportions, hence MMD², KALE and FID, then get worse. At β = 1
// the trained energies are nearly flat on the generator's samples (energy std
// 0.02–0.3, importance-weight ESS ≥ 89%), so the GEBM is almost its generator.
var defaultSampler = samplerFlags{method: "mala", steps: 100, warmup: 0, beta: 100, stepSize: 1e-4, leapfrog: 5, friction: 1, jitter: 0.5,
	sirPool: defaultSIRPool}

func (s *samplerFlags) register(fs *flag.FlagSet) {
	*s = defaultSampler
	fs.StringVar(&s.method, "sampler", s.method, "none (the generator alone), a latent MCMC kernel (ula, mala, hmc, kla, mh, imh), or sir (sampling–importance–resampling from --sir-pool × --n generator samples)")
	fs.IntVar(&s.steps, "steps", s.steps, "MCMC steps after warm-up")
	fs.IntVar(&s.warmup, "warmup", s.warmup, "warm-up steps before --steps (MALA and HMC adapt their step size there; others just run)")
	fs.Float64Var(&s.beta, "beta", s.beta, "inverse temperature β of the latent posterior N(z; 0, I) exp(-β E(B(z))): 1 is the model, > 1 sharpens (--sampler sir: 1 unless given)")
	fs.Float64Var(&s.stepSize, "step-size", s.stepSize, "step size h (initial value of the adaptation for MALA/HMC with --warmup)")
	fs.IntVar(&s.leapfrog, "leapfrog", s.leapfrog, "leapfrog steps per HMC transition")
	fs.Float64Var(&s.friction, "friction", s.friction, "KLA friction κ (high: stays at a mode, low: travels between modes)")
	fs.Float64Var(&s.jitter, "jitter", s.jitter, "HMC step-size jitter in [0, 1): each transition uses h·U[1-j, 1+j], which avoids periodic trajectories")
	fs.IntVar(&s.sirPool, "sir-pool", s.sirPool, fmt.Sprintf("SIR pool per sample, 1..%d: --sir-pool × --n generator samples are weighted by exp(-β E) and --n of them resampled", maxSIRPoolPer))
}

// parsed completes the flags after fs has parsed them: SIR samples the model
// itself, β = 1, unless --beta is given (the default 100 is for the MCMC
// kernels, whose short chains it sharpens; SIR's weights exp(-100 E) would
// leave a handful of distinct samples).
func (s *samplerFlags) parsed(fs *flag.FlagSet) {
	if !strings.EqualFold(strings.TrimSpace(s.method), "sir") {
		return
	}
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == "beta" })
	if !set {
		s.beta = 1
	}
}

// config checks the flags and returns what --sampler selects, with the
// kernel's configuration for kindMCMC. --sir-pool is checked for every
// kind, since eval's β = 1 column uses it whatever --sampler says.
func (s *samplerFlags) config() (cfg sample.Config, kind samplerKind, err error) {
	finite := func(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
	if s.sirPool < 1 || s.sirPool > maxSIRPoolPer {
		return cfg, kind, fmt.Errorf("--sir-pool %d must be in 1..%d (the pool is --sir-pool × --n generator samples)", s.sirPool, maxSIRPoolPer)
	}
	switch strings.ToLower(strings.TrimSpace(s.method)) {
	case "none":
		return sample.Config{}, kindNone, nil
	case "sir":
		if !finite(s.beta) || s.beta < 0 {
			return cfg, kindSIR, fmt.Errorf("--beta %v must be a finite number >= 0", s.beta)
		}
		return sample.Config{}, kindSIR, nil
	}
	m, err := sample.ParseMethod(s.method)
	if err != nil {
		return cfg, kindMCMC, fmt.Errorf("--sampler %q: want none, ula, mala, hmc, kla, mh, imh or sir", s.method)
	}
	switch {
	case s.steps < 0 || s.steps > 1e8:
		return cfg, kindMCMC, fmt.Errorf("--steps %d must be in 0..1e8", s.steps)
	case s.warmup < 0 || s.warmup > 1e8:
		return cfg, kindMCMC, fmt.Errorf("--warmup %d must be in 0..1e8", s.warmup)
	case !finite(s.beta) || s.beta < 0:
		return cfg, kindMCMC, fmt.Errorf("--beta %v must be a finite number >= 0", s.beta)
	case !finite(s.stepSize) || s.stepSize <= 0:
		return cfg, kindMCMC, fmt.Errorf("--step-size %v must be a finite number > 0", s.stepSize)
	case s.leapfrog < 1 || s.leapfrog > 10000:
		return cfg, kindMCMC, fmt.Errorf("--leapfrog %d must be in 1..10000", s.leapfrog)
	case !finite(s.friction) || s.friction < 0:
		return cfg, kindMCMC, fmt.Errorf("--friction %v must be a finite number >= 0", s.friction)
	case !(s.jitter >= 0 && s.jitter < 1):
		return cfg, kindMCMC, fmt.Errorf("--jitter %v must be in [0, 1)", s.jitter)
	}
	cfg = sample.Config{Method: m, StepSize: s.stepSize, Leapfrog: s.leapfrog, Friction: s.friction,
		Steps: s.steps, Warmup: s.warmup}
	if m == sample.HMC {
		cfg.Jitter = s.jitter
	}
	if err := cfg.Validate(); err != nil {
		return cfg, kindMCMC, err
	}
	return cfg, kindMCMC, nil
}

func (s *samplerFlags) String() string {
	cfg, kind, err := s.config()
	if err != nil {
		return "invalid"
	}
	switch kind {
	case kindNone:
		return "generator alone"
	case kindSIR:
		return fmt.Sprintf("sir β=%g, pool %d×n", s.beta, s.sirPool)
	}
	out := fmt.Sprintf("%s β=%g, %d steps", cfg.Method, s.beta, s.steps)
	if cfg.Method != sample.IMH {
		out += fmt.Sprintf(", h=%g", s.stepSize)
	}
	if cfg.Method.Adapts() && s.warmup > 0 {
		out += fmt.Sprintf(" adapted over %d warm-up steps", s.warmup)
	} else if s.warmup > 0 {
		out += fmt.Sprintf(" after %d burn-in steps", s.warmup)
	}
	switch cfg.Method {
	case sample.HMC:
		out += fmt.Sprintf(", L=%d, jitter %g", s.leapfrog, s.jitter)
	case sample.KLA:
		out += fmt.Sprintf(", κ=%g", s.friction)
	}
	return out
}

// loadModel reads and decodes a model file with errors that name it.
func loadModel(path string) (*model.GEBM, error) {
	if path == "" {
		return nil, errors.New("--model is required (a model.gebm file written by gebm train)")
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading the model: %w", err)
	}
	m, err := model.Load(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return m, nil
}

// maxGrid is the most images a .png grid shows.
const maxGrid = 256

// maxSampleBytes bounds the samples gebm sample holds before writing them:
// the output is the only memory that grows with --n (chains run in batches,
// see chainBatch).
const maxSampleBytes = 4 << 30

func runSample(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("sample", stderr)
	modelPath := fs.String("model", "", "model file (model.gebm from gebm train)")
	var sf samplerFlags
	sf.register(fs)
	n := fs.Int("n", 1000, "number of samples (= chains, run in batches of at most 2000; for sir, the pool is evaluated in such batches)")
	seed := fs.Uint64("seed", 1, "random seed")
	out := fs.String("out", "", "output: .npy (float32, the model's space, e.g. [-1, 1] for MNIST), .csv, or .png (2-D: samples over the energy; images: a grid of at most 256)")
	quiet := fs.Bool("quiet", false, "no progress output")
	if err := parse(fs, args); err != nil {
		return err
	}
	sf.parsed(fs)
	cfg, kind, err := sf.config()
	if err != nil {
		return err
	}
	none := kind == kindNone
	if *n < 1 || *n > 10_000_000 {
		return fmt.Errorf("--n %d must be in 1..10000000", *n)
	}
	sir := sirSampler{beta: sf.beta, poolPer: sf.sirPool}
	if kind == kindSIR {
		if _, err := sir.pool(*n); err != nil {
			return err
		}
	}
	ext := strings.ToLower(filepath.Ext(*out))
	switch {
	case *out == "":
		return errors.New("--out is required (a .npy, .csv or .png file)")
	case ext != ".npy" && ext != ".csv" && ext != ".png":
		return fmt.Errorf("--out %s: unknown extension %q (want .npy, .csv or .png)", *out, ext)
	}
	if st, err := os.Stat(filepath.Dir(*out)); err != nil || !st.IsDir() {
		return fmt.Errorf("--out %s: directory %s does not exist", *out, filepath.Dir(*out))
	}
	m, err := loadModel(*modelPath)
	if err != nil {
		return err
	}
	if ext == ".png" && m.Dim() != 2 && !drawable(m.Data.Shape) {
		return fmt.Errorf("--out %s: a picture needs 2-D data or grey or RGB images; this model's data has dimension %d, shape %v (use .npy or .csv)", *out, m.Dim(), m.Data.Shape)
	}
	D := m.Dim()
	if bytes := int64(*n) * int64(D) * 4; bytes > maxSampleBytes {
		return fmt.Errorf("--n %d: %d samples of dimension %d take %.1f GB in memory, more than gebm sample's limit of %d GB; "+
			"at most %d fit (draw several files with different --seed)", *n, *n, D, float64(bytes)/1e9, maxSampleBytes>>30, maxSampleBytes/(4*int64(D)))
	}
	rng := rand.New(rand.NewPCG(*seed, 0x73616d70))
	x := make([]float32, *n*D)
	if kind == kindSIR {
		sir.m = m
		pool, _ := sir.pool(*n)
		show := bar(stderr, pool, "pool sample", *quiet)
		st, err := sir.run(*n, rng, func(done int) { show(done, "") }, func(lo, rows int, gebm []float32) error {
			copy(x[lo*D:(lo+rows)*D], gebm)
			return nil
		})
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, sirSummary(st, *n, sir))
		if err := writeSamples(*out, ext, m, x, *n, sf.String()); err != nil {
			return fmt.Errorf("writing %s: %w", *out, err)
		}
		fmt.Fprintf(stdout, "wrote %d samples to %s\n", *n, *out)
		return nil
	}
	ls := latentSampler{m: m, cfg: cfg, none: none, beta: sf.beta}
	show := bar(stderr, sf.steps*ls.batches(*n), "step", *quiet || none)
	acc, err := ls.run(*n, rng, func(step int) { show(step, "") }, func(lo, rows int, gen, gebm []float32) error {
		if none {
			gebm = gen
		}
		copy(x[lo*D:(lo+rows)*D], gebm)
		return nil
	})
	if err != nil {
		return err
	}
	what := "generator alone"
	if !none {
		what = sf.String()
		fmt.Fprintf(stdout, "%s: %s\n", what, &acc)
	}
	if err := writeSamples(*out, ext, m, x, *n, what); err != nil {
		return fmt.Errorf("writing %s: %w", *out, err)
	}
	fmt.Fprintf(stdout, "wrote %d samples to %s\n", *n, *out)
	return nil
}

func writeSamples(path, ext string, m *model.GEBM, x []float32, n int, what string) error {
	D := m.Dim()
	switch ext {
	case ".npy":
		return data.WriteNPYFile(path, x, D)
	case ".csv":
		header := make([]string, D)
		for j := range header {
			header[j] = fmt.Sprintf("x%d", j)
		}
		if D == 2 {
			header = []string{"x", "y"}
		}
		return data.WriteCSVFile(path, x, D, header)
	}
	if D == 2 {
		return plots.Scatter2D(path, fmt.Sprintf("%s (%s)", m.Data.Name, what), m,
			[]plots.Set{{Name: what, X: x, Color: color.RGBA{R: 200, A: 255}}})
	}
	k := min(n, maxGrid)
	return plots.ImageGrid(path, x[:k*D], k, m.Data.Shape)
}

// drawable reports whether a model file's data shape is one plots.ImageGrid
// draws: [H W] grey, or [C H W] with one (grey) or three (RGB) channels.
func drawable(shape []int) bool {
	return len(shape) == 2 || len(shape) == 3 && (shape[0] == 1 || shape[0] == 3)
}
