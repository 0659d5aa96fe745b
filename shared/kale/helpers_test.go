package kale

import (
	"math"
	"math/rand/v2"
	"testing"
)

// gaussian returns n points of N(mean, sd² I) in dimension len(mean).
func gaussian(rng *rand.Rand, n int, mean []float64, sd float64) Samples {
	d := len(mean)
	s := Samples{Data: make([]float64, n*d), Rows: n, Cols: d}
	for i := range n {
		for k := range d {
			s.Data[i*d+k] = mean[k] + sd*rng.NormFloat64()
		}
	}
	return s
}

// shifted returns a copy of s with delta added to the first coordinate.
func shifted(s Samples, delta float64) Samples {
	t := Samples{Data: append([]float64(nil), s.Data...), Rows: s.Rows, Cols: s.Cols}
	for i := range t.Rows {
		t.Data[i*t.Cols] += delta
	}
	return t
}

// klGauss1 is KL(N(m1, s1²) ‖ N(m2, s2²)).
func klGauss1(m1, s1, m2, s2 float64) float64 {
	return math.Log(s2/s1) + (s1*s1+(m1-m2)*(m1-m2))/(2*s2*s2) - 0.5
}

// segment returns n points uniform on the segment [−1, 1] × {height}.
func segment(rng *rand.Rand, n int, height float64) Samples {
	s := Samples{Data: make([]float64, 2*n), Rows: n, Cols: 2}
	for i := range n {
		s.Data[2*i] = 2*rng.Float64() - 1
		s.Data[2*i+1] = height
	}
	return s
}

// circle returns n points uniform on the circle of radius r centred at 0.
func circle(rng *rand.Rand, n int, r float64) Samples {
	s := Samples{Data: make([]float64, 2*n), Rows: n, Cols: 2}
	for i := range n {
		th := 2 * math.Pi * rng.Float64()
		s.Data[2*i] = r * math.Cos(th)
		s.Data[2*i+1] = r * math.Sin(th)
	}
	return s
}

// mustKALE runs KALE and fails the test on an error or a non-converged,
// uncertified solve (GradNorm above Tol, duality gap above 1e-10) or a
// value below 0 by more than rounding (1e-12).
func mustKALE(t *testing.T, x, y Samples, o Options) Result {
	t.Helper()
	r, err := KALE(x, y, o)
	if err != nil {
		t.Fatal(err)
	}
	tol := o.resolve().Tol
	if !r.Converged || r.GradNorm > tol || r.Gap > 1e-10 || r.Value < -1e-12 {
		t.Fatalf("KALE: converged=%v GradNorm=%.3g (tol %.3g) gap=%.3g value=%v after %d iterations",
			r.Converged, r.GradNorm, tol, r.Gap, r.Value, r.Iterations)
	}
	return r
}
