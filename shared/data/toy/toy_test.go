package toy

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// moments returns the sample mean and covariance (cxx, cyy, cxy) of 2-D rows.
func moments(x []float32) (mx, my, cxx, cyy, cxy float64) {
	n := float64(len(x) / 2)
	for i := 0; i < len(x); i += 2 {
		mx += float64(x[i])
		my += float64(x[i+1])
	}
	mx /= n
	my /= n
	for i := 0; i < len(x); i += 2 {
		dx, dy := float64(x[i])-mx, float64(x[i+1])-my
		cxx += dx * dx
		cyy += dy * dy
		cxy += dx * dy
	}
	return mx, my, cxx / n, cyy / n, cxy / n
}

// seMoments returns the standard errors of the five statistics of moments,
// estimated as the sample sd of each summand (x, y, (x−mx)², (y−my)²,
// (x−mx)(y−my)) over √n.
func seMoments(x []float32, mx, my float64) [5]float64 {
	var s, s2 [5]float64
	n := float64(len(x) / 2)
	for i := 0; i < len(x); i += 2 {
		dx, dy := float64(x[i])-mx, float64(x[i+1])-my
		v := [5]float64{dx, dy, dx * dx, dy * dy, dx * dy}
		for k := range v {
			s[k] += v[k]
			s2[k] += v[k] * v[k]
		}
	}
	var se [5]float64
	for k := range se {
		m := s[k] / n
		se[k] = math.Sqrt((s2[k]/n - m*m) / n)
	}
	return se
}

// quad integrates f over [a, b] with the composite Simpson rule on m (even)
// intervals.
func quad(f func(float64) float64, a, b float64, m int) float64 {
	h := (b - a) / float64(m)
	s := f(a) + f(b)
	for i := 1; i < m; i++ {
		w := 2.0
		if i%2 == 1 {
			w = 4
		}
		s += w * f(a+float64(i)*h)
	}
	return s * h / 3
}

// toyMoments gives, for each toy, the exact mean and covariance implied by
// its definition (derivations in the comments), as {mx, my, cxx, cyy, cxy}.
func toyMoments(t *testing.T, name string) [5]float64 {
	switch name {
	case "8gaussians":
		// E[x²] = r²·E[cos²] + σ² = 4/2 + 0.02².
		return [5]float64{0, 0, 2 + 0.0004, 2 + 0.0004, 0}
	case "25gaussians":
		// Grid coordinate uniform on {-4,-2,0,2,4}: variance 40/5 = 8.
		return [5]float64{0, 0, 8 + 0.0025, 8 + 0.0025, 0}
	case "swissroll":
		// Moments over t = 1.5π(1+2u) by quadrature; noise adds 1/25.
		a, b := 1.5*math.Pi, 4.5*math.Pi
		e := func(f func(float64) float64) float64 { return quad(f, a, b, 2000) / (b - a) }
		mx := e(func(t float64) float64 { return t * math.Cos(t) / 5 })
		my := e(func(t float64) float64 { return t * math.Sin(t) / 5 })
		xx := e(func(t float64) float64 { return t * t * math.Cos(t) * math.Cos(t) / 25 })
		yy := e(func(t float64) float64 { return t * t * math.Sin(t) * math.Sin(t) / 25 })
		xy := e(func(t float64) float64 { return t * t * math.Cos(t) * math.Sin(t) / 25 })
		return [5]float64{mx, my, xx - mx*mx + 0.04, yy - my*my + 0.04, xy - mx*my}
	case "2spirals":
		// θ has density 2θ/(9π²) on [0, 3π]; a ~ U(0, .5): E a = 1/4,
		// E a² = 1/12. The random sign makes the mean 0 and leaves second
		// moments unchanged: E[(c+a)²] = c² + c/2 + 1/12.
		e := func(f func(float64) float64) float64 {
			return quad(func(th float64) float64 { return f(th) * 2 * th / (9 * math.Pi * math.Pi) }, 0, 3*math.Pi, 2000)
		}
		sq := func(c float64) float64 { return c*c + c/2 + 1.0/12 }
		xx := e(func(th float64) float64 { return sq(-th * math.Cos(th)) })
		yy := e(func(th float64) float64 { return sq(th * math.Sin(th)) })
		// E[(c+a)(d+b)] = cd + (c+d)/4 + 1/16 for independent a, b.
		xy := e(func(th float64) float64 {
			c, d := -th*math.Cos(th), th*math.Sin(th)
			return c*d + (c+d)/4 + 1.0/16
		})
		return [5]float64{0, 0, xx/9 + 0.01, yy/9 + 0.01, xy / 9}
	case "rings":
		r2 := (9 + 2.25*2.25 + 1.5*1.5 + 0.75*0.75) / 4
		return [5]float64{0, 0, r2/2 + 0.0064, r2/2 + 0.0064, 0}
	case "moons":
		// Upper: E cos = 0, E cos² = 1/2, E sin = 2/π, E sin² = 1/2,
		// E cos·sin = 0. Lower: 1−cos, 0.5−sin.
		exx := (0.5 + (1 + 0.5)) / 2
		eyy := (0.5 + (0.25 - 2/math.Pi + 0.5)) / 2
		// Lower E[(1−c)(0.5−s)] = 0.5 − 2/π − 0 + E[cs] = 0.5 − 2/π.
		exy := (0 + (0.5 - 2/math.Pi)) / 2
		return [5]float64{0.5, 0.25, exx - 0.25 + 0.01, eyy - 0.0625 + 0.01, exy - 0.5*0.25}
	case "checkerboard":
		// Marginals uniform on [-4, 4): variance 64/12. Column means of y are
		// -1, +1, -1, +1 at x-column centres -3, -1, 1, 3: E[xy] = 1.
		return [5]float64{0, 0, 64.0 / 12, 64.0 / 12, 1}
	case "circle":
		return [5]float64{0, 0, (1 + CircleStd*CircleStd) / 2, (1 + CircleStd*CircleStd) / 2, 0}
	}
	t.Fatalf("no moments for %s", name)
	return [5]float64{}
}

func TestToyMoments(t *testing.T) {
	const n = 40000
	for _, name := range Names() {
		t.Run(name, func(t *testing.T) {
			toy, err := ByName(name)
			if err != nil {
				t.Fatal(err)
			}
			if toy.Name() != name || toy.Dim() != 2 {
				t.Fatalf("Name/Dim = %q/%d", toy.Name(), toy.Dim())
			}
			x := make([]float32, 2*n)
			toy.Sample(rand.New(rand.NewPCG(1, 2)), x)
			mx, my, cxx, cyy, cxy := moments(x)
			want := toyMoments(t, name)
			got := [5]float64{mx, my, cxx, cyy, cxy}
			// Monte-Carlo tolerance: 5 standard errors, each estimated from
			// the sample as sd(statistic's summand)/√n, plus 1e-4 for float32
			// rounding and quadrature.
			tol := seMoments(x, mx, my)
			for i := range tol {
				tol[i] = 5*tol[i] + 1e-4
			}
			labels := [5]string{"mean x", "mean y", "var x", "var y", "cov xy"}
			for i := range got {
				if math.Abs(got[i]-want[i]) > tol[i] {
					t.Errorf("%s = %.5f, want %.5f ± %.5f", labels[i], got[i], want[i], tol[i])
				}
			}
		})
	}
}

func TestToyModeProportions(t *testing.T) {
	const n = 40000
	for _, name := range []string{"8gaussians", "25gaussians"} {
		t.Run(name, func(t *testing.T) {
			toy, _ := ByName(name)
			modes := toy.Modes()
			x := make([]float32, 2*n)
			toy.Sample(rand.New(rand.NewPCG(3, 4)), x)
			counts := make([]int, len(modes))
			within := 0
			for i := 0; i < n; i++ {
				best, bd := -1, math.Inf(1)
				for k, m := range modes {
					dx, dy := float64(x[2*i])-m.Center[0], float64(x[2*i+1])-m.Center[1]
					if d := math.Hypot(dx, dy); d < bd {
						best, bd = k, d
					}
				}
				counts[best]++
				if bd <= 3*modes[best].Std {
					within++
				}
			}
			for k, c := range counts {
				p := modes[k].Weight
				sd := math.Sqrt(n * p * (1 - p))
				if math.Abs(float64(c)-n*p) > 5*sd {
					t.Errorf("mode %d holds %d samples, want %.0f ± %.0f", k, c, n*p, 5*sd)
				}
			}
			// P(|ε| ≤ 3σ) for a 2-D standard normal = 1 − e^{−9/2}.
			p := 1 - math.Exp(-4.5)
			sd := math.Sqrt(n * p * (1 - p))
			if math.Abs(float64(within)-n*p) > 5*sd {
				t.Errorf("%d samples within 3 std of their mode, want %.0f ± %.0f", within, n*p, 5*sd)
			}
		})
	}
}

func TestToyModesDefinitions(t *testing.T) {
	m := EightGaussians().Modes()
	if len(m) != 8 {
		t.Fatalf("8gaussians has %d modes", len(m))
	}
	for _, c := range m {
		if r := math.Hypot(c.Center[0], c.Center[1]); math.Abs(r-2) > 1e-12 || c.Std != 0.02 || math.Abs(c.Weight-1.0/8) > 1e-15 {
			t.Errorf("8gaussians mode %+v, radius %g", c, r)
		}
	}
	m = TwentyFiveGaussians().Modes()
	if len(m) != 25 {
		t.Fatalf("25gaussians has %d modes", len(m))
	}
	for _, c := range m {
		ok := func(v float64) bool { return slices.Contains([]float64{-4, -2, 0, 2, 4}, v) }
		if !ok(c.Center[0]) || !ok(c.Center[1]) || c.Std != 0.05 {
			t.Errorf("25gaussians mode %+v", c)
		}
	}
	for _, name := range []string{"swissroll", "2spirals", "rings", "moons", "checkerboard", "circle"} {
		toy, _ := ByName(name)
		if toy.Modes() != nil {
			t.Errorf("%s: Modes() != nil", name)
		}
	}
}

// TestToyDensityIntegrates checks ∫ p = 1 with the midpoint rule on a grid
// of step σ/2 for each set's narrowest Gaussian feature; for a Gaussian the
// midpoint rule's error at that step is far below the tolerance.
func TestToyDensityIntegrates(t *testing.T) {
	cases := []struct {
		name   string
		lim, h float64
	}{
		{"8gaussians", 2.2, 0.01},
		{"25gaussians", 4.4, 0.025},
		{"rings", 3.6, 0.04},
		{"checkerboard", 4.5, 0.05},
		{"circle", 1.06, 0.005},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			toy, _ := ByName(c.name)
			var sum float64
			x := make([]float64, 2)
			m := int(math.Round(2 * c.lim / c.h))
			for i := 0; i < m; i++ {
				x[0] = -c.lim + (float64(i)+0.5)*c.h
				for j := 0; j < m; j++ {
					x[1] = -c.lim + (float64(j)+0.5)*c.h
					lp, ok := toy.LogDensity(x)
					if !ok {
						t.Fatal("no density")
					}
					sum += math.Exp(lp)
				}
			}
			sum *= c.h * c.h
			t.Logf("∫p = %.9f", sum)
			if math.Abs(sum-1) > 1e-6 {
				t.Errorf("∫p = %.6f, want 1", sum)
			}
		})
	}
	for _, name := range []string{"swissroll", "2spirals", "moons"} {
		toy, _ := ByName(name)
		if _, ok := toy.LogDensity([]float64{0, 0}); ok {
			t.Errorf("%s claims a closed-form density", name)
		}
	}
}

// TestToyDensityAtSamples checks that samples land where the density is
// positive (for checkerboard: exactly in the support).
func TestToyDensityAtSamples(t *testing.T) {
	for _, name := range []string{"8gaussians", "25gaussians", "rings", "checkerboard", "circle"} {
		toy, _ := ByName(name)
		x := make([]float32, 2*5000)
		toy.Sample(rand.New(rand.NewPCG(5, 6)), x)
		for i := 0; i < len(x); i += 2 {
			lp, _ := toy.LogDensity([]float64{float64(x[i]), float64(x[i+1])})
			if math.IsInf(lp, -1) || math.IsNaN(lp) {
				t.Fatalf("%s: sample (%g, %g) has log p = %g", name, x[i], x[i+1], lp)
			}
		}
	}
}

func TestLogI0(t *testing.T) {
	for _, z := range []float64{0, 1e-3, 0.5, 1, 5, 20, 29.9, 30, 30.1, 50, 200, 1500} {
		// log I₀(z) = z + log((1/π) ∫₀^π e^{z(cos φ − 1)} dφ); the
		// integrand is smooth and periodic, so the trapezoid rule with many
		// points is accurate to rounding.
		const m = 200000
		var s float64
		for i := 0; i < m; i++ {
			phi := math.Pi * (float64(i) + 0.5) / m
			s += math.Exp(z * (math.Cos(phi) - 1))
		}
		want := z + math.Log(s/m)
		if got := logI0(z); math.Abs(got-want) > 1e-10*math.Max(1, math.Abs(want)) {
			t.Errorf("logI0(%g) = %.15g, want %.15g", z, got, want)
		}
	}
}

func TestToyDeterminism(t *testing.T) {
	for _, name := range Names() {
		toy, _ := ByName(name)
		a := make([]float32, 200)
		b := make([]float32, 200)
		c := make([]float32, 200)
		toy.Sample(rand.New(rand.NewPCG(7, 8)), a)
		toy.Sample(rand.New(rand.NewPCG(7, 8)), b)
		toy.Sample(rand.New(rand.NewPCG(7, 9)), c)
		if !slices.Equal(a, b) {
			t.Errorf("%s: equal seeds give different samples", name)
		}
		if slices.Equal(a, c) {
			t.Errorf("%s: different seeds give equal samples", name)
		}
	}
}

func TestToyByNameErrors(t *testing.T) {
	if toy, err := ByName(" 8Gaussians "); err != nil || toy.Name() != "8gaussians" {
		t.Errorf("ByName(\" 8Gaussians \") = %v, %v", toy, err)
	}
	_, err := ByName("9gaussians")
	if err == nil {
		t.Fatal("no error for an unknown name")
	}
	for _, n := range Names() {
		if !strings.Contains(err.Error(), n) {
			t.Errorf("error %q does not list %s", err, n)
		}
	}
}

func TestToySamplePanicsOnOddLength(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("no panic for len(dst) = 3")
		}
	}()
	EightGaussians().Sample(rand.New(rand.NewPCG(1, 1)), make([]float32, 3))
}

// TestToyRegistrySorted checks that the registry's table is in strictly
// increasing name order (Names promises sorted names without sorting)
// and that each constructor makes the distribution of its name.
func TestToyRegistrySorted(t *testing.T) {
	names := Names()
	for i := 1; i < len(names); i++ {
		if names[i-1] >= names[i] {
			t.Errorf("Names()[%d:%d] = %q, %q: not strictly increasing", i-1, i+1, names[i-1], names[i])
		}
	}
	for _, n := range names {
		if toy, err := ByName(n); err != nil || toy.Name() != n {
			t.Errorf("ByName(%q) = %v, %v", n, toy, err)
		}
	}
}
