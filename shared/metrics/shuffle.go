package metrics

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// WeightShuffle is the permutation control of an importance-weighted FID:
// the FID of the same samples with the same weights dealt to them in a
// random order.
//
// Why: a weighted FID is biased upwards against the unweighted FID of the
// same samples, because the weighted fit is as noisy as one of ESS samples
// (ESS = (Σw)²/Σw²), not n: the squared distance of the means gains about
// tr Σ·(1/ESS − 1/n), and the covariance term more (for d-dimensional
// features near the data's N(μ, I), d(d+1)/4·(1/ESS − 1/n);
// TestShuffledWeightsFIDBias). With hundreds of feature dimensions that
// bias can be as large as the weights' effect even at an ESS of 90%.
// Shuffled weights have the same ESS, hence the same bias, but say nothing
// about which samples are good; so the weighted FID minus the shuffles' mean
// is the weights' effect with the bias matched, and the share of shuffles
// that do at least as well is a permutation p-value for "the weights are no
// better than chance".
type WeightShuffle struct {
	Shuffles int     `json:"shuffles"`
	Mean     float64 `json:"mean_fid"` // the shuffles' mean FID
	Std      float64 `json:"std_fid"`  // their standard deviation (n − 1)
	// AtMost is the number of shuffles whose FID is at most the weighted
	// FID; P = (1 + AtMost)/(1 + Shuffles).
	AtMost int     `json:"shuffles_at_most"`
	P      float64 `json:"p_value"`
}

// ShuffledWeightsFID returns the permutation control of fid, the FID between
// the data's Gaussian data and FitWeightedGaussian(x, w, dim) (rows of x,
// one weight each): the FIDs of shuffles random permutations of w over the
// rows, drawn from rng. It needs shuffles ≥ 2.
func ShuffledWeightsFID(data Gaussian, x []float32, w []float64, dim int, fid float64, shuffles int, rng *rand.Rand) (WeightShuffle, error) {
	if shuffles < 2 {
		return WeightShuffle{}, fmt.Errorf("metrics: ShuffledWeightsFID: %d shuffles, need at least 2", shuffles)
	}
	n, err := rows(x, dim, 2, "ShuffledWeightsFID")
	if err != nil {
		return WeightShuffle{}, err
	}
	if len(w) != n {
		return WeightShuffle{}, fmt.Errorf("metrics: ShuffledWeightsFID: %d weights for %d rows", len(w), n)
	}
	r := WeightShuffle{Shuffles: shuffles}
	perm := append([]float64(nil), w...)
	fids := make([]float64, shuffles)
	for s := range fids {
		rng.Shuffle(n, func(i, j int) { perm[i], perm[j] = perm[j], perm[i] })
		g, err := FitWeightedGaussian(x, perm, dim)
		if err != nil {
			return WeightShuffle{}, err
		}
		f, err := FrechetDistance(data, g)
		if err != nil {
			return WeightShuffle{}, err
		}
		fids[s] = f
		r.Mean += f / float64(shuffles)
		if f <= fid {
			r.AtMost++
		}
	}
	var ss float64
	for _, f := range fids {
		ss += (f - r.Mean) * (f - r.Mean)
	}
	r.Std = math.Sqrt(ss / float64(shuffles-1))
	r.P = float64(1+r.AtMost) / float64(1+shuffles)
	return r, nil
}
