package main

import (
	"math"
	"math/rand/v2"

	"github.com/gebm/gebm/native/classifier"
	"github.com/gebm/gebm/shared/data"
	"github.com/gebm/gebm/shared/metrics"
	"github.com/gebm/gebm/shared/model"
)

// setTally gathers what gebm eval measures of one sample set (the
// generator's or the GEBM's) as the batches of chains come, in memory that
// does not grow with the number of samples: mode counts, the NLL's sum, the
// Gaussian of the classifier features (for FID), and the first keep samples
// (or their features), on which MMD², KALE and KID are computed (their cost
// grows as the square, and for KALE the cube, of the points).
type setTally struct {
	dim, keep, rows int
	sub             []float32 // the first keep samples (no classifier) or their features

	toy     data.Toy // nil, or a toy whose density gives the NLL
	norm    data.Normalization
	nll     float64 // Σ over batches of the batch's NLL × its rows
	outside int     // rows where the toy's density is zero
	hasNLL  bool
	modes   *metrics.ModeTally // nil unless the toy is a mixture

	clf   *classifier.Classifier // nil unless measuring on classifier features
	feats *metrics.GaussianTally
}

// newSetTally prepares the measures against a toy (with modes and a density
// where it has them), against a classifier's features (clf not nil), or
// against any data (MMD² and KALE only).
func newSetTally(dim, keep int, toy data.Toy, norm data.Normalization, clf *classifier.Classifier) (*setTally, error) {
	s := &setTally{dim: dim, keep: keep, toy: toy, norm: norm, clf: clf}
	if clf != nil {
		s.feats = metrics.NewGaussianTally(clf.FeatureDim())
		return s, nil
	}
	if toy != nil && len(toy.Modes()) > 0 {
		var err error
		if s.modes, err = metrics.NewModeTally(toy.Modes(), metrics.ModeOptions{}); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// add takes a batch of rows samples x.
func (s *setTally) add(x []float32, rows int) error {
	need := max(0, min(rows, s.keep-s.rows))
	s.rows += rows
	if s.clf != nil {
		k := s.clf.FeatureDim()
		f := s.clf.Embed(x, rows, nil)
		s.sub = append(s.sub, f[:need*k]...)
		return s.feats.Add(f)
	}
	s.sub = append(s.sub, x[:need*s.dim]...)
	if s.modes != nil {
		if err := s.modes.Add(x[:rows*s.dim]); err != nil {
			return err
		}
	}
	if s.toy != nil {
		v, outside, ok, err := metrics.NLL(s.toy, x[:rows*s.dim], s.norm)
		if err != nil {
			return err
		}
		s.nll += v * float64(rows)
		s.outside += outside
		s.hasNLL = ok
	}
	return nil
}

// report measures the set against the data: fresh (all the data rows, or
// their classifier features when measuring on features; FID uses them all)
// and freshSub (at most keep of them, spread over fresh, for MMD², KALE and
// KID).
func (s *setTally) report(fresh, freshSub []float32, o metrics.ToyOptions) (setMetrics, error) {
	var r setMetrics
	if s.clf != nil {
		k := s.clf.FeatureDim()
		g, err := s.feats.Gaussian()
		if err != nil {
			return r, err
		}
		if r.FID, err = fidAgainst(fresh, k, g); err != nil {
			return r, err
		}
		kid, err := metrics.KID(freshSub, s.sub, k)
		if err != nil {
			return r, err
		}
		r.KID, r.KIDStdErr = &kid.Value, &kid.StdErr
		return r, nil
	}
	var err error
	if r.ToyReport, err = metrics.Compare(freshSub, s.sub, s.dim, o); err != nil {
		return r, err
	}
	if s.modes != nil {
		mr := s.modes.Report()
		r.Modes = &mr
	}
	if s.hasNLL {
		v := s.nll / float64(s.rows)
		r.NLL = &v
		if s.outside > 0 {
			f := float64(s.outside) / float64(s.rows)
			r.OutsideSupport = &f
		}
	}
	return r, nil
}

// isShuffles is the number of shuffles of the weights in the permutation
// controls of the β=1 (IS) column's FID and KID (metrics.WeightShuffle).
const isShuffles = 20

// reportWeighted measures the set's first keep samples (those of sub)
// weighted by w, one weight each: the importance-weighted measures of
// shared/metrics (modes, NLL, MMD², KALE; FID from the weighted feature
// Gaussian and the weighted KID, each with its permutation control drawn
// from rng), on the samples report measures unweighted.
func (s *setTally) reportWeighted(fresh, freshSub []float32, w []float64, o metrics.ToyOptions, rng *rand.Rand) (setMetrics, error) {
	var r setMetrics
	if s.clf != nil {
		k := s.clf.FeatureDim()
		g, err := metrics.FitWeightedGaussian(s.sub, w, k)
		if err != nil {
			return r, err
		}
		if r.FID, err = fidAgainst(fresh, k, g); err != nil {
			return r, err
		}
		gd, err := metrics.FitGaussian(fresh, k)
		if err != nil {
			return r, err
		}
		shuffled, err := metrics.ShuffledWeightsFID(gd, s.sub, w, k, *r.FID, isShuffles, rng)
		if err != nil {
			return r, err
		}
		r.FIDShuffled = &shuffled
		kid, err := metrics.WeightedKID(freshSub, s.sub, w, k)
		if err != nil {
			return r, err
		}
		r.KID, r.KIDStdErr = &kid.Value, &kid.StdErr
		// After the FID's shuffles, so that they draw what they drew
		// before KID had a control.
		kidShuffled, err := metrics.ShuffledWeightsKID(freshSub, s.sub, w, k, kid.Value, isShuffles, rng)
		if err != nil {
			return r, err
		}
		r.KIDShuffled = &kidShuffled
		return r, nil
	}
	var err error
	if r.ToyReport, err = metrics.WeightedCompare(freshSub, s.sub, w, s.dim, o); err != nil {
		return r, err
	}
	if s.modes != nil {
		mr, err := metrics.WeightedModes(s.sub, w, s.toy.Modes(), metrics.ModeOptions{})
		if err != nil {
			return r, err
		}
		r.Modes = &mr
	}
	if s.hasNLL {
		v, outside, _, err := metrics.WeightedNLL(s.toy, s.sub, w, s.norm)
		if err != nil {
			return r, err
		}
		r.NLL = &v
		if outside > 0 {
			r.OutsideSupport = &outside
		}
	}
	return r, nil
}

// fidAgainst returns the Fréchet distance between the Gaussian fitted to the
// data's features fresh (k columns) and the samples' feature Gaussian g.
func fidAgainst(fresh []float32, k int, g metrics.Gaussian) (*float64, error) {
	gd, err := metrics.FitGaussian(fresh, k)
	if err != nil {
		return nil, err
	}
	fid, err := metrics.FrechetDistance(gd, g)
	if err != nil {
		return nil, err
	}
	return &fid, nil
}

// energyWeights returns the importance weights exp(−(e_i − min e)) of the
// energies e: the GEBM at β = 1 relative to its generator, scaled so that
// the largest is 1 (no overflow). A non-finite energy gets weight 0.
func energyWeights(e []float64) []float64 {
	lo := math.Inf(1)
	for _, v := range e {
		if !math.IsNaN(v) && !math.IsInf(v, 0) {
			lo = math.Min(lo, v)
		}
	}
	w := make([]float64, len(e))
	for i, v := range e {
		if !math.IsNaN(v) && !math.IsInf(v, 0) {
			w[i] = math.Exp(-(v - lo))
		}
	}
	return w
}

// essFraction returns (Σw)²/(n Σw²), the effective sample size of the
// weights w as a fraction of their number.
func essFraction(w []float64) float64 {
	var s, s2 float64
	for _, v := range w {
		s += v
		s2 += v * v
	}
	return s * s / (float64(len(w)) * s2)
}

// energyStats summarises the energy on generator samples.
type energyStats struct {
	Mean float64 `json:"mean"`
	Std  float64 `json:"std"`
	// ESS is the effective sample size, as a fraction of n, of the
	// self-normalised importance weights w_i ∝ exp(−β E(x_i)) that turn
	// generator samples into GEBM samples: (Σw)²/(n Σw²). Near 1, the GEBM
	// at this β is its generator, whatever the sampler.
	ESS float64 `json:"ess_fraction"`
}

// energyTally computes energyStats over batches in constant memory: the
// mean and the scatter Σ(E − mean)² merged batch by batch (Chan et al.), and
// Σw, Σw² with w = exp(−β(E − lo)) about the lowest energy lo seen so far,
// rescaled when lo falls (so no weight overflows).
type energyTally struct {
	m    *model.GEBM
	beta float64
	// keep: the energies of the first keep samples are kept in first.
	keep        int
	first       []float64
	n           int
	mean, m2    float64
	lo, sw, sw2 float64
	buf         []float32
}

// add evaluates E at the rows samples x and counts them.
func (t *energyTally) add(x []float32, rows int) {
	D := t.m.Dim()
	const batch = 1000
	for a := 0; a < rows; a += batch {
		b := min(a+batch, rows)
		t.buf = t.m.Energies(x[a*D:b*D], b-a, t.buf)
		for _, v := range t.buf[:min(len(t.buf), max(0, t.keep-len(t.first)))] {
			t.first = append(t.first, float64(v))
		}
		var mb, m2b float64
		lob := math.Inf(1)
		for _, v := range t.buf {
			mb += float64(v)
			lob = math.Min(lob, float64(v))
		}
		nb := float64(b - a)
		mb /= nb
		var swb, sw2b float64
		for _, v := range t.buf {
			d := float64(v) - mb
			m2b += d * d
			w := math.Exp(-t.beta * (float64(v) - lob))
			swb += w
			sw2b += w * w
		}
		if t.n == 0 {
			t.n, t.mean, t.m2, t.lo, t.sw, t.sw2 = b-a, mb, m2b, lob, swb, sw2b
			continue
		}
		na, n := float64(t.n), float64(t.n)+nb
		delta := mb - t.mean
		t.mean += nb / n * delta
		t.m2 += m2b + na*nb/n*delta*delta
		lo := math.Min(t.lo, lob)
		ra, rb := math.Exp(-t.beta*(t.lo-lo)), math.Exp(-t.beta*(lob-lo))
		t.sw = t.sw*ra + swb*rb
		t.sw2 = t.sw2*ra*ra + sw2b*rb*rb
		t.lo = lo
		t.n += b - a
	}
}

func (t *energyTally) stats() energyStats {
	n := float64(t.n)
	return energyStats{Mean: t.mean, Std: math.Sqrt(t.m2 / n), ESS: t.sw * t.sw / (n * t.sw2)}
}

// energyOnSamples returns energyStats of the n rows of x at inverse
// temperature beta.
func energyOnSamples(m *model.GEBM, x []float32, n int, beta float64) energyStats {
	t := energyTally{m: m, beta: beta}
	t.add(x, n)
	return t.stats()
}
