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
