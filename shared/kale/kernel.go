package kale

import (
	"math"
	"slices"
)

// GaussianKernel returns k(a, b) = exp(−‖a−b‖²/(2σ²)). a and b must have the
// same length.
func GaussianKernel(a, b []float64, sigma float64) float64 {
	return math.Exp(-sqDist(a, b) / (2 * sigma * sigma))
}

// sqDist returns ‖a−b‖².
func sqDist(a, b []float64) float64 {
	b = b[:len(a)]
	var s float64
	for i, v := range a {
		t := v - b[i]
		s += t * t
	}
	return s
}

// medianPoints is the most points MedianBandwidth looks at: the median of
// the ≈ 5·10⁵ pairwise distances of 1024 points is accurate to well under a
// percent, and the cost stays fixed however large the sets are.
const medianPoints = 1024

// MedianBandwidth returns the median heuristic bandwidth for the pooled set
// X ∪ Y:
//
//	σ = median{ ‖u_i − u_j‖ : i < j }
//
// over the pooled points u (Euclidean distances, not squared ones; no extra
// factor). When there are more than 1024 pooled points the median is taken
// over 1024 of them chosen deterministically (evenly spaced indices into the
// pooled list, in proportion to the sizes of X and Y). If the median is 0
// (more than half the pairs coincide) it falls back to the mean pairwise
// distance, and to 1 when every point is the same.
//
// The two sets must be well-formed and of the same dimension (see
// Options.Validate); MedianBandwidth panics otherwise.
func MedianBandwidth(x, y Samples) float64 {
	if x.Cols != y.Cols {
		panic("kale: MedianBandwidth: dimension mismatch")
	}
	n, m := x.Rows, y.Rows
	total := n + m
	k := min(total, medianPoints)
	pts := make([][]float64, 0, k)
	for t := range k {
		// Evenly spaced index into the pooled list [X; Y].
		i := int(int64(t) * int64(total) / int64(k))
		if i < n {
			pts = append(pts, x.Row(i))
		} else {
			pts = append(pts, y.Row(i-n))
		}
	}
	if len(pts) < 2 {
		return 1
	}
	d := make([]float64, 0, len(pts)*(len(pts)-1)/2)
	var sum float64
	for i := range pts {
		for j := i + 1; j < len(pts); j++ {
			v := math.Sqrt(sqDist(pts[i], pts[j]))
			d = append(d, v)
			sum += v
		}
	}
	slices.Sort(d)
	var med float64
	if h := len(d) / 2; len(d)%2 == 1 {
		med = d[h]
	} else {
		med = (d[h-1] + d[h]) / 2
	}
	switch {
	case med > 0:
		return med
	case sum > 0:
		return sum / float64(len(d))
	default:
		return 1
	}
}

// bandwidth returns o.Bandwidth, or the median heuristic when it is 0.
func (o Options) bandwidth(x, y Samples) float64 {
	if o.Bandwidth > 0 {
		return o.Bandwidth
	}
	return MedianBandwidth(x, y)
}

// kernelMeanAt returns out[j] = (1/a.Rows) Σ_i k(a_i, b_j): the kernel mean
// embedding of the empirical measure of a, evaluated at the points of b.
func kernelMeanAt(out []float64, a, b Samples, sigma float64) {
	c := -1 / (2 * sigma * sigma)
	inv := 1 / float64(a.Rows)
	for j := range b.Rows {
		bj := b.Row(j)
		var s float64
		for i := range a.Rows {
			s += math.Exp(c * sqDist(a.Row(i), bj))
		}
		out[j] = s * inv
	}
}

// crossKernelSum returns Σ_i Σ_j k(a_i, b_j).
func crossKernelSum(a, b Samples, sigma float64) float64 {
	c := -1 / (2 * sigma * sigma)
	var s float64
	for i := range a.Rows {
		ai := a.Row(i)
		var r float64
		for j := range b.Rows {
			r += math.Exp(c * sqDist(ai, b.Row(j)))
		}
		s += r
	}
	return s
}

// symKernelSum returns Σ_{i,j} k(a_i, a_j) over all ordered pairs (the
// diagonal, k = 1, included when diag is true), using symmetry.
func symKernelSum(a Samples, sigma float64, diag bool) float64 {
	c := -1 / (2 * sigma * sigma)
	var off float64
	for i := range a.Rows {
		ai := a.Row(i)
		var r float64
		for j := i + 1; j < a.Rows; j++ {
			r += math.Exp(c * sqDist(ai, a.Row(j)))
		}
		off += r
	}
	s := 2 * off
	if diag {
		s += float64(a.Rows)
	}
	return s
}
