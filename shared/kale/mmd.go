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
