package sample

import (
	"errors"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"testing"
)

// quadTilt is V(z) = Σ_i a_i (z_i − c_i)²/2. It tilts N(0, I) into the Gaussian
// N(μ, diag(σ²)) with σ_i² = 1/(1 + a_i) and μ_i = a_i c_i/(1 + a_i), and the weights
// w = exp(−V) of z ~ N(0, I) have the moments
//
//	E[w^k] = Π_i (1 + k a_i)^(−1/2) exp(−k a_i c_i² / (2(1 + k a_i))),
//
// so the ESS fraction ESS/M tends to E[w]²/E[w²].
type quadTilt struct{ a, c []float64 }

func (q quadTilt) Dim() int { return len(q.a) }

func (q quadTilt) Eval(z []float32, v []float64) {
	d := len(q.a)
	for i := range v {
		var s float64
		for k := 0; k < d; k++ {
			r := float64(z[i*d+k]) - q.c[k]
			s += q.a[k] * r * r / 2
		}
		v[i] = s
	}
}

func (q quadTilt) mean(i int) float64 { return q.a[i] * q.c[i] / (1 + q.a[i]) }
func (q quadTilt) vari(i int) float64 { return 1 / (1 + q.a[i]) }

// weightMoment is E[w^k] for z ~ N(0, I).
func (q quadTilt) weightMoment(k float64) float64 {
	m := 1.0
	for i, a := range q.a {
		m *= math.Exp(-k*a*q.c[i]*q.c[i]/(2*(1+k*a))) / math.Sqrt(1+k*a)
	}
	return m
}

// sirAll runs SIR and returns all its samples, checking the chunks' sizes.
func sirAll(t *testing.T, tl Tilt, cfg SIRConfig, rng *rand.Rand) ([]float32, SIRStats) {
	t.Helper()
	d := tl.Dim()
	batch := cfg.Batch
	if batch == 0 {
		batch = DefaultSIRBatch
	}
	var out []float32
	st, err := SIR(tl, cfg, rng, func(z []float32) error {
		if len(z) == 0 || len(z)%d != 0 || len(z) > batch*d {
			t.Fatalf("chunk of %d values (dimension %d, batch %d)", len(z), d, batch)
		}
		out = append(out, z...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != cfg.N*d {
		t.Fatalf("%d values, want %d samples of dimension %d", len(out), cfg.N, d)
	}
	return out, st
}

// TestSIRGaussian: SIR from N(0, I) with weights exp(−V) for a quadratic V reproduces the
// mean and variance of the tilted Gaussian, and its ESS fraction matches the closed
// form. R independent draws (seeds) give R estimates of each quantity; their mean must
// be within 4 standard errors (their spread over √R) of the truth: a false alarm has
// probability about 2e-3 per quantity with 19 degrees of freedom (Student's t), and the
// seeds are fixed. Each standard error is also bounded, so the check has power: the
// untilted N(0, I) (variance 1, not 0.5 or 0.8) is tens of standard errors away.
func TestSIRGaussian(t *testing.T) {
	q := quadTilt{a: []float64{1, 0.25}, c: []float64{0.5, -1}}
	const R, N, M = 20, 2000, 40000
	d := q.Dim()
	nstat := 2*d + 1 // means, variances, ESS fraction
	est := make([][]float64, nstat)
	for r := range R {
		z, st := sirAll(t, q, SIRConfig{N: N, Pool: M, Batch: 700}, rand.New(rand.NewPCG(uint64(r), 77)))
		for i := 0; i < d; i++ {
			var s, s2 float64
			for k := 0; k < N; k++ {
				x := float64(z[k*d+i])
				s += x
				s2 += x * x
			}
			m := s / N
			est[i] = append(est[i], m)
			est[d+i] = append(est[d+i], (s2/N-m*m)*N/(N-1))
		}
		est[2*d] = append(est[2*d], st.ESSFraction())
		if st.Pool != M || st.Zero != 0 || !(st.ESS >= 1 && st.ESS <= M) || st.Distinct > N || st.Distinct < N/2 {
			t.Fatalf("seed %d: stats %+v", r, st)
		}
	}
	essFrac := q.weightMoment(1) * q.weightMoment(1) / q.weightMoment(2)
	for k := 0; k < nstat; k++ {
		var want, maxSE float64
		var what string
		switch {
		case k < d:
			what, want, maxSE = fmt.Sprintf("E z%d", k), q.mean(k), 0.01
		case k < 2*d:
			what, want, maxSE = fmt.Sprintf("Var z%d", k-d), q.vari(k-d), 0.01
		default:
			what, want, maxSE = "ESS/M", essFrac, 0.005
		}
		var s, s2 float64
		for _, x := range est[k] {
			s += x
			s2 += x * x
		}
		m := s / R
		se := math.Sqrt((s2/R-m*m)*R/(R-1)) / math.Sqrt(R)
		if math.Abs(m-want) > 4*se {
			t.Errorf("%s = %.5f ± %.5f, want %.5f (%.1f SE off)", what, m, se, want, (m-want)/se)
		}
		if !(se > 0 && se < maxSE) {
			t.Errorf("%s: standard error %g, want in (0, %g)", what, se, maxSE)
		}
		t.Logf("%s = %.5f ± %.5f (truth %.5f)", what, m, se, want)
	}
}

// recordTilt wraps a Tilt and records every proposal and its V, in order.
type recordTilt struct {
	Tilt
	z []float32
	v []float64
}

func (r *recordTilt) Eval(z []float32, v []float64) {
	r.Tilt.Eval(z, v)
	r.z = append(r.z, z...)
	r.v = append(r.v, v...)
}

// TestSIRSystematicCounts: every proposal j is returned ⌊N p_j⌋ or ⌈N p_j⌉ times,
// p_j = w_j / Σw (systematic resampling), in the order the proposals were drawn; the
// samples are proposals (rows of d = 3 values drawn again from their streams, bit for
// bit); the ESS, the log-sums and the count of distinct samples are those of the
// recorded weights.
func TestSIRSystematicCounts(t *testing.T) {
	const d = 3
	rec := &recordTilt{Tilt: quadTilt{a: []float64{3, 0.5, 1}, c: []float64{1.5, 0, -0.5}}}
	const N, M = 500, 1300 // several blocks of 256, the last one short
	z, st := sirAll(t, rec, SIRConfig{N: N, Pool: M, Batch: 100}, rand.New(rand.NewPCG(4, 4)))
	if len(rec.z) != M*d {
		t.Fatalf("the tilt saw %d values, want %d proposals of dimension %d", len(rec.z), M, d)
	}
	var s1, s2 float64
	for _, v := range rec.v {
		w := math.Exp(-v)
		s1 += w
		s2 += w * w
	}
	row := func(x []float32, i int) [d]float32 { return [d]float32(x[i*d : (i+1)*d]) }
	count := make([]int, M)
	next := 0
	for k := 0; k < N; k++ {
		for next < M && row(rec.z, next) != row(z, k) {
			next++
		}
		if next == M {
			t.Fatalf("sample %d (%v) is not a proposal at or after the previous sample's", k, row(z, k))
		}
		count[next]++
	}
	distinct := 0
	for j, c := range count {
		want := N * math.Exp(-rec.v[j]) / s1
		if float64(c) < math.Floor(want)-1e-9 || float64(c) > math.Ceil(want)+1e-9 {
			t.Errorf("proposal %d taken %d times, want ⌊%.4f⌋ or ⌈%.4f⌉", j, c, want, want)
		}
		if c > 0 {
			distinct++
		}
	}
	near := func(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(b)) }
	if !near(st.ESS, s1*s1/s2) || !near(st.LogSumW, math.Log(s1)) || !near(st.LogSumW2, math.Log(s2)) ||
		st.Distinct != distinct || st.Pool != M {
		t.Errorf("stats %+v; want ESS %v, log Σw %v, log Σw² %v, %d distinct", st, s1*s1/s2, math.Log(s1), math.Log(s2), distinct)
	}
	if distinct == N || distinct < N/4 {
		t.Errorf("%d distinct samples of %d: the weights should repeat some proposals and not collapse", distinct, N)
	}
}

// constTilt is V(z) = c everywhere: equal weights.
type constTilt struct {
	d int
	c float64
}

func (k constTilt) Dim() int { return k.d }
func (k constTilt) Eval(z []float32, v []float64) {
	for i := range v {
		v[i] = k.c
	}
}

// TestSIREqualWeights: with equal weights the ESS is M exactly, every sample is a
// different proposal, and the log mean weight is −c.
func TestSIREqualWeights(t *testing.T) {
	const N, M = 300, 1000
	z, st := sirAll(t, constTilt{3, 7.5}, SIRConfig{N: N, Pool: M}, rand.New(rand.NewPCG(9, 9)))
	if st.ESS != M || st.Distinct != N || st.Zero != 0 || math.Abs(st.LogMeanWeight()+7.5) > 1e-12 {
		t.Errorf("stats %+v, log mean weight %v", st, st.LogMeanWeight())
	}
	seen := map[[3]float32]bool{}
	for k := 0; k < N; k++ {
		key := [3]float32{z[3*k], z[3*k+1], z[3*k+2]}
		if seen[key] {
			t.Fatalf("sample %d repeats an earlier one", k)
		}
		seen[key] = true
	}
}

// TestSIRDeterministic: the same seed gives the same samples and stats whatever the
// batch; another seed gives other samples.
func TestSIRDeterministic(t *testing.T) {
	q := quadTilt{a: []float64{2, 0.5, 1}, c: []float64{0, 1, -1}}
	cfg := SIRConfig{N: 400, Pool: 3000}
	var first []float32
	var firstSt SIRStats
	for i, batch := range []int{0, 1, 257, 3000} {
		cfg.Batch = batch
		z, st := sirAll(t, q, cfg, rand.New(rand.NewPCG(5, 6)))
		if i == 0 {
			first, firstSt = z, st
			continue
		}
		if st != firstSt {
			t.Errorf("batch %d: stats %+v, batch 0: %+v", batch, st, firstSt)
		}
		for k := range z {
			if math.Float32bits(z[k]) != math.Float32bits(first[k]) {
				t.Fatalf("batch %d: value %d is %v, batch 0 gave %v", batch, k, z[k], first[k])
			}
		}
	}
	other, _ := sirAll(t, q, cfg, rand.New(rand.NewPCG(5, 7)))
	same := 0
	for k := range other {
		if other[k] == first[k] {
			same++
		}
	}
	if same == len(other) {
		t.Error("another seed gave the same samples")
	}
}

// holeyTilt is V(z) = 0 for z < 0 and, for z ≥ 0, NaN, +Inf or −Inf by thirds of
// [0, 3): every non-finite V must give weight 0, so SIR samples N(0, 1) truncated to
// z < 0, whose mean is −√(2/π).
type holeyTilt struct{}

func (holeyTilt) Dim() int { return 1 }
func (holeyTilt) Eval(z []float32, v []float64) {
	for i, x := range z {
		switch {
		case x < 0:
			v[i] = 0
		case x < 1:
			v[i] = math.NaN()
		case x < 2:
			v[i] = math.Inf(1)
		default:
			v[i] = math.Inf(-1)
		}
	}
}

// TestSIRNonFinite: proposals with a non-finite V are never returned and are counted;
// the samples' mean is the truncated normal's (within 5 standard errors of the mean of
// N samples of it, an upper bound for systematic resampling); every V non-finite is an
// error wrapping ErrSIRWeights, before any sample is visited.
func TestSIRNonFinite(t *testing.T) {
	const N, M = 4000, 40000
	z, st := sirAll(t, holeyTilt{}, SIRConfig{N: N, Pool: M}, rand.New(rand.NewPCG(1, 2)))
	var s float64
	for _, x := range z {
		if !(x < 0) {
			t.Fatalf("sample %v has weight 0", x)
		}
		s += float64(x)
	}
	// Truncated to z < 0: mean −√(2/π), variance 1 − 2/π.
	want, sd := -math.Sqrt(2/math.Pi), math.Sqrt(1-2/math.Pi)
	if m := s / N; math.Abs(m-want) > 5*sd/math.Sqrt(N) {
		t.Errorf("mean %.4f, want %.4f ± %.4f", m, want, sd/math.Sqrt(N))
	}
	if st.Zero < M/2-600 || st.Zero > M/2+600 { // binomial(M, 1/2): sd 100
		t.Errorf("%d proposals with weight 0 of %d, want about half", st.Zero, M)
	}
	called := false
	_, err := SIR(constTilt{2, math.NaN()}, SIRConfig{N: 5, Pool: 50}, rand.New(rand.NewPCG(1, 1)),
		func([]float32) error { called = true; return nil })
	if !errors.Is(err, ErrSIRWeights) || called {
		t.Errorf("every V NaN: err %v, visit called %v", err, called)
	}
}

// TestSIRExtremeWeights: log-weights of ±1000 and more, which overflow exp in float64,
// give finite stats and valid samples (the weights are taken about their maximum). With
// V(z) = −1000 z the tilted law is N(1000, 1), far beyond any proposal: SIR can only
// return the largest proposals, and its ESS says so.
func TestSIRExtremeWeights(t *testing.T) {
	q := quadTilt{a: []float64{-2000}, c: []float64{0}} // V = −1000 z²: weights up to e^(1000·z²)
	lin := linTilt(-1000)
	for _, tl := range []Tilt{q, lin} {
		z, st := sirAll(t, tl, SIRConfig{N: 50, Pool: 5000}, rand.New(rand.NewPCG(3, 3)))
		if !(st.ESS >= 1 && st.ESS < 2) || math.IsInf(st.LogSumW, 0) || math.IsNaN(st.LogSumW) ||
			math.IsInf(st.LogSumW2, 0) || st.Distinct != 1 {
			t.Errorf("%T: stats %+v, want finite log-sums, ESS in [1, 2) and one distinct sample", tl, st)
		}
		for _, x := range z {
			if x != z[0] || !(math.Abs(float64(x)) > 3) {
				t.Fatalf("%T: samples %v, want one extreme proposal repeated", tl, z[:5])
			}
		}
	}
}

// linTilt is V(z) = b z in 1-D.
type linTilt float64

func (linTilt) Dim() int { return 1 }
func (b linTilt) Eval(z []float32, v []float64) {
	for i, x := range z {
		v[i] = float64(b) * float64(x)
	}
}

// TestSIRBadInput: absurd sizes, nil arguments and a failing visit are errors.
func TestSIRBadInput(t *testing.T) {
	q := quadTilt{a: []float64{1}, c: []float64{0}}
	rng := rand.New(rand.NewPCG(1, 1))
	ok := func([]float32) error { return nil }
	for _, c := range []struct {
		name string
		tl   Tilt
		cfg  SIRConfig
		rng  *rand.Rand
		f    func([]float32) error
	}{
		{"no samples", q, SIRConfig{N: 0, Pool: 10}, rng, ok},
		{"pool below n", q, SIRConfig{N: 10, Pool: 9}, rng, ok},
		{"pool too large", q, SIRConfig{N: 10, Pool: MaxSIRPool + 1}, rng, ok},
		{"negative batch", q, SIRConfig{N: 1, Pool: 1, Batch: -1}, rng, ok},
		{"nil tilt", nil, SIRConfig{N: 1, Pool: 1}, rng, ok},
		{"nil rng", q, SIRConfig{N: 1, Pool: 1}, nil, ok},
		{"nil visit", q, SIRConfig{N: 1, Pool: 1}, rng, nil},
		{"zero dimension", constTilt{0, 0}, SIRConfig{N: 1, Pool: 1}, rng, ok},
	} {
		if _, err := SIR(c.tl, c.cfg, c.rng, c.f); err == nil {
			t.Errorf("%s: no error", c.name)
		}
	}
	stop := errors.New("stop")
	calls := 0
	_, err := SIR(q, SIRConfig{N: 30, Pool: 60, Batch: 10}, rng, func([]float32) error { calls++; return stop })
	if !errors.Is(err, stop) || calls != 1 {
		t.Errorf("visit's error: %v after %d calls, want it after 1", err, calls)
	}
}

// TestSIRGolden pins the bits of a fixed-seed draw, as TestGolden does for the kernels:
// it passes unchanged on linux/amd64 and js/wasm (make test-wasm-shared runs it in Node
// and in wazero), so the same seed gives the same samples everywhere.
func TestSIRGolden(t *testing.T) {
	h := fnv.New64a()
	put := func(bits uint64) {
		var b [8]byte
		for i := range b {
			b[i] = byte(bits >> (8 * i))
		}
		h.Write(b[:])
	}
	q := quadTilt{a: []float64{4, 0.3}, c: []float64{0.7, -0.2}}
	z, st := sirAll(t, q, SIRConfig{N: 64, Pool: 1000, Batch: 300}, rand.New(rand.NewPCG(2024, 12)))
	for _, x := range z {
		put(uint64(math.Float32bits(x)))
	}
	for _, x := range []float64{st.ESS, st.LogSumW, st.LogSumW2, float64(st.Distinct)} {
		put(math.Float64bits(x))
	}
	const want = 0xa9cc23cb52d87664
	if got := h.Sum64(); got != want {
		t.Errorf("golden hash %#x, want %#x", got, uint64(want))
	}
}
