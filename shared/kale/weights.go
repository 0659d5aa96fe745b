package kale

import (
	"fmt"
	"math"
)

// ImportanceWeights computes the self-normalised importance weights of
// samples with energies e under the model exp(-E) relative to its base,
//
//	w_i = exp(-e_i) / Σ_j exp(-e_j),
//
// into w (len(w) = len(e)), and returns the batch estimate of the
// log-normaliser Â = log((1/n) Σ_j exp(-e_j)) (see OptimalA) and the
// effective sample size 1/Σ w_i². The base trainer's gradient is
// Σ_i w_i ∇_θ E(B_θ(z_i)). Computed in float64 with a max shift. A
// non-finite energy makes Â non-finite, which the caller checks.
func ImportanceWeights(e []float32, w []float64) (aHat, ess float64) {
	if len(e) == 0 || len(w) != len(e) {
		panic("kale: ImportanceWeights: empty batch or wrong buffer length")
	}
	maxv := math.Inf(-1)
	for i, v := range e {
		w[i] = -float64(v)
		maxv = math.Max(maxv, w[i])
	}
	var sum float64
	for i := range w {
		w[i] = math.Exp(w[i] - maxv)
		sum += w[i]
	}
	var sq float64
	for i := range w {
		w[i] /= sum
		sq += w[i] * w[i]
	}
	return maxv + math.Log(sum) - math.Log(float64(len(e))), 1 / sq
}

// TiltedWeights computes the weights of the base step with tilt γ
// (shared/backend's Config.BaseTilt),
//
//	w_i = exp(-γ e_i) / Σ_j exp(-γ e_j),
//
// into w, with each γ e_i rounded to float32 (float32(γ)·e_i, stored in
// et, len(et) = len(e)) and then normalised by ImportanceWeights. γ = 1
// gives ImportanceWeights's weights, γ = 0 the equal weights 1/n. It is
// the reference of the CUDA trainer's kernel (native/cuda, kale.cu's
// importance_weights), which forms γ e the same way.
func TiltedWeights(e []float32, gamma float64, et []float32, w []float64) {
	if len(et) != len(e) {
		panic("kale: TiltedWeights: wrong scratch length")
	}
	g := float32(gamma)
	for i, v := range e {
		et[i] = g * v
	}
	ImportanceWeights(et, w)
}

// MassFractions checks the weights w of rows points (finite, ≥ 0, with a
// finite positive sum) and returns them normalised to sum to 1, the masses
// q = w/Σw of the weighted empirical measure Σ_j q_j δ_{y_j}, and sumSq =
// Σ_j q_j², whose inverse is the weights' effective sample size (1 − sumSq
// is the normaliser of a weighted U-statistic). An error wraps ErrShape (not
// one weight per point) or ErrOption.
func MassFractions(w []float64, rows int) (q []float64, sumSq float64, err error) {
	if len(w) != rows {
		return nil, 0, fmt.Errorf("kale: %d weights for %d points: %w", len(w), rows, ErrShape)
	}
	var sum float64
	for j, v := range w {
		if !(v >= 0) || math.IsInf(v, 0) {
			return nil, 0, fmt.Errorf("kale: weight %d is %v, want a finite value ≥ 0: %w", j, v, ErrOption)
		}
		sum += v
	}
	if !(sum > 0) || math.IsInf(sum, 0) {
		return nil, 0, fmt.Errorf("kale: the weights sum to %v, want a finite value > 0: %w", sum, ErrOption)
	}
	q = make([]float64, len(w))
	for j, v := range w {
		q[j] = v / sum
		sumSq += q[j] * q[j]
	}
	return q, sumSq, nil
}
