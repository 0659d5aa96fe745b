package kale

import (
	"fmt"
	"math"
)

// DonskerVaradhan returns the Donsker–Varadhan bound of the witness f on the
// samples x ~ P and y ~ Q:
//
//	DV(f) = −(1/n) Σ_i f(x_i) − log( (1/m) Σ_j exp(−f(y_j)) ),
//
// the empirical value of E_P[g] − log E_Q[e^g] with g = −f. For every fixed
// f, the population value satisfies DV(f) ≤ KL(P‖Q) (Donsker–Varadhan
// variational formula, equality at f = −log dP/dQ + const). Since
// −log u ≥ 1 − u, DV(f) ≥ Objective(f) for every f, and DV is invariant to
// adding a constant to f: it equals the KALE objective of f shifted by its
// best constant, which the Gaussian RKHS cannot represent. Evaluated on
// samples independent of those f was fitted on, it is a consistent estimate
// of a lower bound on KL (biased upwards by O(1/m) only through the log of a
// sample mean); on the fitting samples it is optimistic. The log-mean-exp is
// computed with a max shift (no overflow).
func DonskerVaradhan(f Witness, x, y Samples) (float64, error) {
	fx, fy, err := evalPair(f, x, y)
	if err != nil {
		return 0, err
	}
	return -mean(fx) - logMeanExpNeg(fy), nil
}

// Objective returns the unpenalised KALE objective of the witness f,
//
//	−(1/n) Σ_i f(x_i) − (1/m) Σ_j exp(−f(y_j)) + 1,
//
// whose population value lower-bounds KL(P‖Q) for every fixed f (Fenchel
// duality of u log u). On samples independent of those f was fitted on it
// is an unbiased estimate of that bound.
func Objective(f Witness, x, y Samples) (float64, error) {
	fx, fy, err := evalPair(f, x, y)
	if err != nil {
		return 0, err
	}
	var s float64
	for _, v := range fy {
		s += math.Exp(-v)
	}
	return -mean(fx) - s/float64(len(fy)) + 1, nil
}

// KLLowerBound fits the RKHS KALE witness f* on x and y (see KALE) and
// returns the Donsker–Varadhan bound DV(f*) on the same samples, with the
// fit's Result. The bound used is exactly
//
//	KL(P‖Q) ≥ E_P[−f*] − log E_Q[exp(−f*)],
//
// which is valid for any f; choosing the KALE witness makes it at least the
// KALE value itself: DV(f*) ≥ Objective(f*) = Result.Value + Result.Penalty
// ≥ Result.Value (the last two terms are both ≥ 0). Because f* is fitted on
// the same samples, the returned number is biased upwards by O(1/n); for an
// honest bound, fit on one half of the data and call DonskerVaradhan with
// Result.Witness on the other.
func KLLowerBound(x, y Samples, opts Options) (float64, Result, error) {
	res, err := KALE(x, y, opts)
	if err != nil {
		return 0, res, err
	}
	dv, err := DonskerVaradhan(res.Witness, x, y)
	return dv, res, err
}

// evalPair validates the samples against f and evaluates f on both sets.
func evalPair(f Witness, x, y Samples) (fx, fy []float64, err error) {
	if err := checkPair(x, y); err != nil {
		return nil, nil, err
	}
	if x.Cols != f.Dim() {
		return nil, nil, fmt.Errorf("kale: samples have dimension %d, witness %d: %w", x.Cols, f.Dim(), ErrDimMismatch)
	}
	return f.EvalBatch(nil, x), f.EvalBatch(nil, y), nil
}

// mean returns the arithmetic mean of v.
func mean(v []float64) float64 {
	var s float64
	for _, a := range v {
		s += a
	}
	return s / float64(len(v))
}

// logMeanExpNeg returns log((1/len(v)) Σ exp(−v_i)), computed stably.
func logMeanExpNeg(v []float64) float64 {
	m := math.Inf(1)
	for _, a := range v {
		m = min(m, a)
	}
	if math.IsInf(m, 0) {
		return -m // all +Inf → −Inf; any −Inf → +Inf
	}
	var s float64
	for _, a := range v {
		s += math.Exp(m - a)
	}
	return -m + math.Log(s/float64(len(v)))
}
