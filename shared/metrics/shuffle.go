package metrics

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"
)

// WeightShuffle is the permutation control of an importance-weighted
// measure on which lower is better (FID, KID): the measure of the same
// samples with the same weights dealt to them in random orders.
//
// Why, for FID: a weighted FID is biased upwards against the unweighted FID
// of the same samples, because the weighted fit is as noisy as one of ESS
// samples (ESS = (Σw)²/Σw²), not n: the squared distance of the means gains
// about tr Σ·(1/ESS − 1/n), and the covariance term more (for d-dimensional
// features near the data's N(μ, I), d(d+1)/4·(1/ESS − 1/n);
// TestShuffledWeightsFIDBias). With hundreds of feature dimensions that
// bias can be as large as the weights' effect even at an ESS of 90%.
// Shuffled weights have the same ESS, hence the same bias, but say nothing
// about which samples are good; so the weighted FID minus the shuffles' mean
// is the weights' effect with the bias matched.
//
// For KID the shuffles carry no such bias: averaged over all orders, the
// weighted KID of WeightedKID is exactly the unweighted KID of the same
// samples (ShuffledWeightsKID), so there the control's use is its spread.
//
// Either way, the share of shuffles that do at least as well as the weights
// is a permutation p-value for "the weights are no better than chance".
type WeightShuffle struct {
	Shuffles int     `json:"shuffles"`
	Mean     float64 `json:"mean"` // the shuffles' mean measure
	Std      float64 `json:"std"`  // their standard deviation (n − 1)
	// AtMost is the number of shuffles whose measure is at most the
	// weighted one; P = (1 + AtMost)/(1 + Shuffles).
	AtMost int     `json:"shuffles_at_most"`
	P      float64 `json:"p_value"`
}

// shuffleControl summarises the measures of the shuffles against the
// weighted measure.
func shuffleControl(measure float64, shuffles []float64) WeightShuffle {
	r := WeightShuffle{Shuffles: len(shuffles)}
	for _, v := range shuffles {
		r.Mean += v / float64(len(shuffles))
		if v <= measure {
			r.AtMost++
		}
	}
	var ss float64
	for _, v := range shuffles {
		ss += (v - r.Mean) * (v - r.Mean)
	}
	r.Std = math.Sqrt(ss / float64(len(shuffles)-1))
	r.P = float64(1+r.AtMost) / float64(1+len(shuffles))
	return r
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
	perm := append([]float64(nil), w...)
	fids := make([]float64, shuffles)
	for s := range fids {
		rng.Shuffle(n, func(i, j int) { perm[i], perm[j] = perm[j], perm[i] })
		g, err := FitWeightedGaussian(x, perm, dim)
		if err != nil {
			return WeightShuffle{}, err
		}
		if fids[s], err = FrechetDistance(data, g); err != nil {
			return WeightShuffle{}, err
		}
	}
	return shuffleControl(fid, fids), nil
}

// ShuffledWeightsKID returns the permutation control of kid, the weighted
// KID of WeightedKID(x, y, w, dim): the weighted KIDs of shuffles random
// permutations of w over the rows of y, drawn from rng. It needs
// shuffles ≥ 2, and weights that WeightedKID takes.
//
// Averaged over all permutations, the weighted KID is the unweighted KID of
// x and y: a random order puts mass q_j q_j' on a pair j ≠ j' with
// expectation (1 − Σq²)/(m(m−1)), which WeightedKID's Y term divides out,
// and mass q_j on y_j with expectation 1/m. So the shuffles' mean tends to
// KID(x, y, dim), and their spread is the weighted KID's own noise under
// weights that know nothing of the samples.
//
// The kernel matrix of y is evaluated once, in blocks, and multiplied by
// the shuffled weights of all the shuffles together: O(m²·(dim + shuffles))
// on top of the cross and x terms, and no m×m matrix is held.
func ShuffledWeightsKID(x, y []float32, w []float64, dim int, kid float64, shuffles int, rng *rand.Rand) (WeightShuffle, error) {
	if shuffles < 2 {
		return WeightShuffle{}, fmt.Errorf("metrics: ShuffledWeightsKID: %d shuffles, need at least 2", shuffles)
	}
	n, m, q, q2, err := weightedKIDInput(x, y, w, dim, "ShuffledWeightsKID")
	if err != nil {
		return WeightShuffle{}, err
	}
	// Column s of qs is the s-th shuffle of q.
	qs := mat.NewDense(m, shuffles, nil)
	for s := 0; s < shuffles; s++ {
		rng.Shuffle(m, func(i, j int) { q[i], q[j] = q[j], q[i] })
		qs.SetCol(s, q)
	}
	xm, ym := toDense(x, n, dim), toDense(y, m, dim)
	rxx, _ := polySums(xm, xm, dim, true, nil)
	_, cy := polySums(xm, ym, dim, false, nil) // Σ_i C_ij
	nf := float64(n)
	xTerm := sum(rxx) / (nf * (nf - 1))

	// yy[s] = Σ_{j≠j'} q_j q_j' L_jj' under shuffle s.
	yy := make([]float64, shuffles)
	var lq mat.Dense
	polyBlocks(ym, ym, dim, true, func(lo int, l *mat.Dense) {
		rows, _ := l.Dims()
		lq.Reset()
		lq.Mul(l, qs) // row i: Σ_j' L_{lo+i, j'} q_j' for every shuffle
		for i := 0; i < rows; i++ {
			for s, v := range lq.RawRowView(i) {
				yy[s] += qs.At(lo+i, s) * v
			}
		}
	})
	kids := make([]float64, shuffles)
	for s := range kids {
		var cross float64
		for j, c := range cy {
			cross += qs.At(j, s) * c
		}
		kids[s] = xTerm + yy[s]/(1-q2) - 2*cross/nf
	}
	return shuffleControl(kid, kids), nil
}
