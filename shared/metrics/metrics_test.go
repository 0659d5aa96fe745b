package metrics

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/gebm/gebm/shared/data"
)

// gaussianRows draws n rows of N(mu, diag(std²)).
func gaussianRows(rng *rand.Rand, n int, mu, std []float64) []float32 {
	d := len(mu)
	x := make([]float32, n*d)
	for i := 0; i < n; i++ {
		for j := 0; j < d; j++ {
			x[i*d+j] = float32(mu[j] + std[j]*rng.NormFloat64())
		}
	}
	return x
}

func TestFIDIdenticalSetsIsZero(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	const d = 16
	mu, std := make([]float64, d), make([]float64, d)
	for j := range mu {
		mu[j], std[j] = float64(j)/4, 0.5+float64(j%3)
	}
	x := gaussianRows(rng, 500, mu, std)
	fid, err := FID(x, x, d)
	if err != nil {
		t.Fatal(err)
	}
	// tr Σ ≈ Σ std² ≈ 56; the eigen route loses a few ulps of that.
	if fid > 1e-9 {
		t.Errorf("FID(x, x) = %g, want 0", fid)
	}
}

// TestFrechetClosedForm checks FrechetDistance on exact Gaussians:
// diagonal covariances, where it is ‖Δμ‖² + Σ_k (√a_k − √b_k)², and 2×2
// non-commuting ones, where tr (Σ₁^{1/2}Σ₂Σ₁^{1/2})^{1/2} = √(tr Σ₁Σ₂ + 2√(det Σ₁ det Σ₂))
// (a 2×2 PSD M has tr √M = √(tr M + 2√det M)).
func TestFrechetClosedForm(t *testing.T) {
	a := Gaussian{Mean: []float64{0, 1, 2}, Cov: mat.NewSymDense(3, []float64{1, 0, 0, 0, 4, 0, 0, 0, 0.25})}
	b := Gaussian{Mean: []float64{1, 1, 0}, Cov: mat.NewSymDense(3, []float64{9, 0, 0, 0, 1, 0, 0, 0, 0.25})}
	want := 1.0 + 4 + (1-3)*(1-3) + (2-1)*(2-1) + 0
	got, err := FrechetDistance(a, b)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(got-want) > 1e-9 {
		t.Errorf("diagonal: FD = %.12f, want %.12f", got, want)
	}

	s1 := []float64{2, 0.9, 0.9, 1}
	s2 := []float64{0.5, -0.3, -0.3, 3}
	a = Gaussian{Mean: []float64{0.5, -1}, Cov: mat.NewSymDense(2, s1)}
	b = Gaussian{Mean: []float64{-0.5, 1}, Cov: mat.NewSymDense(2, s2)}
	trProd := s1[0]*s2[0] + s1[1]*s2[2] + s1[2]*s2[1] + s1[3]*s2[3]
	det1, det2 := s1[0]*s1[3]-s1[1]*s1[2], s2[0]*s2[3]-s2[1]*s2[2]
	want = 1 + 4 + (s1[0] + s1[3]) + (s2[0] + s2[3]) - 2*math.Sqrt(trProd+2*math.Sqrt(det1*det2))
	got, err = FrechetDistance(a, b)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(got-want) > 1e-9 {
		t.Errorf("2×2: FD = %.12f, want %.12f", got, want)
	}
	// Symmetric in its arguments.
	if back, _ := FrechetDistance(b, a); math.Abs(back-got) > 1e-9 {
		t.Errorf("FD(b, a) = %.12f, FD(a, b) = %.12f", back, got)
	}
}

// TestFIDShiftedGaussians: samples of N(0, I) and N(δ, diag(s²)) in 8
// dimensions give FID ≈ ‖δ‖² + Σ (1 − s_k)². The estimate from n samples is
// biased upwards by about tr-terms of order d/n; 20000 samples make that and
// the noise a few hundredths.
func TestFIDShiftedGaussians(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 3))
	const d, n = 8, 20000
	zero, one := make([]float64, d), make([]float64, d)
	delta, s := make([]float64, d), make([]float64, d)
	want := 0.0
	for j := 0; j < d; j++ {
		one[j] = 1
		delta[j] = 0.5 * float64(j%2)
		s[j] = 1 + 0.25*float64(j%3)
		want += delta[j]*delta[j] + (1-s[j])*(1-s[j])
	}
	fid, err := FID(gaussianRows(rng, n, zero, one), gaussianRows(rng, n, delta, s), d)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(fid-want) > 0.05 {
		t.Errorf("FID = %.4f, want %.4f ± 0.05", fid, want)
	}
}

// TestFIDRankDeficient: fewer samples than dimensions give singular
// covariances; the eigen route still returns a finite, non-negative number.
func TestFIDRankDeficient(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	const d = 32
	zero, one := make([]float64, d), make([]float64, d)
	for j := range one {
		one[j] = 1
	}
	fid, err := FID(gaussianRows(rng, 10, zero, one), gaussianRows(rng, 12, zero, one), d)
	if err != nil || math.IsNaN(fid) || math.IsInf(fid, 0) || fid < 0 {
		t.Errorf("FID = %v, %v; want a finite non-negative number", fid, err)
	}
	x := gaussianRows(rng, 10, zero, one)
	if fid, err := FID(x, x, d); err != nil || fid > 1e-8 {
		t.Errorf("FID(x, x) rank-deficient = %v, %v; want 0", fid, err)
	}
}

func TestFIDErrors(t *testing.T) {
	if _, err := FID([]float32{1, 2, 3}, []float32{1, 2, 3, 4}, 2); err == nil {
		t.Error("ragged rows accepted")
	}
	if _, err := FID([]float32{1, 2}, []float32{1, 2, 3, 4}, 2); err == nil {
		t.Error("a single row accepted")
	}
	if _, err := FID([]float32{1, float32(math.NaN()), 3, 4}, []float32{1, 2, 3, 4}, 2); err == nil {
		t.Error("NaN accepted")
	}
}

// TestKIDMatchesDirectSum compares KID with the U-statistic written out.
func TestKIDMatchesDirectSum(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	const d = 5
	x := gaussianRows(rng, 300, []float64{0, 0, 0, 0, 0}, []float64{1, 1, 1, 1, 1})
	y := gaussianRows(rng, 280, []float64{0.3, 0, 0, 0, -0.2}, []float64{1, 2, 1, 1, 1})
	k := func(a, b []float32) float64 {
		var s float64
		for i := range a {
			s += float64(a[i]) * float64(b[i])
		}
		t := s/d + 1
		return t * t * t
	}
	n, m := len(x)/d, len(y)/d
	var sxx, syy, sxy float64
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			if i != j {
				sxx += k(x[i*d:(i+1)*d], x[j*d:(j+1)*d])
			}
		}
		for j := 0; j < m; j++ {
			sxy += k(x[i*d:(i+1)*d], y[j*d:(j+1)*d])
		}
	}
	for i := 0; i < m; i++ {
		for j := 0; j < m; j++ {
			if i != j {
				syy += k(y[i*d:(i+1)*d], y[j*d:(j+1)*d])
			}
		}
	}
	want := sxx/float64(n*(n-1)) + syy/float64(m*(m-1)) - 2*sxy/float64(n*m)
	r, err := KID(x, y, d)
	if err != nil {
		t.Fatal(err)
	}
	got := r.Value
	if math.Abs(got-want) > 1e-9*math.Max(1, math.Abs(want)) {
		t.Errorf("KID = %.12g, direct sum %.12g", got, want)
	}
	if !(got > 0.01) {
		t.Errorf("KID of visibly different sets = %g, want clearly positive", got)
	}
}

// TestKIDSameLawNearZero: two independent samples of one law give a KID
// centred on 0 (it is unbiased): over 20 pairs the mean is within 4 standard
// errors of 0.
func TestKIDSameLawNearZero(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 6))
	const d, reps = 4, 20
	mu, sd := []float64{1, 0, -1, 0}, []float64{1, 1, 1, 1}
	var s, s2 float64
	for r := 0; r < reps; r++ {
		r, err := KID(gaussianRows(rng, 200, mu, sd), gaussianRows(rng, 200, mu, sd), d)
		if err != nil {
			t.Fatal(err)
		}
		v := r.Value
		s += v
		s2 += v * v
	}
	mean := s / reps
	se := math.Sqrt((s2/reps - mean*mean) / (reps - 1))
	if math.Abs(mean) > 4*se {
		t.Errorf("mean KID over same-law pairs = %g ± %g, want 0", mean, se)
	}
}

// TestModesHandMade counts modes and high-quality samples on points placed by hand.
func TestModesHandMade(t *testing.T) {
	modes := []data.Mode{
		{Center: [2]float64{0, 0}, Std: 0.1, Weight: 1},
		{Center: [2]float64{2, 0}, Std: 0.1, Weight: 1},
		{Center: [2]float64{0, 2}, Std: 0.1, Weight: 1},
		{Center: [2]float64{2, 2}, Std: 0.1, Weight: 1},
	}
	var x []float32
	add := func(px, py float32, k int) {
		for i := 0; i < k; i++ {
			x = append(x, px, py)
		}
	}
	add(0.05, 0, 10) // mode 0: 0.5 sd, high quality
	add(2, 0.29, 3)  // mode 1: 2.9 sd, high quality
	add(2, 0.31, 5)  // nearest mode 1 but 3.1 sd: not high quality
	add(1, 1, 2)     // between all modes: not high quality
	add(0.2, 2.2, 1) // mode 2: 2.83 sd, high quality
	add(2.3, 2.0, 1) // mode 3: exactly 3 sd: counts (≤)
	r, err := Modes(x, modes, ModeOptions{MinCount: 2})
	if err != nil {
		t.Fatal(err)
	}
	n := len(x) / 2 // 22
	if want := []int{10, 3, 1, 1}; !slices.Equal(r.Counts, want) {
		t.Errorf("counts %v, want %v", r.Counts, want)
	}
	if r.Covered != 2 || r.Total != 4 {
		t.Errorf("covered %d of %d, want 2 of 4 (MinCount 2)", r.Covered, r.Total)
	}
	if want := 15.0 / float64(n); math.Abs(r.HighQuality-want) > 1e-12 {
		t.Errorf("high quality %v, want %v", r.HighQuality, want)
	}
	// With the default MinCount ⌈0.2·22/4⌉ = 2 the answer is the same; with
	// MinCount 1 every mode with a high-quality sample is covered.
	if r, _ := Modes(x, modes, ModeOptions{}); r.Covered != 2 || r.MinCounts[0] != 2 {
		t.Errorf("default rule: covered %d, min counts %v", r.Covered, r.MinCounts)
	}
	if r, _ := Modes(x, modes, ModeOptions{MinCount: 1}); r.Covered != 4 {
		t.Errorf("MinCount 1: covered %d, want 4", r.Covered)
	}
	// A 2-sd radius drops the 2.83, 2.9 and 3 sd points.
	if r, _ := Modes(x, modes, ModeOptions{Sigmas: 2, MinCount: 1}); r.Covered != 1 || r.Counts[0] != 10 {
		t.Errorf("2 sd: covered %d counts %v", r.Covered, r.Counts)
	}
	if _, err := Modes(x, nil, ModeOptions{}); err != ErrNoModes {
		t.Errorf("no modes: %v", err)
	}
	if _, err := Modes(x[:3], modes, ModeOptions{}); err == nil {
		t.Error("odd length accepted")
	}
}

// TestModesOnData: exact draws from 25gaussians cover all 25 modes with
// 1 − e^{−4.5} ≈ 98.9% high-quality samples.
func TestModesOnData(t *testing.T) {
	toy := data.TwentyFiveGaussians()
	x := make([]float32, 2*5000)
	toy.Sample(rand.New(rand.NewPCG(7, 7)), x)
	r, err := Modes(x, toy.Modes(), ModeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := 1 - math.Exp(-4.5)
	se := math.Sqrt(want * (1 - want) / 5000)
	if r.Covered != 25 || math.Abs(r.HighQuality-want) > 4*se {
		t.Errorf("data: covered %d/25, high quality %.4f (want %.4f ± %.4f)", r.Covered, r.HighQuality, want, 4*se)
	}
}

// TestNLLOfData: for well-separated equal modes, the mean NLL of exact draws
// estimates the mixture's entropy log K + log(2πeσ²).
func TestNLLOfData(t *testing.T) {
	toy := data.EightGaussians()
	const n = 20000
	x := make([]float32, 2*n)
	toy.Sample(rand.New(rand.NewPCG(8, 8)), x)
	got, outside, ok, err := NLL(toy, x, data.Identity())
	if err != nil || !ok || outside != 0 {
		t.Fatal(ok, outside, err)
	}
	sd := 0.02
	want := math.Log(8) + math.Log(2*math.Pi*math.E*sd*sd)
	// −log p of one draw is log K + log(2πσ²) + χ²₂/2: variance 1 per draw.
	if se := 1 / math.Sqrt(n); math.Abs(got-want) > 4*se {
		t.Errorf("NLL of data = %.4f, want entropy %.4f ± %.4f", got, want, 4*se)
	}
	if _, _, ok, _ := NLL(data.Moons(), x, data.Identity()); ok {
		t.Error("moons has no density, yet NLL reported one")
	}
}

// TestToyReport: data against fresh data scores near-perfectly; a sample set
// with a quarter of its points moved off the modes scores worse on every
// measure.
func TestToyReport(t *testing.T) {
	toy := data.EightGaussians()
	rng := rand.New(rand.NewPCG(9, 9))
	const n = 1000
	fresh, good := make([]float32, 2*n), make([]float32, 2*n)
	toy.Sample(rng, fresh)
	toy.Sample(rng, good)
	bad := append([]float32(nil), good...)
	for i := 0; i < n/4; i++ {
		bad[2*i] *= 0.7
		bad[2*i+1] *= 0.7
	}
	o := ToyOptions{KALEPoints: 300}
	rg, err := Toy(toy, fresh, good, data.Identity(), o)
	if err != nil {
		t.Fatal(err)
	}
	rb, err := Toy(toy, fresh, bad, data.Identity(), o)
	if err != nil {
		t.Fatal(err)
	}
	if rg.Modes == nil || rg.NLL == nil || rg.KALE == nil {
		t.Fatalf("missing measures: %+v", rg)
	}
	if rg.Bandwidth != rb.Bandwidth {
		t.Errorf("bandwidth depends on the samples: %v vs %v", rg.Bandwidth, rb.Bandwidth)
	}
	if rg.Modes.Covered != 8 || rb.Modes.HighQuality >= rg.Modes.HighQuality ||
		rb.MMD2 <= rg.MMD2 || *rb.NLL <= *rg.NLL || *rb.KALE <= *rg.KALE {
		t.Errorf("good %+v (nll %v kale %v) vs bad %+v (nll %v kale %v)", rg, *rg.NLL, *rg.KALE, rb, *rb.NLL, *rb.KALE)
	}
	if math.Abs(rg.MMD2) > 0.01 {
		t.Errorf("MMD² of data against data = %v, want ≈ 0", rg.MMD2)
	}
}
