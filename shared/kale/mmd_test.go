package kale

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestMMDHandValues: X = {0, 1}, Y = {0, 2} in 1-D, σ = 1, so
// k(0,1) = k(1,2) = e^{−1/2}, k(0,2) = e^{−2}. By hand:
//
//	XX: biased (2 + 2e^{−1/2})/4, unbiased 2e^{−1/2}/2
//	YY: biased (2 + 2e^{−2})/4,   unbiased 2e^{−2}/2
//	XY: (1 + e^{−2} + 2e^{−1/2})/4 (pairs (0,0), (0,2), (1,0), (1,2))
//	MMD²_b = (1 − e^{−1/2})/2 ≈ 0.196735
//	MMD²_u = (e^{−2} − 1)/2 ≈ −0.432332 (negative: allowed for the U-statistic)
func TestMMDHandValues(t *testing.T) {
	x := Samples{Data: []float64{0, 1}, Rows: 2, Cols: 1}
	y := Samples{Data: []float64{0, 2}, Rows: 2, Cols: 1}
	b, err := MMD2Biased(x, y, 1)
	if err != nil {
		t.Fatal(err)
	}
	u, err := MMD2Unbiased(x, y, 1)
	if err != nil {
		t.Fatal(err)
	}
	if want := (1 - math.Exp(-0.5)) / 2; math.Abs(b-want) > 1e-15 {
		t.Errorf("MMD²_b = %.16g, want %.16g", b, want)
	}
	if want := (math.Exp(-2) - 1) / 2; math.Abs(u-want) > 1e-15 {
		t.Errorf("MMD²_u = %.16g, want %.16g", u, want)
	}
}

// TestMMDSameDistribution: for P = Q (N(0, I₂), n = m = 512, 20 seeds) the
// unbiased estimate is centred on 0: its mean over seeds is within 3
// standard errors of 0, and each value is within 5e-3 of 0 (its standard
// deviation under P = Q is O(1/n) ≈ 1e-3 here). The biased one is ≥ 0 and
// exceeds the unbiased one by the exact V−U difference
// (1 − mean_{i≠i'} k)/n + (1 − mean_{j≠j'} k)/m > 0.
func TestMMDSameDistribution(t *testing.T) {
	const n, seeds = 512, 20
	var sum, sum2 float64
	for seed := range uint64(seeds) {
		rng := rand.New(rand.NewPCG(seed, 21))
		x := gaussian(rng, n, []float64{0, 0}, 1)
		y := gaussian(rng, n, []float64{0, 0}, 1)
		sigma := MedianBandwidth(x, y)
		u, _ := MMD2Unbiased(x, y, sigma)
		b, _ := MMD2Biased(x, y, sigma)
		if math.Abs(u) > 5e-3 || b < 0 || b <= u {
			t.Errorf("seed %d: MMD²_u = %.3g, MMD²_b = %.3g", seed, u, b)
		}
		// V − U identity.
		kx := symKernelSum(x, sigma, false) / (n * (n - 1))
		ky := symKernelSum(y, sigma, false) / (n * (n - 1))
		if d, want := b-u, (1-kx)/n+(1-ky)/n; math.Abs(d-want) > 1e-12 {
			t.Errorf("seed %d: MMD²_b − MMD²_u = %.6g, want %.6g", seed, d, want)
		}
		sum += u
		sum2 += u * u
	}
	mean := sum / seeds
	se := math.Sqrt((sum2/seeds - mean*mean) / (seeds - 1))
	t.Logf("MMD²_u over %d seeds: mean %.3g, standard error %.3g", seeds, mean, se)
	if math.Abs(mean) > 3*se {
		t.Errorf("mean MMD²_u = %.3g, more than 3 standard errors (%.3g) from 0", mean, se)
	}
}

// TestMMDBiasedNonNegative: the V-statistic is a squared RKHS norm, ≥ 0 on
// any input (tiny, clustered, high-dimensional, shifted).
func TestMMDBiasedNonNegative(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	for trial := range 50 {
		d := 1 + trial%5
		n, m := 1+rng.IntN(6), 1+rng.IntN(6)
		x := gaussian(rng, n, make([]float64, d), 0.1+rng.Float64())
		y := gaussian(rng, m, make([]float64, d), 0.1+rng.Float64())
		if b, err := MMD2Biased(x, y, 0); err != nil || b < 0 {
			t.Fatalf("trial %d: MMD²_b = %v, %v", trial, b, err)
		}
	}
}
