package main

import (
	"math"
	"math/rand/v2"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/gebm/gebm/shared/data"
	"github.com/gebm/gebm/shared/model"
)

// TestSampleSIRReweights: gebm sample --sampler sir at β = 20 on an untrained
// 2-D model gives samples whose mean is the GEBM's,
//
//	E_ν[B(z)] = E_z[B(z) w(z)] / E_z[w(z)],  w = exp(−β E(B(z))), z ~ N(0, I),
//
// computed independently here by self-normalised importance sampling over
// 400000 generator samples. The check is 5 combined standard errors (the SIR
// samples' mean: at most the target's sd/√n for systematic resampling, plus
// the pool's importance-sampling error, bounded by sd/√ESS; the reference's
// own delta-method error); the test also requires the GEBM's mean to be more
// than 20 such errors from the generator's, so that samples of the generator
// alone fail it.
func TestSampleSIRReweights(t *testing.T) {
	dir := t.TempDir()
	path := writeModel(t, dir, "m.gebm", 2, nil)
	const n, beta = 6000, 20.0
	out := filepath.Join(dir, "sir.npy")
	code, stdout, errOut := gebm(t, "sample", "--model", path, "--sampler", "sir", "--beta", "20", "--n", strconv.Itoa(n),
		"--quiet", "--out", out)
	if code != 0 {
		t.Fatal(errOut)
	}
	ess := essOf(t, stdout)
	d, err := data.ReadFile(out, 2)
	if err != nil || d.Rows() != n {
		t.Fatalf("output: %v", err)
	}
	m, err := loadModel(path)
	if err != nil {
		t.Fatal(err)
	}
	// The reference, from a stream of its own.
	const ref = 400000
	z := make([]float32, ref*m.Latent())
	model.SampleLatents(rand.New(rand.NewPCG(99, 99)), z)
	x := m.Generate(z, ref, nil)
	e := m.Energies(x, ref, nil)
	lo := math.Inf(1)
	for _, v := range e {
		lo = math.Min(lo, float64(v))
	}
	var sw float64
	var swx, gen, sswx2 [2]float64
	for i, v := range e {
		w := math.Exp(-beta * (float64(v) - lo))
		sw += w
		for k := range 2 {
			xk := float64(x[2*i+k])
			swx[k] += w * xk
			gen[k] += xk
		}
	}
	for k := range 2 {
		mu := swx[k] / sw
		// Delta-method variance of the ratio Σwx/Σw: Σ w²(x − μ)² / (Σw)².
		for i, v := range e {
			w := math.Exp(-beta * (float64(v) - lo))
			r := float64(x[2*i+k]) - mu
			sswx2[k] += w * w * r * r
		}
		var s, s2 float64
		for r := range n {
			v := float64(d.X[2*r+k])
			s += v
			s2 += v * v
		}
		got := s / n
		sd := math.Sqrt(s2/n - got*got)
		se := math.Sqrt(sd*sd/n + sd*sd/ess + sswx2[k]/(sw*sw))
		gmean := gen[k] / ref
		t.Logf("x%d: SIR mean %.4f, reweighted reference %.4f, generator %.4f, SE %.4f (ESS %.0f)", k, got, mu, gmean, se, ess)
		if math.Abs(got-mu) > 5*se {
			t.Errorf("x%d: SIR mean %.4f, the GEBM's %.4f (%.1f SE off)", k, got, mu, (got-mu)/se)
		}
		if math.Abs(gmean-mu) < 10*se {
			t.Errorf("x%d: the generator's mean %.4f is within 10 SE (%.4f) of the GEBM's %.4f: the test cannot tell them apart", k, gmean, se, mu)
		}
	}
}

// essOf reads the ESS from gebm's SIR summary line.
func essOf(t *testing.T, stdout string) float64 {
	t.Helper()
	m := regexp.MustCompile(`importance-weight ESS ([0-9.]+) \(([0-9.]+)% of the pool\)`).FindStringSubmatch(stdout)
	if m == nil {
		t.Fatalf("no ESS in %q", stdout)
	}
	v, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestSampleSIR: --sampler sir samples the model itself (β = 1) unless --beta
// is given, prints its pool, ESS and distinct samples, and is deterministic
// per seed; at β = 0 the weights are equal (ESS = the pool, every sample
// distinct), and the ESS falls as β grows.
func TestSampleSIR(t *testing.T) {
	dir := t.TempDir()
	m := writeModel(t, dir, "m.gebm", 2, nil)
	run := func(args ...string) (string, []float32) {
		t.Helper()
		out := filepath.Join(dir, "x.csv")
		code, stdout, errOut := gebm(t, append([]string{"sample", "--model", m, "--sampler", "sir", "--n", "300", "--quiet",
			"--out", out}, args...)...)
		if code != 0 {
			t.Fatal(errOut)
		}
		d, err := data.ReadFile(out, 2)
		if err != nil || d.Rows() != 300 {
			t.Fatalf("output: %v", err)
		}
		return stdout, d.X
	}
	stdout, a := run()
	for _, want := range []string{"SIR at β=1: pool 20×300 = 6000 generator samples", "importance-weight ESS", "distinct of 300 samples",
		"log mean weight", "the model's A", "wrote 300 samples"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
	if _, b := run(); !slices.Equal(a, b) {
		t.Error("same seed, different samples")
	}
	if _, c := run("--seed", "2"); slices.Equal(a, c) {
		t.Error("another seed, same samples")
	}
	stdout, _ = run("--beta", "0", "--sir-pool", "3")
	if !strings.Contains(stdout, "pool 3×300 = 900") || !strings.Contains(stdout, "ESS 900.0 (100.0% of the pool), 300 distinct") {
		t.Errorf("β = 0: %s", stdout)
	}
	prev := math.Inf(1)
	for _, beta := range []string{"0", "1", "10", "100"} {
		stdout, _ := run("--beta", beta)
		ess := essOf(t, stdout)
		if !strings.Contains(stdout, "SIR at β="+beta+":") || !(ess <= prev) || ess < 1 {
			t.Errorf("β = %s: ESS %v after %v: %s", beta, ess, prev, stdout)
		}
		prev = ess
	}
}
