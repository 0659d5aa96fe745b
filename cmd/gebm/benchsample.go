package main

import (
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"math"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/gebm/gebm/native/blas"
	"github.com/gebm/gebm/shared/model"
	"github.com/gebm/gebm/shared/sample"
	"github.com/gebm/gebm/wasm/sampler"
	"github.com/gebm/gebm/www"
)

// benchRow is one way of running n chains for K steps, measured in every
// round.
type benchRow struct {
	Name string `json:"row"`
	N    int    `json:"n"`
	// ChainSteps holds n × steps / seconds of each round, in order.
	ChainSteps []float64 `json:"chain_steps_per_s"`
	// Median is the median of ChainSteps, GFLOPs the matrix products'
	// rate at that speed.
	Median float64 `json:"median_chain_steps_per_s"`
	GFLOPs float64 `json:"gflop_per_s"`
	run    func() error
}

// benchRatio compares the gebm sample/eval row with another row at one n:
// the ratio of their speeds within each round (median, smallest, largest).
type benchRatio struct {
	N      int     `json:"n"`
	Over   string  `json:"over"`
	Median float64 `json:"median"`
	Min    float64 `json:"min"`
	Max    float64 `json:"max"`
}

// benchSampleReport is gebm bench sample's result (its JSON output).
type benchSampleReport struct {
	Model      string       `json:"model"`
	Sampler    string       `json:"sampler"`
	Beta       float64      `json:"beta"`
	StepSize   float64      `json:"step_size"`
	Steps      int          `json:"steps"`
	Rounds     int          `json:"rounds"`
	Workers    int          `json:"workers"`
	GOMAXPROCS int          `json:"gomaxprocs"`
	Products   string       `json:"products"`
	BLASThread int          `json:"openblas_default_threads"`
	FLOPs      int          `json:"flop_per_chain_step"`
	Date       string       `json:"date"`
	LoadBefore string       `json:"load_average_before"`
	LoadAfter  string       `json:"load_average_after"`
	Rows       []*benchRow  `json:"rows"`
	Ratios     []benchRatio `json:"ratios"`
}

// Names of the rows that ratios refer to.
const (
	rowAPI    = "sampler API Step (1 worker)"
	rowBefore = "before issue 21"
)

// runBenchSample: gebm bench sample [--model FILE] [--n 64,2000] [--steps K]
// [--rounds R] [--sampler mala] [--beta B] [--step-size H] [--workers W] [--json]
//
// It runs the same chains (model, number, kernel, β, h) four ways, each
// round measuring each way once, in turn (each round starting one row
// further on), so that load on a shared machine falls on all of them alike:
//   - gebm sample/eval: latentSampler.run, as gebm sample and eval run one
//     batch (latents, the generator's samples, the chains, the steps, the
//     GEBM's samples), with --workers workers;
//   - the same with one worker (when --workers is not 1);
//   - the sampler API: Step on a chain set made beforehand, as the browser's
//     page and wasm/internal/latentstep run it;
//   - before issue 21: gebm sample/eval's batch as it was before its
//     potential ran in blocks on workers: U of all chains at once
//     (model.LatentPotential), OpenBLAS on its default threads.
//
// Every row does one evaluation of U and ∇U per chain and step (ULA, MALA),
// whose matrix products are the FLOPs counted; the gebm sample/eval rows
// also pay, in their time, one more evaluation and two generator passes per
// batch.
func runBenchSample(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("bench sample", stderr)
	modelPath := fs.String("model", "", "model file (default: the bundled MNIST model, www/models/mnist.gebm)")
	nList := fs.String("n", "64,2000", "numbers of chains, comma-separated (each at most one batch of gebm sample/eval)")
	steps := fs.Int("steps", defaultSampler.steps, "steps per measurement (gebm sample and eval run 100)")
	rounds := fs.Int("rounds", 3, "rounds; each measures every row once")
	method := fs.String("sampler", "mala", "kernel: ula or mala")
	beta := fs.Float64("beta", defaultSampler.beta, "inverse temperature β")
	stepSize := fs.Float64("step-size", defaultSampler.stepSize, "step size h")
	workers := fs.Int("workers", runtime.GOMAXPROCS(0), "workers of the gebm sample/eval row (gebm sample and eval use GOMAXPROCS)")
	asJSON := fs.Bool("json", false, "print JSON")
	quiet := fs.Bool("quiet", false, "no progress output")
	if err := parse(fs, args); err != nil {
		return err
	}
	m, err := sample.ParseMethod(*method)
	if err != nil || (m != sample.ULA && m != sample.MALA) {
		return fmt.Errorf("--sampler %q: want ula or mala", *method)
	}
	switch {
	case *steps < 1 || *steps > 1_000_000:
		return fmt.Errorf("--steps %d must be in 1..1000000", *steps)
	case *rounds < 1 || *rounds > 1000:
		return fmt.Errorf("--rounds %d must be in 1..1000", *rounds)
	case *workers < 1 || *workers > 1024:
		return fmt.Errorf("--workers %d must be in 1..1024", *workers)
	case !(*beta >= 0 && *beta <= sampler.MaxBeta):
		return fmt.Errorf("--beta %v must be in [0, %g]", *beta, float64(sampler.MaxBeta))
	case !(*stepSize > 0 && *stepSize < 1e6):
		return fmt.Errorf("--step-size %v must be in (0, 1e6)", *stepSize)
	}
	name, file, err := loadBenchModel(*modelPath)
	if err != nil {
		return err
	}
	g, err := model.Load(file)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	api := sampler.New()
	h, err := api.Open(file)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	desc, err := api.Describe(h)
	if err != nil {
		return err
	}
	limit := min(chainBatch(g), desc.MaxChains)
	var ns []int
	for _, f := range splitList(*nList) {
		n, err := strconv.Atoi(f)
		if err != nil || n < 1 || n > limit {
			return fmt.Errorf("--n %q: want numbers of chains in 1..%d (one batch of gebm sample/eval, and the sampler API's limit, for this model)", f, limit)
		}
		ns = append(ns, n)
	}
	if len(ns) == 0 {
		return fmt.Errorf("--n %q: no numbers of chains", *nList)
	}

	rep := benchSampleReport{Model: name, Sampler: string(m), Beta: *beta, StepSize: *stepSize, Steps: *steps,
		Rounds: *rounds, Workers: *workers, GOMAXPROCS: runtime.GOMAXPROCS(0), Products: blas.Name,
		BLASThread: blas.Threads(), FLOPs: desc.FLOPsPerStep}
	cfg := sample.Config{Method: m, StepSize: *stepSize, Steps: *steps}
	params := sampler.StepParams{Method: string(m), StepSize: *stepSize, Steps: *steps}
	for _, n := range ns {
		cli := func(w int) func() error {
			ls := latentSampler{m: g, cfg: cfg, beta: *beta, workers: w}
			return func() error {
				_, err := ls.run(n, rand.New(rand.NewPCG(1, 1)), nil, func(int, int, []float32, []float32) error { return nil })
				return err
			}
		}
		rep.Rows = append(rep.Rows, &benchRow{Name: "gebm sample/eval (" + workerCount(*workers) + ")", N: n, run: cli(*workers)})
		if *workers != 1 {
			rep.Rows = append(rep.Rows, &benchRow{Name: "gebm sample/eval (1 worker)", N: n, run: cli(1)})
		}
		c, err := api.NewChains(h, n, 1, *beta)
		if err != nil {
			return err
		}
		rep.Rows = append(rep.Rows, &benchRow{Name: rowAPI, N: n, run: func() error {
			_, err := api.Step(c, params)
			return err
		}})
		threads := rep.BLASThread
		rep.Rows = append(rep.Rows, &benchRow{Name: rowBefore, N: n, run: func() error {
			return before21(g, cfg, *beta, n, threads)
		}})
	}

	rep.Date = time.Now().UTC().Format("2006-01-02 15:04 MST")
	rep.LoadBefore = loadAverage()
	for r := range *rounds {
		// Each round starts one row further on, so that what a row leaves
		// behind (OpenBLAS's threads spinning after the before-issue-21
		// row, garbage) falls on every row in turn.
		for i := range rep.Rows {
			row := rep.Rows[(r+i)%len(rep.Rows)]
			t := time.Now()
			if err := row.run(); err != nil {
				return fmt.Errorf("%s, n = %d: %w", row.Name, row.N, err)
			}
			v := float64(row.N**steps) / time.Since(t).Seconds()
			row.ChainSteps = append(row.ChainSteps, v)
			if !*quiet {
				fmt.Fprintf(stderr, "round %d of %d, n = %d, %s: %.0f chain-steps/s\n", r+1, *rounds, row.N, row.Name, v)
			}
		}
	}
	rep.LoadAfter = loadAverage()
	for _, row := range rep.Rows {
		row.Median = median(row.ChainSteps)
		row.GFLOPs = row.Median * float64(rep.FLOPs) / 1e9
	}
	for _, n := range ns {
		var rows []*benchRow
		for _, row := range rep.Rows {
			if row.N == n {
				rows = append(rows, row)
			}
		}
		for _, other := range rows[1:] {
			q := make([]float64, len(other.ChainSteps))
			for i := range q {
				q[i] = rows[0].ChainSteps[i] / other.ChainSteps[i]
			}
			rep.Ratios = append(rep.Ratios, benchRatio{N: n, Over: other.Name, Median: median(q), Min: slices.Min(q), Max: slices.Max(q)})
		}
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	printBenchSample(stdout, rep)
	return nil
}

// before21 runs one batch of n chains as gebm sample and eval did before
// issue 21 (commit 56658c8): latents, the generator's samples, chains on
// the latent potential evaluated for all n chains at once, cfg.Steps steps,
// the GEBM's samples, with OpenBLAS on threads threads. It leaves OpenBLAS
// on one thread, as the other rows run it. Its activations are today's
// shared/nn's: since nn.Tanh32 replaced math.Tanh it is faster than the path
// before issue 21 was; scripts/bench/sample-ab.sh times that path in a binary
// built before Tanh32.
func before21(g *model.GEBM, cfg sample.Config, beta float64, n, threads int) error {
	blas.SetThreads(threads)
	defer blas.SetThreads(1)
	rng := rand.New(rand.NewPCG(1, 1))
	z := make([]float32, n*g.Latent())
	model.SampleLatents(rng, z)
	generate(g, z, n)
	ch, err := sample.NewChains(g.Potential(beta), z, n)
	if err != nil {
		return err
	}
	if _, err := ch.Run(cfg, rng, nil); err != nil {
		return err
	}
	generate(g, ch.Z(), n)
	return nil
}

func printBenchSample(w io.Writer, r benchSampleReport) {
	fmt.Fprintf(w, "latent MCMC (%s, β=%g, h=%g, %d steps a measurement), %s: %d FLOP per chain-step (U and ∇U: base and energy forward, and back to the latent)\n",
		r.Sampler, r.Beta, r.StepSize, r.Steps, r.Model, r.FLOPs)
	fmt.Fprintf(w, "products: %s (default threads %d; every row but %q runs it on 1), GOMAXPROCS %d; median of %d rounds (min-max)\n",
		r.Products, r.BLASThread, rowBefore, r.GOMAXPROCS, r.Rounds)
	fmt.Fprintf(w, "%s, load average %s before, %s after\n\n", r.Date, r.LoadBefore, r.LoadAfter)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "n\trow\tchain-steps/s\tmin-max\tsteps/s\tGFLOP/s\t\n")
	for _, row := range r.Rows {
		fmt.Fprintf(tw, "%d\t%s\t%.0f\t%.0f-%.0f\t%.1f\t%.1f\t\n", row.N, row.Name, row.Median,
			slices.Min(row.ChainSteps), slices.Max(row.ChainSteps), row.Median/float64(row.N), row.GFLOPs)
	}
	tw.Flush()
	fmt.Fprintf(w, "\ngebm sample/eval (%s) against each row, within each round: median (min-max)\n", workerCount(r.Workers))
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	for _, q := range r.Ratios {
		fmt.Fprintf(tw, "%d\t/ %s\t%.2f×\t(%.2f-%.2f)\t\n", q.N, q.Over, q.Median, q.Min, q.Max)
	}
	tw.Flush()
}

// workerCount is "1 worker" or "n workers".
func workerCount(n int) string {
	if n == 1 {
		return "1 worker"
	}
	return strconv.Itoa(n) + " workers"
}

// median returns the median of v (the mean of the middle two for an even
// length); v is not modified.
func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	k := len(s)
	if k == 0 {
		return math.NaN()
	}
	if k%2 == 1 {
		return s[k/2]
	}
	return (s[k/2-1] + s[k/2]) / 2
}

// loadBenchModel reads the model file at path, or the bundled MNIST model
// for "".
func loadBenchModel(path string) (name string, file []byte, err error) {
	if path == "" {
		b, err := fs.ReadFile(www.Files(), "models/mnist.gebm")
		if err != nil {
			return "", nil, fmt.Errorf("the bundled MNIST model: %w", err)
		}
		return "bundled www/models/mnist.gebm", b, nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", nil, fmt.Errorf("reading the model: %w", err)
	}
	return path, b, nil
}

// loadAverage returns the 1, 5 and 15-minute load averages from
// /proc/loadavg, or "unknown" where there is none.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(b)); err == nil && len(f) >= 3 {
		return strings.Join(f[:3], " ")
	}
	return "unknown"
}
