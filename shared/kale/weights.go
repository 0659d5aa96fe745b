package kale

import "math"

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
