package sample

import (
	"math"
	"math/rand/v2"
	"testing"
)

// Test potentials and Monte-Carlo helpers shared by the tests.

// gaussian is U(z) = (z−μ)ᵀP(z−μ)/2 with precision P = Σ⁻¹: the target N(μ, Σ).
type gaussian struct {
	mu   []float64
	cov  [][]float64
	prec [][]float64
}

func newGaussian(mu []float64, cov [][]float64) gaussian {
	return gaussian{mu: mu, cov: cov, prec: inverse(cov)}
}

func (g gaussian) Dim() int { return len(g.mu) }

func (g gaussian) Eval(z []float32, u []float64, grad []float32) {
	d := len(g.mu)
	var r [16]float64
	for i := range u {
		for a := 0; a < d; a++ {
			r[a] = float64(z[i*d+a]) - g.mu[a]
		}
		var s float64
		for a := 0; a < d; a++ {
			var pa float64
			for b := 0; b < d; b++ {
				pa += g.prec[a][b] * r[b]
			}
			grad[i*d+a] = float32(pa)
			s += r[a] * pa
		}
		u[i] = s / 2
	}
}

// draw returns n exact draws from N(μ, Σ), by Σ's Cholesky factor.
func (g gaussian) draw(rng *rand.Rand, n int) []float32 {
	d := len(g.mu)
	l := make([][]float64, d)
	for i := range l {
		l[i] = make([]float64, d)
		for j := 0; j <= i; j++ {
			s := g.cov[i][j]
			for k := 0; k < j; k++ {
				s -= l[i][k] * l[j][k]
			}
			if i == j {
				l[i][i] = math.Sqrt(s)
			} else {
				l[i][j] = s / l[j][j]
			}
		}
	}
	z := make([]float32, n*d)
	xi := make([]float64, d)
	for p := 0; p < n; p++ {
		for k := range xi {
			xi[k] = rng.NormFloat64()
		}
		for i := 0; i < d; i++ {
			s := g.mu[i]
			for k := 0; k <= i; k++ {
				s += l[i][k] * xi[k]
			}
			z[p*d+i] = float32(s)
		}
	}
	return z
}

// inverse inverts a small symmetric positive-definite matrix by Gauss-Jordan elimination.
func inverse(a [][]float64) [][]float64 {
	d := len(a)
	m := make([][]float64, d)
	for i := range m {
		m[i] = make([]float64, 2*d)
		copy(m[i], a[i])
		m[i][d+i] = 1
	}
	for c := 0; c < d; c++ {
		p := m[c][c]
		for j := range m[c] {
			m[c][j] /= p
		}
		for r := 0; r < d; r++ {
			if r != c {
				f := m[r][c]
				for j := range m[r] {
					m[r][j] -= f * m[c][j]
				}
			}
		}
	}
	inv := make([][]float64, d)
	for i := range inv {
		inv[i] = m[i][d:]
	}
	return inv
}

// mixture1D is the 1-D mixture w₁N(m₁, s²) + (1−w₁)N(m₂, s²).
type mixture1D struct{ w1, m1, m2, s float64 }

func (p mixture1D) Dim() int { return 1 }

func (p mixture1D) Eval(z []float32, u []float64, grad []float32) {
	for i := range u {
		x := float64(z[i])
		a1 := (x - p.m1) / p.s
		a2 := (x - p.m2) / p.s
		// log of each weighted component, up to the common constant −log(s√(2π)).
		l1 := math.Log(p.w1) - a1*a1/2
		l2 := math.Log(1-p.w1) - a2*a2/2
		m := math.Max(l1, l2)
		lse := m + math.Log(math.Exp(l1-m)+math.Exp(l2-m))
		r1 := math.Exp(l1 - lse) // responsibility of component 1
		u[i] = -lse
		grad[i] = float32(r1*a1/p.s + (1-r1)*a2/p.s)
	}
}

// massBelow0 returns the mixture's probability of z < 0.
func (p mixture1D) massBelow0() float64 {
	phi := func(x float64) float64 { return 0.5 * math.Erfc(-x/math.Sqrt2) }
	return p.w1*phi(-p.m1/p.s) + (1-p.w1)*phi(-p.m2/p.s)
}

// stdNormal is U(z) = ||z||²/2 in dimension d: the trivial potential of benchmarks.
type stdNormal int

func (s stdNormal) Dim() int { return int(s) }

func (s stdNormal) Eval(z []float32, u []float64, grad []float32) {
	d := int(s)
	for i := range u {
		var e float64
		for k := i * d; k < (i+1)*d; k++ {
			e += float64(z[k]) * float64(z[k])
			grad[k] = z[k]
		}
		u[i] = e / 2
	}
}

// counting counts the calls to Eval of the potential it wraps.
type counting struct {
	Potential
	calls int
}

func (c *counting) Eval(z []float32, u []float64, grad []float32) {
	c.calls++
	c.Potential.Eval(z, u, grad)
}

// chainMeans runs c for burn steps and then steps steps of cfg, and returns, for each of
// the statistics stat computes from one chain's state, the mean over chains of the chain's
// time average, and its Monte-Carlo standard error: the standard deviation over chains of
// the time averages divided by √n. The chains are independent, so this standard error is
// honest whatever the autocorrelation within a chain.
func chainMeans(t *testing.T, c *Chains, cfg Config, rng *rand.Rand, burn int, nstat int,
	stat func(z []float32, out []float64)) (mean, se []float64) {
	t.Helper()
	b := cfg
	b.Steps, b.Warmup = burn, 0
	if _, err := c.Run(b, rng, nil); err != nil {
		t.Fatal(err)
	}
	n, d := c.N(), c.Dim()
	sums := make([]float64, n*nstat)
	out := make([]float64, nstat)
	recs := 0
	_, err := c.Run(cfg, rng, func(_ int, z []float32, _ []float64) {
		recs++
		for i := 0; i < n; i++ {
			stat(z[i*d:(i+1)*d], out)
			for k, v := range out {
				sums[i*nstat+k] += v
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	mean = make([]float64, nstat)
	se = make([]float64, nstat)
	for k := 0; k < nstat; k++ {
		var s, s2 float64
		for i := 0; i < n; i++ {
			x := sums[i*nstat+k] / float64(recs)
			s += x
			s2 += x * x
		}
		m := s / float64(n)
		v := (s2/float64(n) - m*m) * float64(n) / float64(n-1)
		mean[k], se[k] = m, math.Sqrt(math.Max(v, 0)/float64(n))
	}
	return mean, se
}

// randomStarts returns n points of dimension d drawn from N(0, scale² I).
func randomStarts(rng *rand.Rand, n, d int, scale float64) []float32 {
	z := make([]float32, n*d)
	for k := range z {
		z[k] = float32(scale * rng.NormFloat64())
	}
	return z
}
