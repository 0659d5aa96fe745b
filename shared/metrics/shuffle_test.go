package metrics

import (
	"math"
	"math/rand/v2"
	"testing"
)

// shiftedRows returns n rows of dim values from N(shift·1, I).
func shiftedRows(rng *rand.Rand, n, dim int, shift float64) []float32 {
	mu, std := make([]float64, dim), make([]float64, dim)
	for j := range mu {
		mu[j], std[j] = shift, 1
	}
	return gaussianRows(rng, n, mu, std)
}

// shuffleSetup returns the Gaussian fitted to 4000 data rows from N(0, I)
// in 8 dimensions.
func shuffleSetup(t *testing.T, rng *rand.Rand) Gaussian {
	t.Helper()
	data, err := FitGaussian(shiftedRows(rng, 4000, 8, 0), 8)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// weightedFID is the FID of rows x weighted by w against data.
func weightedFID(t *testing.T, data Gaussian, x []float32, w []float64, dim int) float64 {
	t.Helper()
	g, err := FitWeightedGaussian(x, w, dim)
	if err != nil {
		t.Fatal(err)
	}
	f, err := FrechetDistance(data, g)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// TestShuffledWeightsFIDEqualWeights: shuffling equal weights changes
// nothing, so every shuffle gives the weighted FID itself.
func TestShuffledWeightsFIDEqualWeights(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	data := shuffleSetup(t, rng)
	x := shiftedRows(rng, 500, 8, 0.2)
	w := equalWeights(500, 0.7)
	fid := weightedFID(t, data, x, w, 8)
	r, err := ShuffledWeightsFID(data, x, w, 8, fid, 10, rng)
	if err != nil {
		t.Fatal(err)
	}
	if r.Shuffles != 10 || math.Abs(r.Mean-fid) > 1e-12*fid || r.Std > 1e-12*fid || r.AtMost != 10 || r.P != 1 {
		t.Errorf("equal weights: %+v, weighted FID %v", r, fid)
	}
}

// TestShuffledWeightsFIDInformative: weights that favour the samples drawn
// from the data's distribution over those drawn away from it beat every
// shuffle of themselves.
func TestShuffledWeightsFIDInformative(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	data := shuffleSetup(t, rng)
	const n = 1000
	x := append(shiftedRows(rng, n/2, 8, 0), shiftedRows(rng, n/2, 8, 0.6)...)
	w := make([]float64, n)
	for i := range w {
		w[i] = 1
		if i >= n/2 {
			w[i] = 0.2
		}
	}
	fid := weightedFID(t, data, x, w, 8)
	r, err := ShuffledWeightsFID(data, x, w, 8, fid, 20, rng)
	if err != nil {
		t.Fatal(err)
	}
	if r.AtMost != 0 || r.P != 1.0/21 || !(r.Mean > fid+3*r.Std) {
		t.Errorf("informative weights: %+v, weighted FID %v", r, fid)
	}
}

// TestShuffledWeightsFIDBias: weights that know nothing of the samples (all
// drawn from the data's distribution) still raise the FID, by the extra
// variance of the weighted fit: for N(0, I) in d dimensions, about
// d·(1/ESS − 1/n) from the means and d(d+1)/4·(1/ESS − 1/n) from the
// covariances (E‖Σ̂ − I‖²_F = d(d+1)/ESS, and tr(Σ̂ − 2Σ̂^½ + I) ≈
// ‖Σ̂ − I‖²_F/4). Their shuffles raise it as much, so the control is centred
// on the weighted FID.
func TestShuffledWeightsFIDBias(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	data := shuffleSetup(t, rng)
	const n, dim = 1000, 8
	x := shiftedRows(rng, n, dim, 0)
	w := make([]float64, n)
	var s, s2 float64
	for i := range w {
		w[i] = rng.ExpFloat64() // ESS about half of n
		s += w[i]
		s2 += w[i] * w[i]
	}
	ess := s * s / s2
	unweighted := weightedFID(t, data, x, equalWeights(n, 1), dim)
	fid := weightedFID(t, data, x, w, dim)
	r, err := ShuffledWeightsFID(data, x, w, dim, fid, 50, rng)
	if err != nil {
		t.Fatal(err)
	}
	predicted := (dim + dim*(dim+1)/4.0) * (1/ess - 1.0/n)
	t.Logf("ESS %.0f of %d: unweighted FID %.5f, weighted %.5f, shuffles %.5f ± %.5f (predicted bias %.5f)", ess, n, unweighted, fid, r.Mean, r.Std, predicted)
	if bias := r.Mean - unweighted; !(bias > 0.7*predicted && bias < 1.4*predicted) {
		t.Errorf("shuffles' FID %v − unweighted %v = %v, predicted %v (ESS %.0f of %d)", r.Mean, unweighted, bias, predicted, ess, n)
	}
	if math.Abs(fid-r.Mean) > 3*r.Std || r.AtMost == 0 || r.AtMost == r.Shuffles {
		t.Errorf("uninformative weights: FID %v outside its control %+v", fid, r)
	}
}

// TestShuffledWeightsFIDBadInput: too few shuffles, a weight per row.
func TestShuffledWeightsFIDBadInput(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	data := shuffleSetup(t, rng)
	x := shiftedRows(rng, 10, 8, 0)
	if _, err := ShuffledWeightsFID(data, x, equalWeights(10, 1), 8, 1, 1, rng); err == nil {
		t.Error("1 shuffle: no error")
	}
	if _, err := ShuffledWeightsFID(data, x, equalWeights(9, 1), 8, 1, 5, rng); err == nil {
		t.Error("9 weights for 10 rows: no error")
	}
	if _, err := ShuffledWeightsFID(data, x[:7], equalWeights(1, 1), 8, 1, 5, rng); err == nil {
		t.Error("7 values as rows of 8: no error")
	}
}

// TestShuffledWeightsKIDRecomputed: each shuffle's KID is WeightedKID of
// the weights in that shuffle's order, recomputed from scratch (the same
// rng stream deals the same orders, whatever the values shuffled).
func TestShuffledWeightsKIDRecomputed(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	const dim, n, m, shuffles = 4, 30, 300, 7 // m > polyBlocks' block
	x := shiftedRows(rng, n, dim, 0)
	y := shiftedRows(rng, m, dim, 0.3)
	w := make([]float64, m)
	for j := range w {
		w[j] = math.Exp(rng.NormFloat64())
	}
	kid, err := WeightedKID(x, y, w, dim)
	if err != nil {
		t.Fatal(err)
	}
	got, err := ShuffledWeightsKID(x, y, w, dim, kid.Value, shuffles, rand.New(rand.NewPCG(11, 12)))
	if err != nil {
		t.Fatal(err)
	}
	order := rand.New(rand.NewPCG(11, 12))
	perm := append([]float64(nil), w...)
	kids := make([]float64, shuffles)
	for s := range kids {
		order.Shuffle(m, func(i, j int) { perm[i], perm[j] = perm[j], perm[i] })
		r, err := WeightedKID(x, y, perm, dim)
		if err != nil {
			t.Fatal(err)
		}
		kids[s] = r.Value
	}
	want := shuffleControl(kid.Value, kids)
	near := func(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(math.Abs(a), math.Abs(b)) }
	if got.Shuffles != shuffles || !near(got.Mean, want.Mean) || !near(got.Std, want.Std) || got.AtMost != want.AtMost || got.P != want.P {
		t.Errorf("control %+v, recomputed %+v", got, want)
	}
}

// TestShuffledWeightsKIDMean: over the orders of the weights, the weighted
// KID averages to the unweighted KID of the same samples, whatever the
// weights: the shuffles' mean lies within a few standard errors of it.
func TestShuffledWeightsKIDMean(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	const dim, n, m, shuffles = 6, 200, 200, 400
	x := shiftedRows(rng, n, dim, 0)
	y := shiftedRows(rng, m, dim, 0.4)
	w := make([]float64, m)
	for j := range w {
		w[j] = rng.ExpFloat64() * rng.ExpFloat64() // ESS about a quarter of m
	}
	unweighted, err := KID(x, y, dim)
	if err != nil {
		t.Fatal(err)
	}
	r, err := ShuffledWeightsKID(x, y, w, dim, 0, shuffles, rng)
	if err != nil {
		t.Fatal(err)
	}
	se := r.Std / math.Sqrt(shuffles)
	t.Logf("KID %.5f; shuffles %.5f ± %.5f (standard error of the mean %.5f)", unweighted.Value, r.Mean, r.Std, se)
	if !(r.Std > 0) || math.Abs(r.Mean-unweighted.Value) > 4*se {
		t.Errorf("shuffles' mean KID %v ± %v, unweighted KID %v", r.Mean, se, unweighted.Value)
	}
}

// TestShuffledWeightsKIDInformative: weights that favour the samples drawn
// from the data's distribution beat every shuffle; weights that know
// nothing of the samples fall inside their control.
func TestShuffledWeightsKIDInformative(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 16))
	const dim, n, m = 8, 400, 400
	x := shiftedRows(rng, n, dim, 0)
	y := append(shiftedRows(rng, m/2, dim, 0), shiftedRows(rng, m/2, dim, 0.6)...)
	w := make([]float64, m)
	for j := range w {
		w[j] = 1
		if j >= m/2 {
			w[j] = 0.2
		}
	}
	kid, err := WeightedKID(x, y, w, dim)
	if err != nil {
		t.Fatal(err)
	}
	r, err := ShuffledWeightsKID(x, y, w, dim, kid.Value, 20, rng)
	if err != nil {
		t.Fatal(err)
	}
	if r.AtMost != 0 || r.P != 1.0/21 || !(r.Mean > kid.Value+3*r.Std) {
		t.Errorf("informative weights: %+v, weighted KID %v", r, kid.Value)
	}

	for j := range w {
		w[j] = rng.ExpFloat64()
	}
	if kid, err = WeightedKID(x, y, w, dim); err != nil {
		t.Fatal(err)
	}
	if r, err = ShuffledWeightsKID(x, y, w, dim, kid.Value, 50, rng); err != nil {
		t.Fatal(err)
	}
	if math.Abs(kid.Value-r.Mean) > 3*r.Std || r.AtMost == 0 || r.AtMost == r.Shuffles {
		t.Errorf("uninformative weights: KID %v outside its control %+v", kid.Value, r)
	}
}

// TestShuffledWeightsKIDBadInput: too few shuffles, a weight per row,
// weights WeightedKID refuses.
func TestShuffledWeightsKIDBadInput(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 18))
	x, y := shiftedRows(rng, 10, 3, 0), shiftedRows(rng, 10, 3, 0)
	for name, c := range map[string]struct {
		x, y     []float32
		w        []float64
		shuffles int
	}{
		"1 shuffle":             {x, y, equalWeights(10, 1), 1},
		"9 weights for 10 rows": {x, y, equalWeights(9, 1), 5},
		"7 values as rows of 3": {x, y[:7], equalWeights(2, 1), 5},
		"2 rows of x":           {x[:6], y, equalWeights(10, 1), 5},
		"a negative weight":     {x, y, append(equalWeights(9, 1), -1), 5},
		"a NaN weight":          {x, y, append(equalWeights(9, 1), math.NaN()), 5},
		"all mass on one row":   {x, y, append(make([]float64, 9), 1), 5},
	} {
		if _, err := ShuffledWeightsKID(c.x, c.y, c.w, 3, 0, c.shuffles, rng); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
