package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"text/tabwriter"
	"time"

	"github.com/gebm/gebm/native/classifier"
	"github.com/gebm/gebm/shared/data"
	"github.com/gebm/gebm/shared/metrics"
	"github.com/gebm/gebm/shared/model"
)

func init() {
	commands["eval"] = command{"measure a model's samples, generator alone and GEBM (latent MCMC), against data", runEval}
}

// evalReport is eval's JSON output.
type evalReport struct {
	Model      string      `json:"model"`
	Data       string      `json:"data"`
	N          int         `json:"n"`
	Seed       uint64      `json:"seed"`
	Sampler    samplerJSON `json:"sampler"`
	Accept     float64     `json:"accept_rate"`
	StepSize   float64     `json:"step_size"`
	Generator  setMetrics  `json:"generator"`
	GEBM       setMetrics  `json:"gebm"`
	Classifier *string     `json:"classifier,omitempty"`
	RelFID     *float64    `json:"relative_fid,omitempty"`
	// Energy describes E on the generator's samples: how far the GEBM can
	// move away from its generator at this β.
	Energy  energyStats `json:"energy_on_generator"`
	Seconds float64     `json:"seconds"`
}

type samplerJSON struct {
	Method   string  `json:"method"`
	Beta     float64 `json:"beta"`
	Steps    int     `json:"steps"`
	Warmup   int     `json:"warmup"`
	StepSize float64 `json:"step_size"`
	Leapfrog int     `json:"leapfrog,omitempty"`
	Friction float64 `json:"friction,omitempty"`
	Jitter   float64 `json:"jitter,omitempty"`
}

// setMetrics are the measures of one sample set.
type setMetrics struct {
	metrics.ToyReport
	// FID and KID on the features of gebm's MNIST classifier.
	FID *float64 `json:"fid_classifier_features,omitempty"`
	KID *float64 `json:"kid_classifier_features,omitempty"`
}

func runEval(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("eval", stderr)
	modelPath := fs.String("model", "", "model file (model.gebm from gebm train)")
	spec := fs.String("data", "", "data to compare with: a toy name, mnist, or a .npy/.csv file (its test split)")
	var sf samplerFlags
	sf.register(fs)
	n := fs.Int("n", 2000, "samples per set (generator, GEBM, data)")
	seed := fs.Uint64("seed", 1, "random seed")
	clfPath := fs.String("classifier", DefaultClassifierFile, "classifier file for FID/KID on MNIST (gebm train-classifier)")
	kalePoints := fs.Int("kale-points", 500, "points per set for the exact RKHS KALE (cost grows as the cube); 0 skips it")
	mnistDir := fs.String("mnist-dir", "", "directory of the MNIST .gz files (default: found in the Go module cache)")
	asJSON := fs.Bool("json", false, "print JSON instead of a table")
	quiet := fs.Bool("quiet", false, "no progress output")
	if err := parse(fs, args); err != nil {
		return err
	}
	cfg, none, err := sf.config()
	if err != nil {
		return err
	}
	if none {
		return errors.New("--sampler none: eval always measures the generator alone; give the MCMC sampler for the GEBM")
	}
	if *n < 10 || *n > 1_000_000 {
		return fmt.Errorf("--n %d must be in 10..1000000", *n)
	}
	if *kalePoints < 0 {
		return fmt.Errorf("--kale-points %d must be >= 0", *kalePoints)
	}
	if *spec == "" {
		return errors.New("--data is required (a toy name, mnist, or a .npy/.csv file)")
	}
	ds, err := data.ParseSpec(*spec)
	if err != nil {
		return err
	}
	m, err := loadModel(*modelPath)
	if err != nil {
		return err
	}
	// Check the data's dimension before loading anything large.
	if ds.Kind == data.SpecToy && ds.Toy.Dim() != m.Dim() || ds.Kind == data.SpecMNIST && data.MNISTDim != m.Dim() {
		dim := data.MNISTDim
		if ds.Kind == data.SpecToy {
			dim = ds.Toy.Dim()
		}
		return fmt.Errorf("data %s has dimension %d, the model %s generates dimension %d (trained on %s)", *spec, dim, *modelPath, m.Dim(), m.Data.Name)
	}
	var clf *classifier.Classifier
	if ds.Kind == data.SpecMNIST {
		b, err := os.ReadFile(*clfPath)
		if err != nil {
			return fmt.Errorf("FID on MNIST needs gebm's classifier (gebm train-classifier): %w", err)
		}
		if clf, err = classifier.Load(b); err != nil {
			return fmt.Errorf("%s: %w", *clfPath, err)
		}
		if clf.Info.Dim != m.Dim() {
			return fmt.Errorf("classifier %s takes dimension %d, the model generates %d", *clfPath, clf.Info.Dim, m.Dim())
		}
	}
	start := time.Now()
	fresh, toy, norm, err := evalData(ds, *n, *seed, *mnistDir, m)
	if err != nil {
		return err
	}
	ls := latentSampler{m: m, cfg: cfg, beta: sf.beta}
	show := bar(stderr, sf.steps, "step", *quiet)
	rng := rand.New(rand.NewPCG(*seed, 0x6576616c))
	gen, gx, res, err := ls.draw(*n, rng, func(step int) { show(step, "") })
	if err != nil {
		return err
	}
	rep := evalReport{Model: *modelPath, Data: *spec, N: *n, Seed: *seed,
		Sampler: samplerJSON{Method: string(cfg.Method), Beta: sf.beta, Steps: sf.steps, Warmup: sf.warmup, StepSize: sf.stepSize,
			Leapfrog: sf.leapfrog, Friction: sf.friction, Jitter: cfg.Jitter},
		Accept: res.MeanAccept(), StepSize: res.StepSize, Energy: energyOnSamples(m, gen, *n, sf.beta)}
	o := metrics.ToyOptions{KALEPoints: *kalePoints}
	if *kalePoints == 0 {
		o.KALEPoints = -1
	}
	for _, set := range []struct {
		x   []float32
		dst *setMetrics
	}{{gen, &rep.Generator}, {gx, &rep.GEBM}} {
		switch {
		case clf != nil:
			if err := featureMetrics(clf, fresh, set.x, *n, set.dst); err != nil {
				return err
			}
		case toy != nil:
			if set.dst.ToyReport, err = metrics.Toy(toy, fresh, set.x, norm, o); err != nil {
				return err
			}
		default:
			if set.dst.ToyReport, err = metrics.Compare(fresh, set.x, m.Dim(), o); err != nil {
				return err
			}
		}
	}
	if clf != nil {
		p := clfPath
		rep.Classifier = p
		if *rep.Generator.FID > 0 {
			r := *rep.GEBM.FID / *rep.Generator.FID
			rep.RelFID = &r
		}
	}
	rep.Seconds = time.Since(start).Seconds()
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	printEval(stdout, rep, sf, clf)
	fmt.Fprintf(stdout, "%s\n", acceptSummary(res))
	return nil
}

// energyStats summarises the energy on generator samples.
type energyStats struct {
	Mean float64 `json:"mean"`
	Std  float64 `json:"std"`
	// ESS is the effective sample size, as a fraction of n, of the
	// self-normalised importance weights w_i ∝ exp(−β E(x_i)) that turn
	// generator samples into GEBM samples: (Σw)²/(n Σw²). Near 1, the GEBM
	// at this β is its generator, whatever the sampler.
	ESS float64 `json:"ess_fraction"`
}

func energyOnSamples(m *model.GEBM, x []float32, n int, beta float64) energyStats {
	e := make([]float64, 0, n)
	D := m.Dim()
	const batch = 1000
	for lo := 0; lo < n; lo += batch {
		hi := min(lo+batch, n)
		for _, v := range m.Energies(x[lo*D:hi*D], hi-lo, nil) {
			e = append(e, float64(v))
		}
	}
	var st energyStats
	lo := math.Inf(1)
	for _, v := range e {
		st.Mean += v / float64(n)
		lo = math.Min(lo, v)
	}
	var sw, sw2 float64
	for _, v := range e {
		st.Std += (v - st.Mean) * (v - st.Mean) / float64(n)
		w := math.Exp(-beta * (v - lo))
		sw += w
		sw2 += w * w
	}
	st.Std = math.Sqrt(st.Std)
	st.ESS = sw * sw / (float64(n) * sw2)
	return st
}

// evalData returns n fresh rows of the data to compare with: new draws for a
// toy (a stream the trainer never uses), the test split otherwise (MNIST's
// 10000 test images; a file's held-out 10%).
func evalData(ds data.Spec, n int, seed uint64, mnistDir string, m *model.GEBM) (fresh []float32, toy data.Toy, norm data.Normalization, err error) {
	if ds.Kind == data.SpecToy {
		fresh = make([]float32, n*ds.Toy.Dim())
		ds.Toy.Sample(rand.New(rand.NewPCG(seed, 0x66726573)), fresh)
		return fresh, ds.Toy, data.Identity(), nil
	}
	// For a .npy/.csv file, the held-out rows are those gebm train held out:
	// the same split (its default test fraction, 0.1, with the model's
	// training seed), so that no training row is used as fresh data when the
	// model was trained on this file with the default --test-fraction.
	_, test, err := data.Load(ds, data.LoadOptions{Seed: m.Training.Seed, TestFraction: 0.1, MNISTDir: mnistDir})
	if err != nil {
		return nil, nil, norm, err
	}
	if test.Dim != m.Dim() {
		return nil, nil, norm, fmt.Errorf("data %s has dimension %d, the model generates dimension %d (trained on %s)", ds.Name, test.Dim, m.Dim(), m.Data.Name)
	}
	rows := min(n, test.Rows())
	if rows < 4 {
		return nil, nil, norm, fmt.Errorf("data %s: only %d test rows", ds.Name, test.Rows())
	}
	// An evenly spaced subset, deterministic.
	fresh = make([]float32, 0, rows*test.Dim)
	for i := 0; i < rows; i++ {
		fresh = append(fresh, test.Row(i*test.Rows()/rows)...)
	}
	return fresh, nil, test.Norm, nil
}

func featureMetrics(clf *classifier.Classifier, fresh, x []float32, n int, dst *setMetrics) error {
	k := clf.FeatureDim()
	fd := clf.Embed(fresh, len(fresh)/clf.Info.Dim, nil)
	fx := clf.Embed(x, n, nil)
	fid, err := metrics.FID(fd, fx, k)
	if err != nil {
		return err
	}
	kid, err := metrics.KID(fd, fx, k)
	if err != nil {
		return err
	}
	dst.FID, dst.KID = &fid, &kid
	return nil
}

func printEval(w io.Writer, r evalReport, sf samplerFlags, clf *classifier.Classifier) {
	fmt.Fprintf(w, "model %s on %s: %d samples per set, seed %d\n", r.Model, r.Data, r.N, r.Seed)
	fmt.Fprintf(w, "GEBM = latent %s\n\n", sf.String())
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "metric\tgenerator\tGEBM\tbetter\t")
	row := func(name string, g, e float64, higher bool, format string) {
		better := "GEBM"
		switch {
		case g == e:
			better = "tie"
		case (e > g) != higher:
			better = "generator"
		}
		fmt.Fprintf(tw, "%s\t"+format+"\t"+format+"\t%s\t\n", name, g, e, better)
	}
	g, e := r.Generator, r.GEBM
	if g.Modes != nil {
		row(fmt.Sprintf("modes covered (of %d)", g.Modes.Total), float64(g.Modes.Covered), float64(e.Modes.Covered), true, "%.0f")
		row("high-quality samples (%)", 100*g.Modes.HighQuality, 100*e.Modes.HighQuality, true, "%.1f")
	}
	if g.FID == nil {
		row(fmt.Sprintf("MMD² (σ=%.3g)", g.Bandwidth), g.MMD2, e.MMD2, false, "%.5f")
	}
	if g.NLL != nil {
		row("NLL under data density (nats)", *g.NLL, *e.NLL, false, "%.2f")
	}
	if g.KALE != nil {
		row("KALE(data‖samples), RKHS", *g.KALE, *e.KALE, false, "%.5f")
	}
	if g.FID != nil {
		row("FID on gebm's MNIST-classifier features", *g.FID, *e.FID, false, "%.3f")
		row("KID on gebm's MNIST-classifier features", *g.KID, *e.KID, false, "%.5f")
	}
	tw.Flush()
	fmt.Fprintf(w, "\nenergy on generator samples: std %.3g; importance-weight ESS at β=%g: %.1f%% of n\n", r.Energy.Std, sf.beta, 100*r.Energy.ESS)
	if r.RelFID != nil {
		fmt.Fprintf(w, "\nrelative FID(GEBM)/FID(generator) = %.3f (%s)\n", *r.RelFID,
			map[bool]string{true: "the GEBM is better", false: "the GEBM is not better"}[*r.RelFID < 1])
	}
	if clf != nil {
		fmt.Fprintf(w, "features: %s (classifier test accuracy %.2f%%, %d-dim penultimate layer); not Inception FID\n",
			*r.Classifier, 100*clf.Info.TestAccuracy, clf.FeatureDim())
	}
}
