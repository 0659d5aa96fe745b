package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/gebm/gebm/native/classifier"
	"github.com/gebm/gebm/shared/data"
	"github.com/gebm/gebm/shared/metrics"
	"github.com/gebm/gebm/shared/model"
	"github.com/gebm/gebm/www"
)

func init() {
	commands["eval"] = command{"measure a model's samples against data: generator alone, GEBM at β=1 (SIR, and the generator's samples importance-weighted) and tempered GEBM (latent MCMC)", runEval}
}

// evalReport is eval's JSON output.
type evalReport struct {
	Model string `json:"model"`
	Data  string `json:"data"`
	N     int    `json:"n"`
	Seed  uint64 `json:"seed"`
	// TestOffset is --test-offset: the first of a test split's evenly
	// spaced rows.
	TestOffset int         `json:"test_offset"`
	Sampler    samplerJSON `json:"sampler"`
	Accept     float64     `json:"accept_rate"`
	StepSize   float64     `json:"step_size"`
	Generator  setMetrics  `json:"generator"`
	// GEBM is the tempered model, at the sampler's β, sampled by latent
	// MCMC; GEBMSIR the model itself, at β = 1, sampled by SIR.
	GEBM    setMetrics `json:"gebm"`
	GEBMSIR setMetrics `json:"gebm_beta1_sir"`
	// GEBMIS is the model itself as the generator's own samples (the
	// first ISSamples of them) weighted by exp(−E): on the same samples
	// as the generator column, so that their difference is the energy's
	// effect alone, without the noise of a second sample set.
	GEBMIS    setMetrics `json:"gebm_beta1_is"`
	ISSamples int        `json:"is_samples"`
	// ISESS is the ESS fraction (Σw)²/(n Σw²) of those weights.
	ISESS float64   `json:"is_ess_fraction"`
	SIR   sirReport `json:"sir"`
	// SubsetN samples of each set (the first), against SubsetData data
	// rows, give MMD² and KID; KALE takes the first --kale-points of those.
	// The other measures use all N samples.
	SubsetN    int      `json:"mmd_kid_samples"`
	SubsetData int      `json:"mmd_kid_data_rows"`
	Classifier *string  `json:"classifier,omitempty"`
	RelFID     *float64 `json:"relative_fid,omitempty"`
	RelFIDSIR  *float64 `json:"relative_fid_sir,omitempty"`
	RelFIDIS   *float64 `json:"relative_fid_is,omitempty"`
	// RelFIDISMatched is 1 + (FID(IS) − its shuffles' mean)/FID(generator):
	// the IS column's relative FID with the weights' small-sample bias
	// taken out (metrics.WeightShuffle).
	RelFIDISMatched *float64 `json:"relative_fid_is_bias_matched,omitempty"`
	// Energy describes E on the generator's samples: how far the GEBM can
	// move away from its generator at this β.
	Energy energyStats `json:"energy_on_generator"`
	// Likelihood is there when the base is a flow (gebm train --base realnvp).
	Likelihood *likelihoodReport `json:"likelihood,omitempty"`
	Seconds    float64           `json:"seconds"`
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

// sirReport describes the SIR draw of the β = 1 column: its pool and the
// importance weights exp(−E(B(z))) of the pool's generator samples.
type sirReport struct {
	Beta          float64 `json:"beta"`
	PoolPerSample int     `json:"pool_per_sample"`
	Pool          int     `json:"pool"`
	// ESS is (Σw)²/Σw² over the pool; ESSFraction is ESS/pool.
	ESS         float64 `json:"ess"`
	ESSFraction float64 `json:"ess_fraction"`
	Distinct    int     `json:"distinct_samples"`
	ZeroWeight  int     `json:"zero_weight"`
	// LogMeanWeight is log((1/pool) Σw), an estimate of log Z =
	// log E_z[exp(−E(B(z)))], which the model's A also estimates.
	LogMeanWeight float64 `json:"log_mean_weight"`
	ModelA        float64 `json:"model_a"`
}

// setMetrics are the measures of one sample set.
type setMetrics struct {
	metrics.ToyReport
	// FID and KID on the features of gebm's MNIST classifier.
	FID *float64 `json:"fid_classifier_features,omitempty"`
	KID *float64 `json:"kid_classifier_features,omitempty"`
	// KIDStdErr is KID's delete-one jackknife standard error
	// (metrics.KID).
	KIDStdErr *float64 `json:"kid_classifier_features_stderr,omitempty"`
	// FIDShuffled, in the β=1 (IS) column only, is its FID's permutation
	// control: the FIDs of the same samples under the same weights
	// shuffled, which share the weighted FID's small-sample bias.
	FIDShuffled *metrics.WeightShuffle `json:"fid_weights_shuffled,omitempty"`
	// KIDShuffled, in the β=1 (IS) column only, is its KID's permutation
	// control; the shuffles' mean tends to the generator's KID, and their
	// spread is the weighted KID's noise under uninformative weights.
	KIDShuffled *metrics.WeightShuffle `json:"kid_weights_shuffled,omitempty"`
}

// omitInfiniteNLL drops an infinite NLL from the JSON report, which JSON
// numbers cannot hold: outside_support, the fraction of samples where the
// data's density is zero, then says why it is infinite.
func (m *setMetrics) omitInfiniteNLL() {
	if m.NLL != nil && math.IsInf(*m.NLL, 0) {
		m.NLL = nil
	}
}

func runEval(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("eval", stderr)
	modelPath := fs.String("model", "", "model file (model.gebm from gebm train)")
	spec := fs.String("data", "", "data to compare with: a toy name, mnist, a .npy/.csv/.bin file or a folder of images (its test split, resampled to the model's --image-size)")
	var sf samplerFlags
	sf.register(fs)
	n := fs.Int("n", 2000, "samples per set (generator, GEBM); against a test split, n of its rows, evenly spaced, the same for every --seed; the chains run in batches, so memory does not grow with it")
	seed := fs.Uint64("seed", 1, "random seed of the samples (and of a toy's fresh draws; not of a test split's rows, see --test-offset)")
	testOffset := fs.Int("test-offset", 0, "with --n below a test split's N rows, use rows i·N/n + offset (0 ≤ offset < N/n): offsets 0..N/n−1 are disjoint parts of the split (MNIST at --n 2000: 0..4)")
	clfPath := fs.String("classifier", "", "classifier file for FID/KID on MNIST (gebm train-classifier; default: the one bundled in gebm, "+www.MNISTClassifierFile+")")
	mmdPoints := fs.Int("mmd-points", defaultMMDPoints, fmt.Sprintf("samples per set for MMD² and KID (the first of each set, against as many data rows; cost grows as the square; at most %d)", maxMMDPoints))
	kalePoints := fs.Int("kale-points", 500, "points per set for the exact RKHS KALE (cost grows as the cube); 0 skips it")
	mnistDir := fs.String("mnist-dir", "", "directory of the MNIST .gz files (default: found in the Go module cache)")
	asJSON := fs.Bool("json", false, "print JSON instead of a table")
	quiet := fs.Bool("quiet", false, "no progress output")
	nllRows := fs.Int("nll-rows", 10000, "for a model whose base is a flow: fresh rows of a toy set for the test log-likelihood (a file's test split is used as a whole, up to --n rows)")
	logZSamples := fs.Int("logz-samples", 100000, "for a model whose base is a flow: flow samples of the importance-sampling estimate of log Z")
	if err := parse(fs, args); err != nil {
		return err
	}
	cfg, kind, err := sf.config()
	if err != nil {
		return err
	}
	switch kind {
	case kindNone:
		return errors.New("--sampler none: eval always measures the generator alone; give the MCMC sampler for the tempered GEBM")
	case kindSIR:
		return errors.New("--sampler sir: eval always measures the GEBM at β=1 by SIR (--sir-pool × --n generator samples); --sampler chooses the latent MCMC of the tempered column (ula, mala, hmc, kla, mh, imh)")
	}
	if *n < 10 || *n > 1_000_000 {
		return fmt.Errorf("--n %d must be in 10..1000000", *n)
	}
	sir := sirSampler{beta: 1, poolPer: sf.sirPool}
	pool, err := sir.pool(*n)
	if err != nil {
		return err
	}
	if *mmdPoints < 10 || *mmdPoints > maxMMDPoints {
		return fmt.Errorf("--mmd-points %d must be in 10..%d (MMD² and KID evaluate a kernel on every pair of points)", *mmdPoints, maxMMDPoints)
	}
	if *testOffset < 0 {
		return fmt.Errorf("--test-offset %d must be >= 0", *testOffset)
	}
	if *kalePoints < 0 {
		return fmt.Errorf("--kale-points %d must be >= 0", *kalePoints)
	}
	if *nllRows < 10 || *nllRows > 10_000_000 || *logZSamples < 100 || *logZSamples > 100_000_000 {
		return fmt.Errorf("--nll-rows %d must be in 10..1e7 and --logz-samples %d in 100..1e8", *nllRows, *logZSamples)
	}
	if *spec == "" {
		return errors.New("--data is required (a toy name, mnist, a .npy/.csv/.bin file or a folder of images)")
	}
	ds, err := data.ParseSpec(*spec)
	if err != nil {
		return err
	}
	if ds.Kind == data.SpecToy && *testOffset != 0 {
		return fmt.Errorf("--test-offset %d: %s has no test split; its rows are fresh draws, which --seed changes", *testOffset, *spec)
	}
	m, err := loadModel(*modelPath)
	if err != nil {
		return err
	}
	D := m.Dim()
	imageSize, err := recordedImageSize(m)
	if err != nil {
		return err
	}
	// Check the data's dimension before loading anything large.
	mnistDim := data.MNISTDim
	if imageSize > 0 {
		mnistDim = imageSize * imageSize
	}
	if ds.Kind == data.SpecToy && ds.Toy.Dim() != D || ds.Kind == data.SpecMNIST && mnistDim != D {
		dim := mnistDim
		if ds.Kind == data.SpecToy {
			dim = ds.Toy.Dim()
		}
		return fmt.Errorf("data %s has dimension %d, the model %s generates dimension %d (trained on %s)", *spec, dim, *modelPath, D, m.Data.Name)
	}
	var clf *classifier.Classifier
	clfName := "bundled " + www.MNISTClassifierFile
	if *clfPath != "" {
		clfName = *clfPath
	}
	if ds.Kind == data.SpecMNIST {
		if clf, err = loadClassifier(*clfPath); err != nil {
			return err
		}
		if clf.Info.Dim != D {
			return fmt.Errorf("classifier %s takes dimension %d, the model generates %d", clfName, clf.Info.Dim, D)
		}
	}
	start := time.Now()
	keep := min(*n, *mmdPoints)
	fresh, toy, norm, err := evalData(ds, *n, keep, *testOffset, *seed, *mnistDir, m)
	if err != nil {
		return err
	}
	var lik *likelihoodReport
	if m.IsFlow() {
		rows := fresh
		if toy != nil {
			rows = make([]float32, *nllRows*D)
			toy.Sample(rand.New(rand.NewPCG(*seed, 0x6e6c6c)), rows)
		}
		if lik, err = flowLikelihood(m, rows, norm, toy, *logZSamples, rand.New(rand.NewPCG(*seed, 0x6c6f675a))); err != nil {
			return err
		}
	}
	freshSub := spread(fresh, D, keep, 0)
	dataRows, subRows := len(fresh)/D, len(freshSub)/D
	if clf != nil {
		fresh = clf.Embed(fresh, dataRows, nil)
		freshSub = clf.Embed(freshSub, subRows, nil)
	}
	sir.m = m
	var sets [3]*setTally // the generator's, the tempered GEBM's (MCMC), the GEBM's at β = 1 (SIR)
	for i := range sets {
		if sets[i], err = newSetTally(D, keep, toy, norm, clf); err != nil {
			return err
		}
	}
	energy := energyTally{m: m, beta: sf.beta, keep: keep}
	ls := latentSampler{m: m, cfg: cfg, beta: sf.beta}
	show := bar(stderr, sf.steps*ls.batches(*n), "step", *quiet)
	rng := rand.New(rand.NewPCG(*seed, 0x6576616c))
	acc, err := ls.run(*n, rng, func(step int) { show(step, "") }, func(_, rows int, gen, gebm []float32) error {
		energy.add(gen, rows)
		if err := sets[0].add(gen, rows); err != nil {
			return err
		}
		return sets[1].add(gebm, rows)
	})
	if err != nil {
		return err
	}
	// The model itself by SIR, from a stream of its own: the MCMC columns'
	// samples are those of earlier versions of eval.
	showSIR := bar(stderr, pool, "pool sample", *quiet)
	sirRng := rand.New(rand.NewPCG(*seed, 0x73697231))
	sst, err := sir.run(*n, sirRng, func(done int) { showSIR(done, "") }, func(_, rows int, x []float32) error {
		return sets[2].add(x, rows)
	})
	if err != nil {
		return err
	}
	rep := evalReport{Model: *modelPath, Data: *spec, N: *n, Seed: *seed, TestOffset: *testOffset,
		Sampler: samplerJSON{Method: string(cfg.Method), Beta: sf.beta, Steps: sf.steps, Warmup: sf.warmup, StepSize: sf.stepSize,
			Leapfrog: sf.leapfrog, Friction: sf.friction, Jitter: cfg.Jitter},
		Accept: acc.mean(), StepSize: acc.stepSize(), Energy: energy.stats(), SubsetN: keep, SubsetData: subRows,
		SIR: sirReport{Beta: sir.beta, PoolPerSample: sir.poolPer, Pool: sst.Pool, ESS: sst.ESS, ESSFraction: sst.ESSFraction(),
			Distinct: sst.Distinct, ZeroWeight: sst.Zero, LogMeanWeight: sst.LogMeanWeight(), ModelA: m.A}}
	o := metrics.ToyOptions{KALEPoints: *kalePoints}
	if *kalePoints == 0 {
		o.KALEPoints = -1
	}
	for i, dst := range []*setMetrics{&rep.Generator, &rep.GEBM, &rep.GEBMSIR} {
		if *dst, err = sets[i].report(fresh, freshSub, o); err != nil {
			return err
		}
	}
	w := energyWeights(energy.first)
	rep.ISSamples, rep.ISESS = len(w), essFraction(w)
	shuffleRng := rand.New(rand.NewPCG(*seed, 0x73687566))
	if rep.GEBMIS, err = sets[0].reportWeighted(fresh, freshSub, w, o, shuffleRng); err != nil {
		return fmt.Errorf("the β=1 column by importance weights: %w", err)
	}
	if clf != nil {
		rep.Classifier = &clfName
		if *rep.Generator.FID > 0 {
			r, rs, ri := *rep.GEBM.FID / *rep.Generator.FID, *rep.GEBMSIR.FID / *rep.Generator.FID, *rep.GEBMIS.FID / *rep.Generator.FID
			rep.RelFID, rep.RelFIDSIR, rep.RelFIDIS = &r, &rs, &ri
			m := 1 + (*rep.GEBMIS.FID-rep.GEBMIS.FIDShuffled.Mean) / *rep.Generator.FID
			rep.RelFIDISMatched = &m
		}
	}
	rep.Likelihood = lik
	rep.Seconds = time.Since(start).Seconds()
	if *asJSON {
		for _, m := range []*setMetrics{&rep.Generator, &rep.GEBMSIR, &rep.GEBMIS, &rep.GEBM} {
			m.omitInfiniteNLL()
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	printEval(stdout, rep, sf, clf, dataRows, *kalePoints)
	fmt.Fprintf(stdout, "%s: %s\n", sf.String(), &acc)
	fmt.Fprintln(stdout, sirSummary(sst, *n, sir))
	if lik != nil {
		printLikelihood(stdout, lik)
	}
	return nil
}

// MMD² and KID evaluate a kernel on every pair of points: with
// defaultMMDPoints samples per set that takes seconds, with maxMMDPoints a
// hundred times as long.
const (
	defaultMMDPoints = 10000
	maxMMDPoints     = 100000
)

// spread returns at most k rows of x (dim columns), evenly spaced over all
// of them, rows i·n/k + offset of its n: x itself when it has no more than
// k. offset must be below n/k (then no row is past the end; offsets
// 0..n/k−1 pick disjoint rows), and 0 when n ≤ k.
func spread(x []float32, dim, k, offset int) []float32 {
	n := len(x) / dim
	if n <= k {
		return x
	}
	out := make([]float32, 0, k*dim)
	for i := 0; i < k; i++ {
		r := i*n/k + offset
		out = append(out, x[r*dim:(r+1)*dim]...)
	}
	return out
}

// loadClassifier reads the classifier file at path, or, for "", the one
// bundled in gebm.
func loadClassifier(path string) (*classifier.Classifier, error) {
	if path == "" {
		c, err := classifier.Load(www.MNISTClassifier())
		if err != nil {
			return nil, fmt.Errorf("the bundled classifier %s: %w", www.MNISTClassifierFile, err)
		}
		return c, nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("FID on MNIST needs gebm's classifier (gebm train-classifier): %w", err)
	}
	c, err := classifier.Load(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}

// recordedImageSize returns the --image-size that m was trained with (0,
// the images' own size, for models trained before it was recorded).
func recordedImageSize(m *model.GEBM) (int, error) {
	v, ok := m.Training.Options["image_size"]
	if !ok {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, fmt.Errorf("the model records image_size %q: %w", v, err)
	}
	return n, nil
}

// evalData returns fresh rows of the data to compare with: for a toy, keep
// new draws (a stream the trainer never uses); otherwise at most n rows of
// the test split, evenly spaced from row offset (MNIST's 10000 test images, CIFAR-10's
// test batch; the rows of a file or folder that gebm train held out, with
// the model's recorded --test-fraction and seed, so that no training row
// counts as fresh), images resampled to the model's recorded --image-size.
func evalData(ds data.Spec, n, keep, offset int, seed uint64, mnistDir string, m *model.GEBM) (fresh []float32, toy data.Toy, norm data.Normalization, err error) {
	if ds.Kind == data.SpecToy {
		fresh = make([]float32, keep*ds.Toy.Dim())
		ds.Toy.Sample(rand.New(rand.NewPCG(seed, 0x66726573)), fresh)
		return fresh, ds.Toy, data.Identity(), nil
	}
	frac := 0.1 // what gebm train held out before --test-fraction was recorded
	if v, ok := m.Training.Options["test_fraction"]; ok {
		if frac, err = strconv.ParseFloat(v, 64); err != nil {
			return nil, nil, norm, fmt.Errorf("the model records test_fraction %q: %w", v, err)
		}
	}
	imageSize, err := recordedImageSize(m)
	if err != nil {
		return nil, nil, norm, err
	}
	_, test, err := data.Load(ds, data.LoadOptions{Seed: m.Training.Seed, TestFraction: frac, MNISTDir: mnistDir, ImageSize: imageSize})
	if err != nil {
		return nil, nil, norm, err
	}
	if test.Dim != m.Dim() {
		return nil, nil, norm, fmt.Errorf("data %s has dimension %d, the model generates dimension %d (trained on %s)", ds.Name, test.Dim, m.Dim(), m.Data.Name)
	}
	if test.Rows() < 4 {
		return nil, nil, norm, fmt.Errorf("data %s: only %d test rows (the model was trained with --test-fraction %g)", ds.Name, test.Rows(), frac)
	}
	k := min(n, test.Rows())
	if stride := test.Rows() / k; offset >= stride {
		return nil, nil, norm, fmt.Errorf("--test-offset %d: --n %d of the %d test rows of %s take one row in every %d, so the offset must be in 0..%d",
			offset, n, test.Rows(), ds.Name, stride, stride-1)
	}
	return spread(test.X[:test.Rows()*test.Dim], test.Dim, k, offset), nil, test.Norm, nil
}

// printEval prints the report as a table: the generator, the model at β = 1
// (SIR) and the model at the sampler's β (MCMC), and for each GEBM column
// whether it is better than the generator.
func printEval(w io.Writer, r evalReport, sf samplerFlags, clf *classifier.Classifier, dataRows, kalePoints int) {
	fmt.Fprintf(w, "model %s on %s: %d samples per set, seed %d", r.Model, r.Data, r.N, r.Seed)
	if r.TestOffset > 0 {
		fmt.Fprintf(w, ", test rows from offset %d", r.TestOffset)
	}
	fmt.Fprintln(w)
	sirCol, isCol := "GEBM β=1 (SIR)", "GEBM β=1 (IS)"
	fmt.Fprintf(w, "%s = the model itself, by sampling–importance–resampling: %d generator samples weighted by exp(−E), %d resampled\n",
		sirCol, r.SIR.Pool, r.N)
	which := fmt.Sprintf("the first %d of the generator column's samples", r.ISSamples)
	if r.ISSamples == r.N {
		which = "the generator column's samples"
	}
	fmt.Fprintf(w, "%s = the model itself, as %s weighted by exp(−E) (ESS %.1f%%): the same samples, so it differs from the generator by the energy alone\n",
		isCol, which, 100*r.ISESS)
	mcmcCol := fmt.Sprintf("GEBM β=%g", sf.beta)
	if sf.beta == 1 {
		mcmcCol = fmt.Sprintf("GEBM β=1 (%s)", r.Sampler.Method)
		fmt.Fprintf(w, "%s = the model itself, sampled by latent %s\n\n", mcmcCol, sf.String())
	} else {
		fmt.Fprintf(w, "%s = the model tempered to β=%g, sampled by latent %s\n\n", mcmcCol, sf.beta, sf.String())
	}
	shortBeta := func(b float64) string { return fmt.Sprintf("β=%g", b) }
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "metric\tgenerator\t%s\t%s\t%s\tbetter at %s (SIR)\tbetter at %s (IS)\tbetter at %s\t\n", sirCol, isCol, mcmcCol, shortBeta(1), shortBeta(1), shortBeta(sf.beta))
	better := func(g, e float64, higher bool) string {
		switch {
		case g == e:
			return "tie"
		case (e > g) != higher:
			return "generator"
		}
		return "GEBM"
	}
	row := func(name string, g, s, is, e float64, higher bool, format string) {
		fmt.Fprintf(tw, "%s\t"+format+"\t"+format+"\t"+format+"\t"+format+"\t%s\t%s\t%s\t\n", name, g, s, is, e,
			better(g, s, higher), better(g, is, higher), better(g, e, higher))
	}
	g, s, is, e := r.Generator, r.GEBMSIR, r.GEBMIS, r.GEBM
	if g.Modes != nil {
		row(fmt.Sprintf("modes covered (of %d)", g.Modes.Total), float64(g.Modes.Covered), float64(s.Modes.Covered), float64(is.Modes.Covered), float64(e.Modes.Covered), true, "%.0f")
		row("high-quality samples (%)", 100*g.Modes.HighQuality, 100*s.Modes.HighQuality, 100*is.Modes.HighQuality, 100*e.Modes.HighQuality, true, "%.1f")
	}
	if g.FID == nil {
		row(fmt.Sprintf("MMD² (σ=%.3g)", g.Bandwidth), g.MMD2, s.MMD2, is.MMD2, e.MMD2, false, "%.5f")
	}
	if g.NLL != nil {
		row("NLL under data density (nats)", *g.NLL, *s.NLL, *is.NLL, *e.NLL, false, "%.2f")
		if g.OutsideSupport != nil || s.OutsideSupport != nil || is.OutsideSupport != nil || e.OutsideSupport != nil {
			pct := func(f *float64) float64 {
				if f == nil {
					return 0
				}
				return 100 * *f
			}
			row("outside the data's support (%)", pct(g.OutsideSupport), pct(s.OutsideSupport), pct(is.OutsideSupport), pct(e.OutsideSupport), false, "%.2f")
		}
	}
	if g.KALE != nil {
		row("KALE(data‖samples), RKHS", *g.KALE, *s.KALE, *is.KALE, *e.KALE, false, "%.5f")
	}
	if g.FID != nil {
		// The IS column's verdict is against its permutation control, which
		// has its small-sample bias, not against the generator's FID.
		fmt.Fprintf(tw, "FID on gebm's MNIST-classifier features\t%.3f\t%.3f\t%.3f\t%.3f\t%s\t%s\t%s\t\n", *g.FID, *s.FID, *is.FID, *e.FID,
			better(*g.FID, *s.FID, false), better(is.FIDShuffled.Mean, *is.FID, false), better(*g.FID, *e.FID, false))
		fmt.Fprintf(tw, "KID on gebm's MNIST-classifier features\t%.5f ± %.5f\t%.5f ± %.5f\t%.5f ± %.5f\t%.5f ± %.5f\t%s\t%s\t%s\t\n",
			*g.KID, *g.KIDStdErr, *s.KID, *s.KIDStdErr, *is.KID, *is.KIDStdErr, *e.KID, *e.KIDStdErr,
			better(*g.KID, *s.KID, false), better(*g.KID, *is.KID, false), better(*g.KID, *e.KID, false))
	}
	tw.Flush()
	fmt.Fprintln(w)
	if g.FID == nil {
		fmt.Fprintf(w, "MMD² on the first %d samples of each set against %d data rows (--mmd-points)", r.SubsetN, r.SubsetData)
		if g.KALE != nil {
			fmt.Fprintf(w, ", KALE on the first %d of those (--kale-points)", min(kalePoints, r.SubsetN, r.SubsetData))
		}
		fmt.Fprintln(w)
	} else {
		fmt.Fprintf(w, "FID on all %d samples of each set against %d test images; KID on the first %d samples against %d of those (--mmd-points),\n"+
			"  the unbiased MMD² with kernel (aᵀb/dim + 1)³ ± its jackknife standard error\n",
			r.N, dataRows, r.SubsetN, r.SubsetData)
	}
	if c := is.FIDShuffled; c != nil {
		fmt.Fprintf(w, "FID at β=1 (IS) against its weights shuffled over the same samples (%d shuffles: the same ESS, so the same\n"+
			"  small-sample bias, but no knowledge of the samples): %.3f against %.3f ± %.3f; %d of %d shuffles do as well (p = %.3f)\n",
			c.Shuffles, *is.FID, c.Mean, c.Std, c.AtMost, c.Shuffles, c.P)
	}
	if c := is.KIDShuffled; c != nil {
		fmt.Fprintf(w, "KID at β=1 (IS) against its weights shuffled over the same samples (%d shuffles, whose mean tends to the\n"+
			"  generator's KID): %.5f against %.5f ± %.5f; %d of %d shuffles do as well (p = %.3f)\n",
			c.Shuffles, *is.KID, c.Mean, c.Std, c.AtMost, c.Shuffles, c.P)
	}
	fmt.Fprintf(w, "energy on the %d generator samples: std %.3g; importance-weight ESS at β=%g: %.1f%% of n\n", r.N, r.Energy.Std, sf.beta, 100*r.Energy.ESS)
	verdict := map[bool]string{true: "the GEBM is better", false: "the GEBM is not better"}
	if r.RelFID != nil {
		fmt.Fprintf(w, "\nrelative FID(GEBM)/FID(generator): %.3f at β=1 (SIR, %s), %.3f at β=1 (IS; %.3f with the shuffles' bias taken out, %s),\n"+
			"  %.3f at β=%g (%s)\n",
			*r.RelFIDSIR, verdict[*r.RelFIDSIR < 1], *r.RelFIDIS, *r.RelFIDISMatched, verdict[*r.RelFIDISMatched < 1], *r.RelFID, sf.beta, verdict[*r.RelFID < 1])
	}
	if clf != nil {
		fmt.Fprintf(w, "features: %s (classifier test accuracy %.2f%%, %d-dim penultimate layer); not Inception FID\n",
			*r.Classifier, 100*clf.Info.TestAccuracy, clf.FeatureDim())
	}
}
