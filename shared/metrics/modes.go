package metrics

import (
	"errors"
	"fmt"
	"math"

	"github.com/gebm/gebm/shared/data"
	"github.com/gebm/gebm/shared/kale"
)

// ModeOptions sets the mode-coverage rule; the zero value is the convention
// described in the package documentation.
type ModeOptions struct {
	// Sigmas is the radius, in standard deviations of the mode, within which a
	// sample is high quality; 0 means 3.
	Sigmas float64
	// MinCount is the number of high-quality samples a mode needs to count as
	// covered; 0 means ⌈0.2·n·w_k⌉ (at least 1) for n samples and weight w_k.
	MinCount int
}

// ModeReport is the outcome of Modes.
type ModeReport struct {
	// Covered is the number of modes with at least their minimum count of
	// high-quality samples; Total is the number of modes.
	Covered, Total int
	// HighQuality is the fraction of samples within Sigmas standard deviations
	// of their nearest mode, in [0, 1].
	HighQuality float64
	// Counts holds, for each mode, the high-quality samples assigned to it.
	Counts []int
	// MinCounts holds the count each mode needed.
	MinCounts []int
}

// ErrNoModes is returned when a data set has no mode list (only mixtures of
// Gaussians have one).
var ErrNoModes = errors.New("metrics: the data set has no modes")

// Modes assigns each of the n = len(x)/2 samples (row-major 2-D points) to its
// nearest mode in standard-deviation units, ‖x − μ_k‖/σ_k, and reports the
// fraction within o.Sigmas standard deviations (high quality) and the number
// of modes with enough high-quality samples (covered). It is a ModeTally fed
// one batch.
func Modes(x []float32, modes []data.Mode, o ModeOptions) (ModeReport, error) {
	t, err := NewModeTally(modes, o)
	if err != nil {
		return ModeReport{}, err
	}
	if err := t.Add(x); err != nil {
		return ModeReport{}, err
	}
	return t.Report(), nil
}

// ModeTally computes Modes over samples given in batches, in memory that does
// not grow with their number: it keeps one count per mode.
type ModeTally struct {
	modes  []data.Mode
	o      ModeOptions
	sig    float64
	wsum   float64
	counts []int
	hq, n  int
}

// NewModeTally checks the modes and the rule and returns an empty tally.
func NewModeTally(modes []data.Mode, o ModeOptions) (*ModeTally, error) {
	if len(modes) == 0 {
		return nil, ErrNoModes
	}
	sig := o.Sigmas
	if sig == 0 {
		sig = 3
	}
	if !(sig > 0) || math.IsInf(sig, 0) {
		return nil, fmt.Errorf("metrics: Modes: radius %v standard deviations is not a positive number", o.Sigmas)
	}
	if o.MinCount < 0 {
		return nil, fmt.Errorf("metrics: Modes: minimum count %d < 0", o.MinCount)
	}
	t := &ModeTally{modes: modes, o: o, sig: sig, counts: make([]int, len(modes))}
	for _, m := range modes {
		if !(m.Std > 0) {
			return nil, fmt.Errorf("metrics: Modes: mode at %v has std %v", m.Center, m.Std)
		}
		t.wsum += m.Weight
	}
	return t, nil
}

// Add assigns the len(x)/2 samples of a batch (row-major 2-D points).
func (t *ModeTally) Add(x []float32) error {
	if len(x) == 0 || len(x)%2 != 0 {
		return fmt.Errorf("metrics: Modes: %d values are not a non-empty set of 2-D points", len(x))
	}
	n := len(x) / 2
	for i := 0; i < n; i++ {
		if k := t.highQualityMode(float64(x[2*i]), float64(x[2*i+1])); k >= 0 {
			t.hq++
			t.counts[k]++
		}
	}
	t.n += n
	return nil
}

// highQualityMode returns the mode nearest to (px, py) in its standard
// deviations when the point lies within the radius of it, else −1.
func (t *ModeTally) highQualityMode(px, py float64) int {
	best, bk := math.Inf(1), -1
	for k, m := range t.modes {
		dx, dy := px-m.Center[0], py-m.Center[1]
		if d := math.Sqrt(dx*dx+dy*dy) / m.Std; d < best {
			best, bk = d, k
		}
	}
	if bk >= 0 && best <= t.sig {
		return bk
	}
	return -1
}

// need returns the high-quality count mode k needs to be covered among n
// samples.
func (t *ModeTally) need(k, n int) int {
	if t.o.MinCount != 0 {
		return t.o.MinCount
	}
	w := 1 / float64(len(t.modes))
	if t.wsum > 0 {
		w = t.modes[k].Weight / t.wsum
	}
	return max(1, int(math.Ceil(0.2*float64(n)*w)))
}

// Report returns the coverage of all the samples added so far (at least
// one batch).
func (t *ModeTally) Report() ModeReport {
	r := ModeReport{Total: len(t.modes), Counts: append([]int(nil), t.counts...), MinCounts: make([]int, len(t.modes))}
	r.HighQuality = float64(t.hq) / float64(t.n)
	for k := range t.modes {
		r.MinCounts[k] = t.need(k, t.n)
		if r.Counts[k] >= r.MinCounts[k] {
			r.Covered++
		}
	}
	return r
}

// WeightedModes is Modes for the weighted empirical measure Σ_i q_i δ_{x_i},
// q_i = w_i / Σ_j w_j (importance-weighted samples): HighQuality is the mass
// within the radius of a mode, Σ_{i high quality} q_i, and mode k is covered
// when n times its high-quality mass reaches the count it needs among n
// samples (Counts holds n times that mass, rounded). Equal weights give
// Modes's report. The weights must be finite and ≥ 0 with a positive sum.
func WeightedModes(x []float32, w []float64, modes []data.Mode, o ModeOptions) (ModeReport, error) {
	t, err := NewModeTally(modes, o)
	if err != nil {
		return ModeReport{}, err
	}
	if len(x) == 0 || len(x)%2 != 0 {
		return ModeReport{}, fmt.Errorf("metrics: WeightedModes: %d values are not a non-empty set of 2-D points", len(x))
	}
	n := len(x) / 2
	q, _, err := kale.MassFractions(w, n)
	if err != nil {
		return ModeReport{}, err
	}
	mass := make([]float64, len(modes))
	r := ModeReport{Total: len(modes), Counts: make([]int, len(modes)), MinCounts: make([]int, len(modes))}
	for i := 0; i < n; i++ {
		if k := t.highQualityMode(float64(x[2*i]), float64(x[2*i+1])); k >= 0 {
			mass[k] += q[i]
			r.HighQuality += q[i]
		}
	}
	for k := range modes {
		r.MinCounts[k] = t.need(k, n)
		r.Counts[k] = int(math.Round(float64(n) * mass[k]))
		if float64(n)*mass[k] >= float64(r.MinCounts[k])-1e-9 {
			r.Covered++
		}
	}
	return r, nil
}

// NLL returns the mean negative log-likelihood of the n = len(x)/2 samples
// under the toy's exact density, −(1/n) Σ_i log p_data(x_i) (nats), the
// number of samples where that density is zero (outside a bounded support,
// such as the checkerboard's squares: any one makes the mean +Inf), and false
// when the toy has no closed-form density. norm maps the samples' stored
// values back to the toy's raw space (identity for the toys gebm trains on);
// the density is the raw one.
func NLL(toy data.Toy, x []float32, norm data.Normalization) (nll float64, outside int, ok bool, err error) {
	if len(x) == 0 || len(x)%2 != 0 {
		return 0, 0, false, fmt.Errorf("metrics: NLL: %d values are not a non-empty set of 2-D points", len(x))
	}
	var s float64
	ok = logDensities(toy, x, norm, func(_ int, lp float64) {
		if math.IsInf(lp, -1) {
			outside++
		}
		s -= lp
	})
	if !ok {
		return 0, 0, false, nil
	}
	return s / float64(len(x)/2), outside, true, nil
}

// logDensities calls visit(i, log p_data(x_i)) for each 2-D sample of x in
// order, the samples mapped to the toy's raw space by norm, and returns
// false, visiting none, when the toy has no closed-form density.
func logDensities(toy data.Toy, x []float32, norm data.Normalization, visit func(i int, lp float64)) bool {
	if _, ok := toy.LogDensity([]float64{0, 0}); !ok {
		return false
	}
	raw := func(v float32) float64 {
		if norm.Scale == 0 {
			return float64(v)
		}
		return norm.Raw(float64(v))
	}
	p := make([]float64, 2)
	for i := 0; i < len(x)/2; i++ {
		p[0], p[1] = raw(x[2*i]), raw(x[2*i+1])
		lp, _ := toy.LogDensity(p)
		visit(i, lp)
	}
	return true
}

// WeightedNLL is NLL for the weighted empirical measure Σ_i q_i δ_{x_i},
// q_i = w_i / Σ_j w_j: −Σ_i q_i log p_data(x_i), and outside the mass, in
// [0, 1], where the density is zero (samples of weight 0 do not count). The
// weights must be finite and ≥ 0 with a positive sum.
func WeightedNLL(toy data.Toy, x []float32, w []float64, norm data.Normalization) (nll, outside float64, ok bool, err error) {
	if len(x) == 0 || len(x)%2 != 0 {
		return 0, 0, false, fmt.Errorf("metrics: WeightedNLL: %d values are not a non-empty set of 2-D points", len(x))
	}
	q, _, err := kale.MassFractions(w, len(x)/2)
	if err != nil {
		return 0, 0, false, err
	}
	ok = logDensities(toy, x, norm, func(i int, lp float64) {
		if q[i] == 0 {
			return
		}
		if math.IsInf(lp, -1) {
			outside += q[i]
		}
		nll -= q[i] * lp
	})
	if !ok {
		return 0, 0, false, nil
	}
	return nll, outside, true, nil
}
