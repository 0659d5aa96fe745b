package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/gebm/gebm/shared/data"
	"github.com/gebm/gebm/shared/kale"
)

func init() {
	commands["divergence"] = command{"KALE, KL lower bound or MMD² between two sample files", runDivergence}
}

const divergenceUsage = "usage: gebm divergence --p A.(npy|csv) --q B.(npy|csv) [--kind kale|kale-nn|kl|mmd] [--lambda x] [--bandwidth s] [--features D] [--seed S] [--json]"

// divergenceKinds are the values of --kind, with what each computes.
var divergenceKinds = []string{"kale", "kale-nn", "kl", "mmd"}

// exactWarnRows is the size of Q's set above which the exact KALE solver
// (O(m³) time, O(m²) memory) prints a hint to use --features.
const exactWarnRows = 4096

// divergenceReport is the --json output.
type divergenceReport struct {
	Kind       string         `json:"kind"`
	Value      float64        `json:"value"`
	Parameters map[string]any `json:"parameters"`
	Iterations int            `json:"iterations"`
	Converged  bool           `json:"converged"`
	P          string         `json:"p"`
	Q          string         `json:"q"`
	NP         int            `json:"n_p"`
	NQ         int            `json:"n_q"`
	Dim        int            `json:"dim"`
}

// runDivergence: gebm divergence --p A --q B [--kind K] [flags]
func runDivergence(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("divergence", stderr)
	p := fs.String("p", "", "samples of P, a .npy or .csv file (rows are points)")
	q := fs.String("q", "", "samples of Q, a .npy or .csv file with the same number of columns")
	kind := fs.String("kind", "kale", "divergence: "+strings.Join(divergenceKinds, ", "))
	lambda := fs.Float64("lambda", kale.DefaultLambda, "RKHS penalty λ > 0 in −(λ/2)‖f‖² (kale, kl)")
	bandwidth := fs.Float64("bandwidth", 0, "Gaussian kernel bandwidth σ; 0 = median pairwise distance of the pooled points (kale, kl, mmd)")
	features := fs.Int("features", 0, "random Fourier features D for a solver linear in the number of points; 0 = exact (kale, kl)")
	seed := fs.Uint64("seed", 1, "random seed (--features, kale-nn)")
	biased := fs.Bool("biased", false, "biased (V-statistic) MMD² instead of the unbiased one (mmd)")
	steps := fs.Int("steps", kale.DefaultNeuralSteps, "maximum Adam steps (kale-nn); training stops early once the estimate settles")
	hidden := []int{32, 32}
	fs.Var(intList{&hidden}, "hidden", "hidden layer widths of the witness network (kale-nn)")
	lr := fs.Float64("lr", kale.DefaultNeuralLR, "Adam learning rate (kale-nn)")
	gp := fs.Float64("gp", kale.DefaultNeuralGP, "gradient penalty weight, 0 = none (kale-nn)")
	batch := fs.Int("batch", 0, "points per set per Adam step, 0 = full sets (kale-nn)")
	asJSON := fs.Bool("json", false, "print a JSON object: value, kind, parameters, iterations, converged")
	// Flag errors come back as one line; -h prints the full help.
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fs.SetOutput(stderr)
			divergenceHelp(fs, stderr)
			return err
		}
		return fmt.Errorf("%v (gebm divergence -h for the flags)", err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q (flags start with --)", fs.Arg(0))
	}

	// Validate the flags before reading any file.
	if !slices.Contains(divergenceKinds, *kind) {
		return fmt.Errorf("unknown --kind %q: want one of %s", *kind, strings.Join(divergenceKinds, ", "))
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	appliesTo := map[string][]string{
		"lambda": {"kale", "kl"}, "bandwidth": {"kale", "kl", "mmd"}, "features": {"kale", "kl"},
		"seed": {"kale", "kl", "kale-nn"}, "biased": {"mmd"}, "steps": {"kale-nn"}, "hidden": {"kale-nn"},
		"lr": {"kale-nn"}, "gp": {"kale-nn"}, "batch": {"kale-nn"},
	}
	for _, name := range slices.Sorted(maps.Keys(appliesTo)) {
		if set[name] && !slices.Contains(appliesTo[name], *kind) {
			return fmt.Errorf("--%s does not apply to --kind %s (only to %s)", name, *kind, strings.Join(appliesTo[name], ", "))
		}
	}
	if *p == "" || *q == "" {
		return fmt.Errorf("--p and --q are required; %s", divergenceUsage)
	}
	positive := func(name string, v float64, zeroOK bool) error {
		if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 || (v == 0 && !zeroOK) {
			want := "> 0"
			if zeroOK {
				want = "≥ 0"
			}
			return fmt.Errorf("--%s %v: want a finite value %s", name, v, want)
		}
		return nil
	}
	for _, c := range []struct {
		name   string
		v      float64
		zeroOK bool
	}{{"lambda", *lambda, false}, {"bandwidth", *bandwidth, true}, {"lr", *lr, false}, {"gp", *gp, true}} {
		if err := positive(c.name, c.v, c.zeroOK); err != nil {
			return err
		}
	}
	if *features < 0 || *features > 1<<16 {
		return fmt.Errorf("--features %d: want 0 (exact) or 1..65536", *features)
	}
	if *steps < 1 {
		return fmt.Errorf("--steps %d: want ≥ 1", *steps)
	}
	if *batch < 0 {
		return fmt.Errorf("--batch %d: want ≥ 0", *batch)
	}

	x, err := readSamples("p", *p)
	if err != nil {
		return err
	}
	y, err := readSamples("q", *q)
	if err != nil {
		return err
	}
	if x.Cols != y.Cols {
		return fmt.Errorf("dimension mismatch: --p %s has %d columns, --q %s has %d", *p, x.Cols, *q, y.Cols)
	}
	if (*kind == "kale" || *kind == "kl") && *features == 0 && y.Rows > exactWarnRows {
		fmt.Fprintf(stderr, "gebm divergence: note: the exact solver costs O(m³) time and O(m²) memory for the %d points of --q; --features 1024 is linear in m\n", y.Rows)
	}

	rep := divergenceReport{Kind: *kind, Parameters: map[string]any{}, P: *p, Q: *q, NP: x.Rows, NQ: y.Rows, Dim: x.Cols}
	opts := kale.Options{Lambda: *lambda, Bandwidth: *bandwidth}
	rng := rand.New(rand.NewPCG(*seed, 0))
	solve := func() (kale.Result, error) {
		if *features > 0 {
			return kale.KALERandomFeatures(x, y, opts, *features, rng)
		}
		return kale.KALE(x, y, opts)
	}
	switch *kind {
	case "kale", "kl":
		r, err := solve()
		if err != nil {
			return err
		}
		rep.Value, rep.Iterations, rep.Converged = r.Value, r.Iterations, r.Converged
		if *kind == "kl" {
			if rep.Value, err = kale.DonskerVaradhan(r.Witness, x, y); err != nil {
				return err
			}
			rep.Parameters["kale"] = r.Value
		}
		rep.Parameters["lambda"] = r.Lambda
		rep.Parameters["bandwidth"] = r.Bandwidth
		rep.Parameters["features"] = *features
		rep.Parameters["gap"] = r.Gap
		if *features > 0 {
			rep.Parameters["seed"] = *seed
		}
	case "mmd":
		sigma := *bandwidth
		if sigma == 0 {
			sigma = kale.MedianBandwidth(x, y)
		}
		mmd := kale.MMD2Unbiased
		if *biased {
			mmd = kale.MMD2Biased
		}
		if rep.Value, err = mmd(x, y, sigma); err != nil {
			return err
		}
		rep.Converged = true // closed form
		rep.Parameters["bandwidth"] = sigma
		rep.Parameters["biased"] = *biased
	case "kale-nn":
		o := kale.NeuralOptions{Hidden: hidden, Steps: *steps, LR: *lr, GP: *gp, NoPenalty: *gp == 0,
			Batch: *batch, EarlyStop: true, Seed: *seed}
		r, err := kale.KALENeural(x, y, o)
		if err != nil {
			return err
		}
		rep.Value, rep.Iterations, rep.Converged = r.Value, r.Iterations, r.Converged
		rep.Parameters["hidden"] = hidden
		rep.Parameters["steps"] = *steps
		rep.Parameters["lr"] = *lr
		rep.Parameters["gp"] = *gp
		rep.Parameters["batch"] = *batch
		rep.Parameters["seed"] = *seed
		rep.Parameters["a"] = r.A
		rep.Parameters["dv"] = r.DV
		rep.Parameters["rel_change"] = finiteOrNil(r.RelChange)
	}
	if math.IsNaN(rep.Value) || math.IsInf(rep.Value, 0) {
		return fmt.Errorf("the %s estimate is not finite (%v)", *kind, rep.Value)
	}
	if !rep.Converged {
		fmt.Fprintf(stderr, "gebm divergence: warning: %s did not converge in %d iterations\n", *kind, rep.Iterations)
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	fmt.Fprintf(stdout, "%.6g\n", rep.Value)
	return nil
}

// divergenceHelp prints the usage line, the kinds and the flags.
func divergenceHelp(fs *flag.FlagSet, stderr io.Writer) {
	fmt.Fprintln(stderr, divergenceUsage)
	fmt.Fprintln(stderr, `
kinds (P = --p, Q = --q; all are zero for equal distributions):
  kale     KALE(P‖Q) in the Gaussian RKHS with penalty (λ/2)‖f‖² (exact Newton on the dual,
           or random Fourier features with --features D)
  kale-nn  KALE(P‖Q) with an MLP witness trained by Adam on the GEBM energy loss
  kl       Donsker–Varadhan lower bound on KL(P‖Q) at the fitted RKHS KALE witness
           (on the same samples: optimistic by O(1/n))
  mmd      squared MMD with the Gaussian kernel (unbiased; --biased for the V-statistic)

flags:`)
	fs.PrintDefaults()
}

// readSamples reads a .npy or .csv file of points (one per row) as float64
// samples, naming the flag in errors.
func readSamples(flagName, path string) (kale.Samples, error) {
	d, err := data.ReadFile(path, 0)
	if err != nil {
		return kale.Samples{}, fmt.Errorf("--%s: %v", flagName, err)
	}
	if d.Rows() == 0 || d.Dim == 0 {
		return kale.Samples{}, fmt.Errorf("--%s %s: no samples", flagName, path)
	}
	s, err := kale.SamplesFromFloat32(d.X, d.Rows(), d.Dim)
	if err != nil {
		return kale.Samples{}, fmt.Errorf("--%s %s: %v", flagName, path, err)
	}
	return s, nil
}

// finiteOrNil returns v, or nil (JSON null) when v is not finite.
func finiteOrNil(v float64) any {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return v
}
