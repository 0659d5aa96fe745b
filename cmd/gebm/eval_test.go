package main

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gebm/gebm/native/classifier"
	"github.com/gebm/gebm/shared/data"
	"github.com/gebm/gebm/shared/testenv"
)

// evalTableAndJSON runs gebm with args (an eval command line) twice: the
// table must contain every one of want, and with --json the output must
// decode into an evalReport, which it returns.
func evalTableAndJSON(t *testing.T, args []string, want ...string) evalReport {
	t.Helper()
	code, stdout, errOut := gebm(t, args...)
	if code != 0 {
		t.Fatal(errOut)
	}
	for _, w := range want {
		if !strings.Contains(stdout, w) {
			t.Errorf("table lacks %q:\n%s", w, stdout)
		}
	}
	code, stdout, errOut = gebm(t, append(args, "--json")...)
	if code != 0 {
		t.Fatal(errOut)
	}
	var r evalReport
	if err := json.Unmarshal([]byte(stdout), &r); err != nil {
		t.Fatalf("JSON: %v\n%s", err, stdout)
	}
	return r
}

// TestEvalToyTable evaluates an untrained 2-D model on 8gaussians: every
// 2-D measure appears in the table and in the JSON, for both sets.
func TestEvalToyTable(t *testing.T) {
	dir := t.TempDir()
	m := writeModel(t, dir, "m.gebm", 2, nil)
	args := []string{"eval", "--model", m, "--data", "8gaussians", "--n", "200", "--steps", "5", "--warmup", "5",
		"--kale-points", "100", "--quiet"}
	r := evalTableAndJSON(t, args, "modes covered (of 8)", "high-quality samples (%)", "MMD²", "NLL under data density",
		"KALE(data‖samples)", "generator", "GEBM β=1 (SIR)", "GEBM β=1 (IS)", "GEBM β=100", "better at β=1 (SIR)",
		"better at β=1 (IS)", "better at β=100", "acceptance rate", "mala β=100",
		"SIR at β=1: pool 20×200 = 4000 generator samples, importance-weight ESS", "the generator column's samples weighted by exp(−E)")
	for _, s := range []setMetrics{r.Generator, r.GEBM, r.GEBMSIR, r.GEBMIS} {
		if s.Modes == nil || s.Modes.Total != 8 || s.NLL == nil || s.KALE == nil || s.Bandwidth <= 0 {
			t.Errorf("JSON set %+v", s)
		}
	}
	if sr := r.SIR; sr.Beta != 1 || sr.Pool != 4000 || sr.PoolPerSample != 20 || !(sr.ESS >= 1 && sr.ESS <= 4000) ||
		sr.ESSFraction != sr.ESS/4000 || sr.Distinct < 1 || sr.Distinct > 200 || math.IsNaN(sr.LogMeanWeight) {
		t.Errorf("JSON SIR %+v", sr)
	}
	if *r.GEBMSIR.NLL == *r.Generator.NLL || *r.GEBMSIR.NLL == *r.GEBM.NLL {
		t.Errorf("the SIR column's NLL %v repeats another column's (generator %v, MCMC %v)", *r.GEBMSIR.NLL, *r.Generator.NLL, *r.GEBM.NLL)
	}
	if r.ISSamples != 200 || !(r.ISESS > 0 && r.ISESS < 1) || *r.GEBMIS.NLL == *r.Generator.NLL {
		t.Errorf("the IS column: %d samples, ESS %v, NLL %v (generator %v)", r.ISSamples, r.ISESS, *r.GEBMIS.NLL, *r.Generator.NLL)
	}
	if r.Sampler.Method != "mala" || r.N != 200 || r.Accept <= 0 || r.RelFID != nil {
		t.Errorf("JSON %+v", r)
	}
	if !(r.Energy.ESS > 0 && r.Energy.ESS <= 1) || !(r.Energy.Std > 0) {
		t.Errorf("energy diagnostics %+v", r.Energy)
	}
}

// TestEvalBoundedSupport: on the checkerboard, whose density is zero off its
// squares, an untrained model puts samples outside the support: the table
// shows NLL +Inf and the fraction outside, and the JSON (which has no +Inf)
// leaves nll out and gives outside_support, the same fraction, in (0, 1].
func TestEvalBoundedSupport(t *testing.T) {
	m := writeModel(t, t.TempDir(), "m.gebm", 2, nil)
	args := []string{"eval", "--model", m, "--data", "checkerboard", "--n", "200", "--steps", "2", "--kale-points", "50", "--quiet"}
	r := evalTableAndJSON(t, args, "+Inf", "outside the data's support (%)")
	for name, s := range map[string]setMetrics{"generator": r.Generator, "gebm": r.GEBM, "sir": r.GEBMSIR} {
		if s.NLL != nil || s.OutsideSupport == nil || !(*s.OutsideSupport > 0 && *s.OutsideSupport <= 1) {
			t.Errorf("%s: nll %v, outside_support %v; want no nll and a fraction in (0, 1]", name, s.NLL, s.OutsideSupport)
		}
	}
}

// TestEvalManyBatches: with more samples than a batch of chains, the
// mode counts see every sample (the minimum count per mode grows with n),
// while MMD² and KALE use the subsample --mmd-points, which the table and the
// JSON report.
func TestEvalManyBatches(t *testing.T) {
	m := writeModel(t, t.TempDir(), "m.gebm", 2, nil)
	args := []string{"eval", "--model", m, "--data", "8gaussians", "--n", "4100", "--steps", "2", "--mmd-points", "1000",
		"--kale-points", "100", "--quiet"}
	code, stdout, errOut := gebm(t, args...)
	if code != 0 || !strings.Contains(stdout, "MMD² on the first 1000 samples of each set against 1000 data rows") ||
		!strings.Contains(stdout, "KALE on the first 100") {
		t.Fatalf("code %d, %s\n%s", code, errOut, stdout)
	}
	code, stdout, errOut = gebm(t, append(args, "--json")...)
	if code != 0 {
		t.Fatal(errOut)
	}
	var r evalReport
	if err := json.Unmarshal([]byte(stdout), &r); err != nil {
		t.Fatal(err)
	}
	// A mode is covered with ⌈0.2 · n / 8⌉ high-quality samples: 103 for n = 4100.
	if r.SubsetN != 1000 || r.SubsetData != 1000 || r.GEBM.Modes == nil || r.GEBM.Modes.MinCounts[0] != 103 {
		t.Fatalf("JSON %+v", r)
	}
}

// TestEnergyTallyBatches: the energy statistics merged over batches agree
// with those of one batch (to rounding), at a β where the importance weights
// span many orders of magnitude.
func TestEnergyTallyBatches(t *testing.T) {
	m, err := loadModel(writeModel(t, t.TempDir(), "m.gebm", 2, nil))
	if err != nil {
		t.Fatal(err)
	}
	const n = 2500
	x := make([]float32, 2*n)
	for i := range x {
		x[i] = float32(i%101)/10 - 5
	}
	whole := energyOnSamples(m, x, n, 30)
	tally := energyTally{m: m, beta: 30}
	for _, cut := range [][2]int{{0, 1}, {1, 1300}, {1300, n}} {
		tally.add(x[2*cut[0]:2*cut[1]], cut[1]-cut[0])
	}
	got := tally.stats()
	near := func(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(math.Abs(a), math.Abs(b)) }
	if !near(got.Mean, whole.Mean) || !near(got.Std, whole.Std) || !near(got.ESS, whole.ESS) || !(whole.ESS < 0.5) {
		t.Fatalf("batched %+v, whole %+v", got, whole)
	}
}

// TestEnergyTallyKeepsFirst: the tally keeps the energies of the first keep
// samples, in order, across batches: the weights of the IS column line up
// with the generator's samples that setTally keeps.
func TestEnergyTallyKeepsFirst(t *testing.T) {
	m, err := loadModel(writeModel(t, t.TempDir(), "m.gebm", 2, nil))
	if err != nil {
		t.Fatal(err)
	}
	const n, keep = 2500, 1700
	x := make([]float32, 2*n)
	for i := range x {
		x[i] = float32(i%101)/10 - 5
	}
	want := m.Energies(x[:2*keep], keep, nil)
	tally := energyTally{m: m, beta: 1, keep: keep}
	for _, cut := range [][2]int{{0, 1}, {1, 1300}, {1300, n}} {
		tally.add(x[2*cut[0]:2*cut[1]], cut[1]-cut[0])
	}
	if len(tally.first) != keep {
		t.Fatalf("kept %d energies, want %d", len(tally.first), keep)
	}
	for i, v := range want {
		if tally.first[i] != float64(v) {
			t.Fatalf("energy %d: kept %v, want %v", i, tally.first[i], v)
		}
	}
}

// TestEvalFlatEnergy: with an energy that is zero everywhere the GEBM is its
// generator, so the IS column (the generator's samples, weights all 1) must
// read as the generator column, to rounding, and its ESS is 1.
func TestEvalFlatEnergy(t *testing.T) {
	dir := t.TempDir()
	mf, err := loadModel(writeModel(t, dir, "m.gebm", 2, nil))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range mf.Energy.Params() {
		clear(p.Value)
	}
	b, err := mf.Encode()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "flat.gebm")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	r := evalTableAndJSON(t, []string{"eval", "--model", path, "--data", "25gaussians", "--n", "300", "--steps", "2",
		"--kale-points", "120", "--quiet"})
	g, is := r.Generator, r.GEBMIS
	near := func(a, b float64) bool { return math.Abs(a-b) <= 1e-9*(1e-6+math.Abs(a)) }
	if r.ISESS != 1 || !near(is.MMD2, g.MMD2) || !near(*is.KALE, *g.KALE) || !near(*is.NLL, *g.NLL) ||
		!near(is.Modes.HighQuality, g.Modes.HighQuality) || is.Modes.Covered != g.Modes.Covered {
		t.Errorf("flat energy: IS column %+v (ESS %v), generator %+v", is.ToyReport, r.ISESS, g.ToyReport)
	}
}

// TestEnergyOnSamples: at β = 0 the importance weights are equal (ESS = n);
// they concentrate as β grows.
func TestEnergyOnSamples(t *testing.T) {
	m, err := loadModel(writeModel(t, t.TempDir(), "m.gebm", 2, nil))
	if err != nil {
		t.Fatal(err)
	}
	const n = 500
	x := make([]float32, 2*n)
	for i := range x {
		x[i] = float32(i%37) / 5
	}
	prev := 2.0
	for _, beta := range []float64{0, 1, 10, 100} {
		st := energyOnSamples(m, x, n, beta)
		if beta == 0 && math.Abs(st.ESS-1) > 1e-12 || st.ESS > prev || st.ESS <= 0 {
			t.Errorf("β=%g: ESS %v (previous %v)", beta, st.ESS, prev)
		}
		prev = st.ESS
	}
}

// TestEvalFileData: a .csv data set has no modes or density: MMD² and KALE only.
func TestEvalFileData(t *testing.T) {
	dir := t.TempDir()
	m := writeModel(t, dir, "m.gebm", 2, nil)
	csv := filepath.Join(dir, "pts.csv")
	if code, _, errOut := gebm(t, "data", "moons", "--n", "300", "--out", csv); code != 0 {
		t.Fatal(errOut)
	}
	code, stdout, errOut := gebm(t, "eval", "--model", m, "--data", csv, "--n", "100", "--steps", "3", "--sampler", "hmc",
		"--leapfrog", "3", "--kale-points", "0", "--quiet", "--json")
	if code != 0 {
		t.Fatal(errOut)
	}
	var r evalReport
	if err := json.Unmarshal([]byte(stdout), &r); err != nil {
		t.Fatal(err)
	}
	if r.GEBM.Modes != nil || r.GEBM.NLL != nil || r.GEBM.KALE != nil || r.Sampler.Jitter == 0 || r.TestOffset != 0 {
		t.Errorf("file data: %+v", r)
	}

	// The 300 rows hold out 30 for the test split: --n 10 takes one row
	// in 3, from row 0, 1 or 2; other rows give another MMD², the same
	// samples the same generator column.
	args := []string{"eval", "--model", m, "--data", csv, "--n", "10", "--steps", "1", "--kale-points", "0", "--quiet", "--json"}
	mmd := map[float64]bool{}
	for _, off := range []string{"0", "1", "2"} {
		code, stdout, errOut := gebm(t, append(args, "--test-offset", off)...)
		if code != 0 {
			t.Fatalf("--test-offset %s: %s", off, errOut)
		}
		var r evalReport
		if err := json.Unmarshal([]byte(stdout), &r); err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(r.TestOffset) != off {
			t.Errorf("--test-offset %s: JSON test_offset %d", off, r.TestOffset)
		}
		mmd[r.Generator.MMD2] = true
	}
	if len(mmd) != 3 {
		t.Errorf("three offsets gave %d distinct generator MMD²s: %v", len(mmd), mmd)
	}
	code, _, errOut = gebm(t, append(args, "--test-offset", "3")...)
	if code == 0 || !strings.Contains(errOut, "one row in every 3, so the offset must be in 0..2") {
		t.Errorf("--test-offset 3 of stride 3: code %d, %q", code, errOut)
	}
}

// TestSpread: k evenly spaced rows from an offset, disjoint for the
// offsets below n/k; all rows when there are no more than k.
func TestSpread(t *testing.T) {
	x := make([]float32, 2*10) // 10 rows of 2, row r = (r, −r)
	for r := 0; r < 10; r++ {
		x[2*r], x[2*r+1] = float32(r), float32(-r)
	}
	rowsOf := func(v []float32) []float32 {
		var out []float32
		for i := 0; i < len(v); i += 2 {
			if v[i+1] != -v[i] {
				t.Fatalf("row %d split: %v", i/2, v)
			}
			out = append(out, v[i])
		}
		return out
	}
	for _, c := range []struct {
		k, offset int
		want      string
	}{
		{4, 0, "[0 2 5 7]"}, {4, 1, "[1 3 6 8]"}, {5, 0, "[0 2 4 6 8]"}, {5, 1, "[1 3 5 7 9]"},
		{3, 2, "[2 5 8]"}, {10, 0, "[0 1 2 3 4 5 6 7 8 9]"}, {12, 0, "[0 1 2 3 4 5 6 7 8 9]"},
	} {
		if got := fmt.Sprint(rowsOf(spread(x, 2, c.k, c.offset))); got != c.want {
			t.Errorf("spread k %d offset %d: rows %s, want %s", c.k, c.offset, got, c.want)
		}
	}
}

func TestEvalBadInput(t *testing.T) {
	dir := t.TempDir()
	m := writeModel(t, dir, "m.gebm", 2, nil)
	m3 := writeModel(t, dir, "m3.gebm", 3, nil)
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"--data", "8gaussians"}, "--model is required"},
		{[]string{"--model", m}, "--data is required"},
		{[]string{"--model", filepath.Join(dir, "none.gebm"), "--data", "8gaussians"}, "none.gebm"},
		{[]string{"--model", m3, "--data", "8gaussians"}, "dimension 2"},
		{[]string{"--model", m, "--data", "mnist"}, "dimension 784"},
		{[]string{"--model", m, "--data", "nosuch"}, "nosuch"},
		{[]string{"--model", m, "--data", "8gaussians", "--n", "-1"}, "--n"},
		{[]string{"--model", m, "--data", "8gaussians", "--sampler", "none"}, "--sampler none"},
		{[]string{"--model", m, "--data", "8gaussians", "--sampler", "sir"}, "eval always measures the GEBM at β=1 by SIR"},
		{[]string{"--model", m, "--data", "8gaussians", "--sir-pool", "0"}, "--sir-pool 0 must be in 1..10000"},
		{[]string{"--model", m, "--data", "8gaussians", "--n", "1000000", "--sir-pool", "100"}, "more than SIR's limit"},
		{[]string{"--model", m, "--data", "8gaussians", "--step-size", "NaN"}, "--step-size"},
		{[]string{"--model", m, "--data", "8gaussians", "--kale-points", "-2"}, "--kale-points"},
		{[]string{"--model", m, "--data", "8gaussians", "--mmd-points", "5"}, "--mmd-points 5"},
		{[]string{"--model", m, "--data", "8gaussians", "--mmd-points", "1000000"}, "--mmd-points 1000000"},
		{[]string{"--model", m, "--data", "8gaussians", "--test-offset", "-1"}, "--test-offset -1 must be >= 0"},
		{[]string{"--model", m, "--data", "8gaussians", "--test-offset", "1"}, "8gaussians has no test split"},
	}
	for _, c := range cases {
		code, _, errOut := gebm(t, append([]string{"eval"}, c.args...)...)
		if code == 0 || !strings.Contains(errOut, c.want) {
			t.Errorf("%v: code %d, stderr %q; want an error mentioning %q", c.args, code, errOut, c.want)
		}
	}
}

// mnistOrSkip returns the MNIST directory, or skips the test when the files
// are not in the module cache.
func mnistOrSkip(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("loads MNIST")
	}
	dir, err := data.FindMNISTDir()
	if err != nil {
		testenv.Missing(t, "MNIST not available: %v", err)
	}
	return dir
}

// TestEvalMNIST evaluates an untrained image model against MNIST with a
// small untrained classifier: FID, KID and the relative FID come out, named
// as classifier-feature measures.
func TestEvalMNIST(t *testing.T) {
	mdir := mnistOrSkip(t)
	dir := t.TempDir()
	m := writeModel(t, dir, "img.gebm", data.MNISTDim, []int{28, 28})
	c, err := classifier.New(data.MNISTDim, []int{16, 8}, 10, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		t.Fatal(err)
	}
	c.Info.Dim, c.Info.Classes = data.MNISTDim, 10
	b, err := c.Encode()
	if err != nil {
		t.Fatal(err)
	}
	clf := filepath.Join(dir, "c.clf")
	os.WriteFile(clf, b, 0o644)
	args := []string{"eval", "--model", m, "--data", "mnist", "--mnist-dir", mdir, "--classifier", clf,
		"--n", "60", "--steps", "3", "--warmup", "0", "--quiet"}
	code, stdout, errOut := gebm(t, args...)
	if code != 0 {
		t.Fatal(errOut)
	}
	for _, want := range []string{"FID on gebm's MNIST-classifier features", "KID on gebm's MNIST-classifier features",
		"relative FID(GEBM)/FID(generator)", "at β=1 (SIR", "at β=1 (IS", "not Inception FID", " ± ", "jackknife standard error",
		"FID at β=1 (IS) against its weights shuffled", "KID at β=1 (IS) against its weights shuffled", "with the shuffles' bias taken out"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("MNIST table lacks %q:\n%s", want, stdout)
		}
	}
	code, stdout, errOut = gebm(t, append(args, "--json")...)
	if code != 0 {
		t.Fatal(errOut)
	}
	var r evalReport
	if err := json.Unmarshal([]byte(stdout), &r); err != nil {
		t.Fatal(err)
	}
	if r.Generator.FID == nil || r.GEBM.KID == nil || r.RelFID == nil || *r.RelFID != *r.GEBM.FID / *r.Generator.FID ||
		r.GEBMSIR.KID == nil || r.GEBM.KIDStdErr == nil || !(*r.GEBM.KIDStdErr > 0) || r.RelFIDSIR == nil || *r.RelFIDSIR != *r.GEBMSIR.FID / *r.Generator.FID ||
		r.GEBMIS.FID == nil || r.GEBMIS.KID == nil || r.GEBMIS.KIDStdErr == nil || r.RelFIDIS == nil || *r.RelFIDIS != *r.GEBMIS.FID / *r.Generator.FID || r.ISSamples != 60 {
		t.Errorf("JSON %s", stdout)
	}
	// The IS column's FID and KID have their permutation controls, and
	// only they.
	ctl := r.GEBMIS.FIDShuffled
	if ctl == nil || ctl.Shuffles != isShuffles || !(ctl.Mean > 0) || ctl.P != float64(1+ctl.AtMost)/float64(1+ctl.Shuffles) ||
		r.RelFIDISMatched == nil || *r.RelFIDISMatched != 1 + (*r.GEBMIS.FID-ctl.Mean) / *r.Generator.FID ||
		r.Generator.FIDShuffled != nil || r.GEBMSIR.FIDShuffled != nil || r.GEBM.FIDShuffled != nil {
		t.Errorf("the IS column's control: %+v, bias-matched relative FID %v", ctl, r.RelFIDISMatched)
	}
	kc := r.GEBMIS.KIDShuffled
	if kc == nil || kc.Shuffles != isShuffles || !(kc.Std > 0) || kc.P != float64(1+kc.AtMost)/float64(1+kc.Shuffles) ||
		!(math.Abs(kc.Mean-*r.Generator.KID) < 4*kc.Std) ||
		r.Generator.KIDShuffled != nil || r.GEBMSIR.KIDShuffled != nil || r.GEBM.KIDShuffled != nil {
		t.Errorf("the IS column's KID control: %+v, generator's KID %v", kc, *r.Generator.KID)
	}
	// Other test rows, the same samples: the generator's FID changes.
	code, stdout, errOut = gebm(t, append(args, "--json", "--test-offset", "165")...)
	if code != 0 {
		t.Fatal(errOut)
	}
	var r2 evalReport
	if err := json.Unmarshal([]byte(stdout), &r2); err != nil {
		t.Fatal(err)
	}
	if r2.TestOffset != 165 || *r2.Generator.FID == *r.Generator.FID {
		t.Errorf("--test-offset 165: test_offset %d, generator FID %v as at offset 0", r2.TestOffset, *r2.Generator.FID)
	}
	code, _, errOut = gebm(t, append(args, "--test-offset", "166")...)
	if code == 0 || !strings.Contains(errOut, "one row in every 166, so the offset must be in 0..165") {
		t.Errorf("--test-offset 166 of stride 166: code %d, %q", code, errOut)
	}
	code, _, errOut = gebm(t, "eval", "--model", m, "--data", "mnist", "--classifier", filepath.Join(dir, "none.clf"))
	if code == 0 || !strings.Contains(errOut, "train-classifier") {
		t.Errorf("missing classifier: %q", errOut)
	}
}

// TestEvalBundledClassifier: without --classifier, eval uses the classifier
// bundled in gebm, wherever it runs from (the tests run in cmd/gebm, where
// www/models/ is not).
func TestEvalBundledClassifier(t *testing.T) {
	mdir := mnistOrSkip(t)
	m := writeModel(t, t.TempDir(), "img.gebm", data.MNISTDim, []int{28, 28})
	code, stdout, errOut := gebm(t, "eval", "--model", m, "--data", "mnist", "--mnist-dir", mdir, "--n", "60", "--steps", "1",
		"--quiet")
	if code != 0 || !strings.Contains(stdout, "features: bundled www/models/mnist-classifier.clf (classifier test accuracy 98.") {
		t.Fatalf("code %d, %s\n%s", code, errOut, stdout)
	}
}

// TestTrainClassifierOut: train-classifier needs --out, and --force to
// replace a file; both are checked before any training.
func TestTrainClassifierOut(t *testing.T) {
	if code, _, errOut := gebm(t, "train-classifier"); code == 0 || !strings.Contains(errOut, "--out is required") {
		t.Errorf("no --out: code %d, %q", code, errOut)
	}
	existing := filepath.Join(t.TempDir(), "c.clf")
	os.WriteFile(existing, []byte("mine"), 0o644)
	code, _, errOut := gebm(t, "train-classifier", "--out", existing)
	if b, _ := os.ReadFile(existing); code == 0 || !strings.Contains(errOut, "--force") || string(b) != "mine" {
		t.Errorf("existing --out: code %d, %q, file %q", code, errOut, b)
	}
}

// TestTrainClassifierSmoke trains on 600 images for three epochs (no accuracy
// bar) and reads the file back.
func TestTrainClassifierSmoke(t *testing.T) {
	mdir := mnistOrSkip(t)
	out := filepath.Join(t.TempDir(), "c.clf")
	code, stdout, errOut := gebm(t, "train-classifier", "--mnist-dir", mdir, "--train-rows", "600", "--epochs", "3", "--batch", "32", "--lr", "0.01",
		"--hidden", "16,8", "--min-accuracy", "0", "--quiet", "--out", out)
	if code != 0 {
		t.Fatal(errOut)
	}
	if !strings.Contains(stdout, "test accuracy") {
		t.Errorf("stdout %q", stdout)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	c, err := classifier.Load(b)
	if err != nil || c.FeatureDim() != 8 || c.Info.TestAccuracy < 0.3 {
		t.Fatalf("%v, %+v", err, c)
	}
	// Below the accuracy bar nothing is written.
	out2 := filepath.Join(t.TempDir(), "c2.clf")
	code, _, errOut = gebm(t, "train-classifier", "--mnist-dir", mdir, "--train-rows", "100", "--epochs", "1",
		"--hidden", "4,4", "--quiet", "--out", out2)
	if _, err := os.Stat(out2); code == 0 || err == nil || !strings.Contains(errOut, "--min-accuracy") {
		t.Errorf("below the bar: code %d, %q, file %v", code, errOut, err)
	}
	if code, _, errOut := gebm(t, "train-classifier", "--epochs", "0"); code == 0 || !strings.Contains(errOut, "epochs") {
		t.Errorf("--epochs 0: %q", errOut)
	}
}
