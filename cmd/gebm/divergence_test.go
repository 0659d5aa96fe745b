package main

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/gebm/gebm/shared/data"
	"github.com/gebm/gebm/shared/kale"
)

// gaussFile writes n points of N(mean, I) to path (.npy or .csv) and returns
// them as the float64 samples the command reads back.
func gaussFile(t *testing.T, path string, n int, mean []float64, seed uint64) kale.Samples {
	t.Helper()
	d := len(mean)
	rng := rand.New(rand.NewPCG(seed, 0))
	x := make([]float32, n*d)
	for i := range x {
		x[i] = float32(mean[i%d] + rng.NormFloat64())
	}
	var err error
	if strings.HasSuffix(path, ".csv") {
		names := make([]string, d)
		for k := range names {
			names[k] = "x" + strconv.Itoa(k)
		}
		err = data.WriteCSVFile(path, x, d, names)
	} else {
		err = data.WriteNPYFile(path, x, d)
	}
	if err != nil {
		t.Fatal(err)
	}
	s, err := kale.SamplesFromFloat32(x, n, d)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// divergenceJSON runs gebm divergence with --json and decodes the report.
func divergenceJSON(t *testing.T, args ...string) divergenceReport {
	t.Helper()
	code, out, errOut := gebm(t, append([]string{"divergence", "--json"}, args...)...)
	if code != 0 {
		t.Fatalf("gebm divergence %v: code %d, %s", args, code, errOut)
	}
	var r divergenceReport
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("%v: %q", err, out)
	}
	return r
}

// TestDivergenceMatchesLibrary: every kind, through run(), on P = N(0, I₂)
// (.npy, 200 points) and Q = N(e₁, I₂) (.csv, 150 points), returns exactly
// the shared/kale value on the same float32 data, with the parameters used
// reported; the plain output is the value to 6 digits.
func TestDivergenceMatchesLibrary(t *testing.T) {
	dir := t.TempDir()
	pPath, qPath := filepath.Join(dir, "p.npy"), filepath.Join(dir, "q.csv")
	x := gaussFile(t, pPath, 200, []float64{0, 0}, 1)
	y := gaussFile(t, qPath, 150, []float64{1, 0}, 2)
	files := []string{"--p", pPath, "--q", qPath}
	sigma := kale.MedianBandwidth(x, y)

	exact, err := kale.KALE(x, y, kale.Options{})
	if err != nil {
		t.Fatal(err)
	}
	rff, err := kale.KALERandomFeatures(x, y, kale.Options{}, 128, rand.New(rand.NewPCG(7, 0)))
	if err != nil {
		t.Fatal(err)
	}
	kl, _, err := kale.KLLowerBound(x, y, kale.Options{})
	if err != nil {
		t.Fatal(err)
	}
	mmdU, _ := kale.MMD2Unbiased(x, y, sigma)
	mmdB, _ := kale.MMD2Biased(x, y, 0.5)
	nn, err := kale.KALENeural(x, y, kale.NeuralOptions{Hidden: []int{8}, Steps: 150, EarlyStop: true, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	custom, err := kale.KALE(x, y, kale.Options{Lambda: 0.05, Bandwidth: 0.7})
	if err != nil {
		t.Fatal(err)
	}

	for _, c := range []struct {
		name       string
		args       []string
		want       float64
		iterations int
		params     map[string]float64
	}{
		{"kale", nil, exact.Value, exact.Iterations, map[string]float64{"lambda": 0.1, "bandwidth": sigma}},
		{"kale λ σ", []string{"--lambda", "0.05", "--bandwidth", "0.7"}, custom.Value, custom.Iterations,
			map[string]float64{"lambda": 0.05, "bandwidth": 0.7}},
		{"kale features", []string{"--features", "128", "--seed", "7"}, rff.Value, rff.Iterations,
			map[string]float64{"lambda": 0.1, "bandwidth": sigma, "features": 128}},
		{"kl", []string{"--kind", "kl"}, kl, exact.Iterations, map[string]float64{"kale": exact.Value}},
		{"mmd", []string{"--kind", "mmd"}, mmdU, 0, map[string]float64{"bandwidth": sigma}},
		{"mmd biased", []string{"--kind", "mmd", "--biased", "--bandwidth", "0.5"}, mmdB, 0, map[string]float64{"bandwidth": 0.5}},
		{"kale-nn", []string{"--kind", "kale-nn", "--hidden", "8", "--steps", "150", "--seed", "3"}, nn.Value, nn.Iterations,
			map[string]float64{"steps": 150, "gp": 1, "lr": 1e-3, "dv": nn.DV}},
	} {
		args := append(append([]string(nil), files...), c.args...)
		r := divergenceJSON(t, args...)
		t.Logf("%-13s value %.6f, %d iterations, converged %v, parameters %v", c.name, r.Value, r.Iterations, r.Converged, r.Parameters)
		if r.Value != c.want || r.Iterations != c.iterations || r.NP != 200 || r.NQ != 150 || r.Dim != 2 {
			t.Errorf("%s: value %v, %d iterations, %d/%d points, dim %d; want %v, %d, 200/150, 2",
				c.name, r.Value, r.Iterations, r.NP, r.NQ, r.Dim, c.want, c.iterations)
		}
		if r.Kind == "kale" || r.Kind == "kl" || r.Kind == "mmd" {
			if !r.Converged {
				t.Errorf("%s: not converged", c.name)
			}
		}
		for k, v := range c.params {
			if got, ok := r.Parameters[k].(float64); !ok || got != v {
				t.Errorf("%s: parameter %s = %v, want %v", c.name, k, r.Parameters[k], v)
			}
		}
		code, out, errOut := gebm(t, append([]string{"divergence"}, args...)...)
		if code != 0 || strings.TrimSpace(out) != strconv.FormatFloat(c.want, 'g', 6, 64) {
			t.Errorf("%s plain: code %d, %q (%s), want %.6g", c.name, code, out, errOut, c.want)
		}
	}
}

// TestDivergenceSameSamples: the same file as P and Q gives KALE 0 after no
// Newton step, and a shifted copy a positive value.
func TestDivergenceSameSamples(t *testing.T) {
	dir := t.TempDir()
	a := filepath.Join(dir, "a.npy")
	gaussFile(t, a, 100, []float64{0, 0, 0}, 4)
	r := divergenceJSON(t, "--p", a, "--q", a)
	if math.Abs(r.Value) > 1e-12 || r.Iterations != 0 || !r.Converged || r.Kind != "kale" {
		t.Errorf("KALE(A, A): %+v, want 0 after 0 iterations", r)
	}
	b := filepath.Join(dir, "b.npy")
	gaussFile(t, b, 100, []float64{2, 0, 0}, 5)
	if r := divergenceJSON(t, "--p", a, "--q", b); r.Value < 0.5 {
		t.Errorf("KALE(A, A + 2e₁) = %v, want > 0.5", r.Value)
	}
}

// TestDivergenceErrors: bad input gives exit code 1, one line on stderr that
// says what is wrong, nothing on stdout, no panic.
func TestDivergenceErrors(t *testing.T) {
	dir := t.TempDir()
	p2, q3 := filepath.Join(dir, "p2.npy"), filepath.Join(dir, "q3.csv")
	gaussFile(t, p2, 20, []float64{0, 0}, 1)
	gaussFile(t, q3, 20, []float64{0, 0, 0}, 2)
	write := func(name, content string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	emptyCSV := write("empty.csv", "")
	headerOnly := write("header.csv", "x,y\n")
	badNPY := write("bad.npy", "not an array")
	badCSV := write("bad.csv", "1,2\n3,abc\n")
	nanCSV := write("nan.csv", "1,2\n3,nan\n")
	emptyNPY := filepath.Join(dir, "empty.npy")
	if err := data.WriteNPYFile(emptyNPY, nil, 2); err != nil {
		t.Fatal(err)
	}
	txt := write("p.txt", "1,2\n")

	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--p", p2, "--q", q3}, "dimension mismatch"},
		{[]string{"--p", p2, "--q", emptyCSV}, "empty file"},
		{[]string{"--p", p2, "--q", headerOnly}, "no data rows"},
		{[]string{"--p", emptyNPY, "--q", p2}, "empty array"},
		{[]string{"--p", badNPY, "--q", p2}, "not a .npy file"},
		{[]string{"--p", p2, "--q", badCSV}, "non-numeric"},
		{[]string{"--p", p2, "--q", nanCSV}, "non-finite"},
		{[]string{"--p", txt, "--q", p2}, "unknown file type"},
		{[]string{"--p", filepath.Join(dir, "missing.npy"), "--q", p2}, "no such file"},
		{[]string{"--p", p2}, "--p and --q are required"},
		{[]string{"--p", p2, "--q", p2, "--kind", "js"}, `unknown --kind "js"`},
		{[]string{"--p", p2, "--q", p2, "--lambda", "-1"}, "--lambda -1: want a finite value > 0"},
		{[]string{"--p", p2, "--q", p2, "--lambda", "0"}, "--lambda 0"},
		{[]string{"--p", p2, "--q", p2, "--lambda", "NaN"}, "--lambda NaN"},
		{[]string{"--p", p2, "--q", p2, "--bandwidth", "-0.5"}, "--bandwidth -0.5"},
		{[]string{"--p", p2, "--q", p2, "--lambda", "abc"}, `invalid value "abc"`},
		{[]string{"--p", p2, "--q", p2, "--features", "-3"}, "--features -3"},
		{[]string{"--p", p2, "--q", p2, "--kind", "mmd", "--lambda", "1"}, "--lambda does not apply to --kind mmd"},
		{[]string{"--p", p2, "--q", p2, "--kind", "kale-nn", "--steps", "0"}, "--steps 0"},
		{[]string{"--p", p2, "--q", p2, "--kind", "kale-nn", "--hidden", "8,0"}, "positive layer widths"},
		{[]string{"--p", p2, "--q", p2, "stray"}, `unexpected argument "stray"`},
		{[]string{"--frobnicate"}, "not defined"},
	} {
		code, out, errOut := gebm(t, append([]string{"divergence"}, c.args...)...)
		if code != 1 || out != "" || !strings.Contains(errOut, c.want) ||
			strings.Count(errOut, "\n") != 1 || !strings.HasPrefix(errOut, "gebm divergence: ") {
			t.Errorf("%v: code %d, stdout %q, stderr %q; want code 1 and one line containing %q", c.args, code, out, errOut, c.want)
		}
	}
	if code, _, errOut := gebm(t, "divergence", "-h"); code != 0 || !strings.Contains(errOut, "kale-nn") {
		t.Errorf("-h: code %d, %q", code, errOut)
	}
}
