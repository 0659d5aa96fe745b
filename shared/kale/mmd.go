package kale

import (
	"fmt"
	"math"
)

// MMD2Biased returns the biased (V-statistic) estimate of the squared
// maximum mean discrepancy with the Gaussian kernel of bandwidth sigma:
//
//	MMD²_b = (1/n²) Σ_{i,i'} k(x_i,x_i') + (1/m²) Σ_{j,j'} k(y_j,y_j') − (2/(nm)) Σ_{i,j} k(x_i,y_j)
//	       = ‖μ_X − μ_Y‖²_H ≥ 0,
//
// the squared RKHS distance between the two empirical kernel mean
// embeddings. Its expectation is
//
//	E[MMD²_b] = MMD²(P,Q) + (1 − E k(X,X'))/n + (1 − E k(Y,Y'))/m,
//
// so it is positive even when P = Q. sigma = 0 selects
// MedianBandwidth(x, y). Cost O((n+m)² d), memory O(1).
func MMD2Biased(x, y Samples, sigma float64) (float64, error) {
	sigma, err := mmdSetup(x, y, sigma)
	if err != nil {
		return 0, err
	}
	n, m := float64(x.Rows), float64(y.Rows)
	v := symKernelSum(x, sigma, true)/(n*n) + symKernelSum(y, sigma, true)/(m*m) -
		2*crossKernelSum(x, y, sigma)/(n*m)
	return max(v, 0), nil // clamp rounding below 0: the exact value is ≥ 0
}

// MMD2Unbiased returns the unbiased (U-statistic) estimate of the squared
// maximum mean discrepancy with the Gaussian kernel of bandwidth sigma:
//
//	MMD²_u = (1/(n(n−1))) Σ_{i≠i'} k(x_i,x_i') + (1/(m(m−1))) Σ_{j≠j'} k(y_j,y_j') − (2/(nm)) Σ_{i,j} k(x_i,y_j).
//
// Its expectation is exactly MMD²(P,Q), so it is centred on 0 when P = Q and
// can be negative. It needs at least two points in each set. sigma = 0
// selects MedianBandwidth(x, y). Cost O((n+m)² d), memory O(1).
func MMD2Unbiased(x, y Samples, sigma float64) (float64, error) {
	sigma, err := mmdSetup(x, y, sigma)
	if err != nil {
		return 0, err
	}
	if x.Rows < 2 || y.Rows < 2 {
		return 0, fmt.Errorf("kale: MMD2Unbiased needs ≥ 2 points per set, have %d and %d: %w", x.Rows, y.Rows, ErrEmpty)
	}
	n, m := float64(x.Rows), float64(y.Rows)
	return symKernelSum(x, sigma, false)/(n*(n-1)) + symKernelSum(y, sigma, false)/(m*(m-1)) -
		2*crossKernelSum(x, y, sigma)/(n*m), nil
}

// WeightedMMD2 returns MMD2Unbiased with Y's empirical measure replaced by
// the weighted one Σ_j q_j δ_{y_j}, q_j = w_j / Σ_k w_k (importance-weighted
// model samples):
//
//	MMD²_w = (1/(n(n−1))) Σ_{i≠i'} k(x_i,x_i') + Σ_{j≠j'} q_j q_j' k(y_j,y_j') / (1 − Σ_j q_j²)
//	         − (2/n) Σ_{i,j} q_j k(x_i,y_j).
//
// The Y term drops the diagonal like the U-statistic and rescales by
// 1 − Σ q_j², so equal weights give MMD2Unbiased (to rounding), and weights
// 1 on a subset and 0 elsewhere give MMD2Unbiased on that subset. On the
// same Y, WeightedMMD2 − MMD2Unbiased is the effect of the weights alone.
// The weights must be finite and ≥ 0 with a positive sum, and Σ q_j² < 1
// (more than one point carries weight). Cost O((n+m)² d), memory O(m).
func WeightedMMD2(x, y Samples, w []float64, sigma float64) (float64, error) {
	sigma, err := mmdSetup(x, y, sigma)
	if err != nil {
		return 0, err
	}
	if x.Rows < 2 {
		return 0, fmt.Errorf("kale: WeightedMMD2 needs ≥ 2 data points, have %d: %w", x.Rows, ErrEmpty)
	}
	q, q2, err := MassFractions(w, y.Rows)
	if err != nil {
		return 0, err
	}
	if !(1-q2 > 1e-12) {
		return 0, fmt.Errorf("kale: WeightedMMD2: the weights put all the mass on one point: %w", ErrOption)
	}
	c := -1 / (2 * sigma * sigma)
	var yy float64
	for j := range y.Rows {
		yj := y.Row(j)
		var r float64
		for k := j + 1; k < y.Rows; k++ {
			r += q[k] * math.Exp(c*sqDist(yj, y.Row(k)))
		}
		yy += q[j] * r
	}
	muY := make([]float64, y.Rows)
	kernelMeanAt(muY, x, y, sigma)
	var xy float64
	for j, v := range q {
		xy += v * muY[j]
	}
	n := float64(x.Rows)
	return symKernelSum(x, sigma, false)/(n*(n-1)) + 2*yy/(1-q2) - 2*xy, nil
}

// mmdSetup validates the inputs and resolves the bandwidth.
func mmdSetup(x, y Samples, sigma float64) (float64, error) {
	if math.IsNaN(sigma) || math.IsInf(sigma, 0) || sigma < 0 {
		return 0, fmt.Errorf("kale: bandwidth = %v, want a finite value ≥ 0: %w", sigma, ErrOption)
	}
	if err := checkPair(x, y); err != nil {
		return 0, err
	}
	if sigma == 0 {
		sigma = MedianBandwidth(x, y)
	}
	return sigma, nil
}
