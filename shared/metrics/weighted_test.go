package metrics

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gebm/gebm/shared/data"
)

// equalWeights returns n weights of the same value v.
func equalWeights(n int, v float64) []float64 {
	w := make([]float64, n)
	for i := range w {
		w[i] = v
	}
	return w
}

// TestWeightedEqualWeights: with equal weights every weighted measure is the
// unweighted one (to rounding): modes, NLL, MMD², KALE and the feature
// Gaussian of FID.
func TestWeightedEqualWeights(t *testing.T) {
	g := data.TwentyFiveGaussians()
	rng := rand.New(rand.NewPCG(3, 1))
	const n = 600
	x := make([]float32, 2*n)
	g.Sample(rng, x)
	for i := 0; i < 2*n; i += 7 { // some samples off the modes
		x[i] += 0.4
	}
	fresh := make([]float32, 2*n)
	g.Sample(rng, fresh)
	w := equalWeights(n, 0.3)

	want, err := Modes(x, g.Modes(), ModeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	got, err := WeightedModes(x, w, g.Modes(), ModeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(got.HighQuality-want.HighQuality) > 1e-12 || got.Covered != want.Covered {
		t.Errorf("modes: weighted %v / %d covered, unweighted %v / %d", got.HighQuality, got.Covered, want.HighQuality, want.Covered)
	}
	for k := range want.Counts {
		if got.Counts[k] != want.Counts[k] || got.MinCounts[k] != want.MinCounts[k] {
			t.Errorf("mode %d: weighted count %d (needs %d), unweighted %d (needs %d)", k, got.Counts[k], got.MinCounts[k], want.Counts[k], want.MinCounts[k])
		}
	}

	nll, _, _, err := NLL(g, x, data.Identity())
	if err != nil {
		t.Fatal(err)
	}
	wnll, out, ok, err := WeightedNLL(g, x, w, data.Identity())
	if err != nil || !ok || out != 0 || math.Abs(wnll-nll) > 1e-9*math.Abs(nll) {
		t.Errorf("NLL: weighted %v (outside %v, ok %v, %v), unweighted %v", wnll, out, ok, err, nll)
	}

	o := ToyOptions{KALEPoints: 256}
	rc, err := Compare(fresh, x, 2, o)
	if err != nil {
		t.Fatal(err)
	}
	rw, err := WeightedCompare(fresh, x, w, 2, o)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(rw.MMD2-rc.MMD2) > 1e-12 || math.Abs(*rw.KALE-*rc.KALE) > 1e-12 || rw.Bandwidth != rc.Bandwidth {
		t.Errorf("Compare: weighted MMD² %v KALE %v, unweighted %v %v", rw.MMD2, *rw.KALE, rc.MMD2, *rc.KALE)
	}

	ga, err := FitGaussian(x, 2)
	if err != nil {
		t.Fatal(err)
	}
	gw, err := FitWeightedGaussian(x, w, 2)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		if math.Abs(ga.Mean[i]-gw.Mean[i]) > 1e-12 {
			t.Errorf("mean[%d]: weighted %v, unweighted %v", i, gw.Mean[i], ga.Mean[i])
		}
		for j := range 2 {
			if a, b := ga.Cov.At(i, j), gw.Cov.At(i, j); math.Abs(a-b) > 1e-9*math.Abs(a) {
				t.Errorf("cov[%d,%d]: weighted %v, unweighted %v", i, j, b, a)
			}
		}
	}
}

// TestWeightedSubset: weight 1 on a subset and 0 elsewhere measures the
// subset: its high-quality fraction, NLL and MMD²; and weights
// that favour the samples near a mode raise the high-quality mass.
func TestWeightedSubset(t *testing.T) {
	g := data.TwentyFiveGaussians()
	rng := rand.New(rand.NewPCG(4, 2))
	const n = 400
	x := make([]float32, 2*n)
	g.Sample(rng, x)
	for i := 0; i < n; i += 3 {
		x[2*i] += 0.5 // a third of the samples off their mode
	}
	fresh := make([]float32, 2*n)
	g.Sample(rng, fresh)
	w := make([]float64, n)
	var sub []float32
	for i := range w {
		if i%2 == 0 {
			w[i] = 2
			sub = append(sub, x[2*i:2*i+2]...)
		}
	}
	want, _ := Modes(sub, g.Modes(), ModeOptions{})
	got, err := WeightedModes(x, w, g.Modes(), ModeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(got.HighQuality-want.HighQuality) > 1e-12 {
		t.Errorf("high quality: weighted %v, subset %v", got.HighQuality, want.HighQuality)
	}
	nll, _, _, _ := NLL(g, sub, data.Identity())
	if wnll, _, _, err := WeightedNLL(g, x, w, data.Identity()); err != nil || math.Abs(wnll-nll) > 1e-9*math.Abs(nll) {
		t.Errorf("NLL: weighted %v (%v), subset %v", wnll, err, nll)
	}
	o := ToyOptions{KALEPoints: -1}
	rs, _ := Compare(fresh, sub, 2, o)
	if rw, err := WeightedCompare(fresh, x, w, 2, o); err != nil || math.Abs(rw.MMD2-rs.MMD2) > 1e-12 {
		t.Errorf("MMD²: weighted %v (%v), subset %v", rw.MMD2, err, rs.MMD2)
	}

	// Weight the samples near a mode 4 times as much as the others.
	all, _ := Modes(x, g.Modes(), ModeOptions{})
	for i := range w {
		w[i] = 1
		if r, _ := Modes(x[2*i:2*i+2], g.Modes(), ModeOptions{}); r.HighQuality == 1 {
			w[i] = 4
		}
	}
	got, _ = WeightedModes(x, w, g.Modes(), ModeOptions{})
	h := all.HighQuality
	if wantHQ := 4 * h / (4*h + 1 - h); math.Abs(got.HighQuality-wantHQ) > 1e-12 {
		t.Errorf("high-quality mass %v, want %v", got.HighQuality, wantHQ)
	}
}

// TestWeightedBadInput: the weighted measures refuse weights of the wrong
// number, negative, non-finite or all zero.
func TestWeightedBadInput(t *testing.T) {
	g := data.TwentyFiveGaussians()
	x := make([]float32, 2*10)
	g.Sample(rand.New(rand.NewPCG(1, 1)), x)
	for _, w := range [][]float64{equalWeights(9, 1), {1, 1, 1, 1, -1, 1, 1, 1, 1, 1}, {1, 1, math.NaN(), 1, 1, 1, 1, 1, 1, 1}, equalWeights(10, 0), nil} {
		if _, err := WeightedModes(x, w, g.Modes(), ModeOptions{}); err == nil {
			t.Errorf("WeightedModes accepted weights %v", w)
		}
		if _, _, _, err := WeightedNLL(g, x, w, data.Identity()); err == nil {
			t.Errorf("WeightedNLL accepted weights %v", w)
		}
		if _, err := WeightedCompare(x, x, w, 2, ToyOptions{}); err == nil {
			t.Errorf("WeightedCompare accepted weights %v", w)
		}
		if _, err := FitWeightedGaussian(x, w, 2); err == nil {
			t.Errorf("FitWeightedGaussian accepted weights %v", w)
		}
	}
}

// TestWeightedKID: equal weights give KID and its standard error; weights on
// a subset give the subset's KID; and the standard error is the delete-one
// jackknife, checked against recomputing the estimate without each row
// (renormalising the other weights) for random weights.
func TestWeightedKID(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 6))
	const dim = 5
	x := gaussianRows(rng, 12, make([]float64, dim), []float64{1, 1, 1, 1, 1})
	y := gaussianRows(rng, 10, []float64{0.3, 0, 0, 0, 0}, []float64{1.2, 1, 1, 1, 1})
	near := func(a, b float64) bool { return math.Abs(a-b) <= 1e-10*math.Max(math.Abs(a), math.Abs(b)) }

	want, err := KID(x, y, dim)
	if err != nil {
		t.Fatal(err)
	}
	got, err := WeightedKID(x, y, equalWeights(10, 2.5), dim)
	if err != nil {
		t.Fatal(err)
	}
	if !near(got.Value, want.Value) || !near(got.StdErr, want.StdErr) {
		t.Errorf("equal weights: %+v, KID %+v", got, want)
	}

	w := make([]float64, 10)
	var sub []float32
	for j := range w {
		if j%2 == 0 {
			w[j] = 1
			sub = append(sub, y[j*dim:(j+1)*dim]...)
		}
	}
	want, _ = KID(x, sub, dim)
	if got, err = WeightedKID(x, y, w, dim); err != nil || !near(got.Value, want.Value) {
		t.Errorf("subset weights: %+v (%v), KID of the subset %+v", got, err, want)
	}

	for j := range w {
		w[j] = math.Exp(rng.NormFloat64())
	}
	got, err = WeightedKID(x, y, w, dim)
	if err != nil {
		t.Fatal(err)
	}
	var lx, ly []float64
	for i := range 12 {
		xi := append(append([]float32(nil), x[:i*dim]...), x[(i+1)*dim:]...)
		r, err := WeightedKID(xi, y, w, dim)
		if err != nil {
			t.Fatal(err)
		}
		lx = append(lx, r.Value)
	}
	for j := range 10 {
		yj := append(append([]float32(nil), y[:j*dim]...), y[(j+1)*dim:]...)
		wj := append(append([]float64(nil), w[:j]...), w[j+1:]...)
		r, err := WeightedKID(x, yj, wj, dim)
		if err != nil {
			t.Fatal(err)
		}
		ly = append(ly, r.Value)
	}
	if se := math.Sqrt(jackVar(lx) + jackVar(ly)); !near(got.StdErr, se) {
		t.Errorf("random weights: standard error %v, jackknife by recomputation %v", got.StdErr, se)
	}

	for _, bad := range [][]float64{equalWeights(9, 1), {1, 1, 0, 0, 0, 0, 0, 0, 0, 0}, {1, -1, 1, 1, 1, 1, 1, 1, 1, 1}} {
		if _, err := WeightedKID(x, y, bad, dim); err == nil {
			t.Errorf("weights %v accepted", bad)
		}
	}
}
