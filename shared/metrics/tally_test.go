package metrics

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/gebm/gebm/shared/data"
)

// TestModeTallyBatches: the tally fed uneven batches reports what Modes
// reports on all the samples at once, minimum counts included (they grow
// with the total).
func TestModeTallyBatches(t *testing.T) {
	toy := data.TwentyFiveGaussians()
	x := make([]float32, 2*3001)
	toy.Sample(rand.New(rand.NewPCG(3, 3)), x)
	// A quarter of the points far from every mode.
	for i := 0; i < len(x); i += 8 {
		x[i] += 0.7
	}
	whole, err := Modes(x, toy.Modes(), ModeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	tally, err := NewModeTally(toy.Modes(), ModeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for lo := 0; lo < len(x)/2; lo += 700 {
		hi := min(lo+700, len(x)/2)
		if err := tally.Add(x[2*lo : 2*hi]); err != nil {
			t.Fatal(err)
		}
	}
	got := tally.Report()
	if got.Covered != whole.Covered || got.HighQuality != whole.HighQuality ||
		!slices.Equal(got.Counts, whole.Counts) || !slices.Equal(got.MinCounts, whole.MinCounts) {
		t.Fatalf("batches %+v, all at once %+v", got, whole)
	}
	if whole.HighQuality > 0.9 || whole.HighQuality < 0.5 {
		t.Fatalf("high quality %v: the shifted points should have lowered it to about 3/4", whole.HighQuality)
	}
}

// TestGaussianTallyBatches: the merged mean and covariance of uneven batches
// agree with a fit to all rows at once (to rounding), including a batch of
// one row.
func TestGaussianTallyBatches(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	const d = 6
	x := gaussianRows(rng, 1001, []float64{100, -3, 0, 1, 2, 50}, []float64{1, 2, 3, 0.5, 0.1, 10})
	whole, err := FitGaussian(x, d)
	if err != nil {
		t.Fatal(err)
	}
	tally := NewGaussianTally(d)
	for _, cut := range [][2]int{{0, 1}, {1, 300}, {300, 301}, {301, 1001}} {
		if err := tally.Add(x[cut[0]*d : cut[1]*d]); err != nil {
			t.Fatal(err)
		}
	}
	got, err := tally.Gaussian()
	if err != nil {
		t.Fatal(err)
	}
	if got.N != 1001 {
		t.Fatalf("N = %d", got.N)
	}
	for i := range d {
		if math.Abs(got.Mean[i]-whole.Mean[i]) > 1e-12*math.Max(1, math.Abs(whole.Mean[i])) {
			t.Errorf("mean[%d]: %v batched, %v whole", i, got.Mean[i], whole.Mean[i])
		}
		for j := range d {
			a, b := got.Cov.At(i, j), whole.Cov.At(i, j)
			if math.Abs(a-b) > 1e-9*math.Sqrt(whole.Cov.At(i, i)*whole.Cov.At(j, j)) {
				t.Errorf("cov[%d][%d]: %v batched, %v whole", i, j, a, b)
			}
		}
	}
	if _, err := NewGaussianTally(d).Gaussian(); err == nil {
		t.Error("a Gaussian fitted to no rows")
	}
	if err := tally.Add(x[:d+1]); err == nil {
		t.Error("a batch that is not whole rows accepted")
	}
}
