package metrics

import (
	"fmt"

	"github.com/gebm/gebm/shared/data"
	"github.com/gebm/gebm/shared/kale"
)

// ToyOptions configures Toy and Compare.
type ToyOptions struct {
	// Modes is the mode-coverage rule.
	Modes ModeOptions
	// Bandwidth is the Gaussian kernel's σ for MMD² and KALE; 0 means the
	// median distance between the two halves of the fresh data
	// (kale.MedianBandwidth), so that every sample set compared with the same
	// data is measured with the same kernel.
	Bandwidth float64
	// KALEPoints caps the points of each set given to the exact KALE solver,
	// whose cost grows as the cube of the sample size; 0 means 500, and a
	// negative value skips KALE.
	KALEPoints int
}

// ToyReport holds the measures of a sample set against fresh data (2-D or
// not). The optional measures are nil when they do not apply.
type ToyReport struct {
	// Modes is mode coverage and high-quality samples (mixtures only).
	Modes *ModeReport `json:"modes,omitempty"`
	// MMD2 is the unbiased MMD² with the Gaussian kernel of width Bandwidth.
	MMD2      float64 `json:"mmd2"`
	Bandwidth float64 `json:"bandwidth"`
	// NLL is −mean log p_data(x) over the samples (toys with a density).
	NLL *float64 `json:"nll,omitempty"`
	// OutsideSupport is the fraction of the samples where the toy's density
	// is zero (they make NLL +Inf); nil when it is zero or NLL is.
	OutsideSupport *float64 `json:"outside_support,omitempty"`
	// KALE is the RKHS KALE(data ‖ samples) (kale.KALE, default λ).
	KALE *float64 `json:"kale,omitempty"`
}

// Toy measures the 2-D samples x (row-major) against fresh draws from the toy
// (row-major, in the same space), norm mapping that space to the toy's raw
// one: Compare's MMD² and KALE, plus modes (for mixtures) and NLL (for toys
// with a density).
func Toy(toy data.Toy, fresh, x []float32, norm data.Normalization, o ToyOptions) (ToyReport, error) {
	if toy.Dim() != 2 {
		return ToyReport{}, fmt.Errorf("metrics: Toy: %s has dimension %d, not 2", toy.Name(), toy.Dim())
	}
	r, err := Compare(fresh, x, 2, o)
	if err != nil {
		return r, err
	}
	if modes := toy.Modes(); len(modes) > 0 {
		mr, err := Modes(x, modes, o.Modes)
		if err != nil {
			return r, err
		}
		r.Modes = &mr
	}
	if v, outside, ok, err := NLL(toy, x, norm); err != nil {
		return r, err
	} else if ok {
		r.NLL = &v
		if outside > 0 {
			f := float64(outside) / float64(len(x)/2)
			r.OutsideSupport = &f
		}
	}
	return r, nil
}

// Compare measures samples x against fresh data in any dimension dim (rows,
// row-major): the unbiased MMD² and, unless o.KALEPoints < 0, the RKHS KALE
// (data ‖ samples), both with the Gaussian kernel of width o.Bandwidth (0: the
// median heuristic on the data alone). Modes and NLL are left nil.
func Compare(fresh, x []float32, dim int, o ToyOptions) (ToyReport, error) {
	return compare(fresh, x, nil, dim, o)
}

// WeightedCompare is Compare for the importance-weighted samples x, weights w
// (one per row: finite, ≥ 0, positive sum): kale.WeightedMMD2 and, on the
// first o.KALEPoints rows with their weights, kale.WeightedKALE. On the same
// x, its difference from Compare is the effect of the weights alone.
func WeightedCompare(fresh, x []float32, w []float64, dim int, o ToyOptions) (ToyReport, error) {
	if w == nil {
		return ToyReport{}, fmt.Errorf("metrics: WeightedCompare: no weights")
	}
	return compare(fresh, x, w, dim, o)
}

// compare is Compare, with the samples weighted by w unless w is nil.
func compare(fresh, x []float32, w []float64, dim int, o ToyOptions) (ToyReport, error) {
	nf, err := rows(fresh, dim, 4, "Compare (data)")
	if err != nil {
		return ToyReport{}, err
	}
	nx, err := rows(x, dim, 2, "Compare (samples)")
	if err != nil {
		return ToyReport{}, err
	}
	var r ToyReport
	ds, err := samples(fresh, nf)
	if err != nil {
		return r, err
	}
	xs, err := samples(x, nx)
	if err != nil {
		return r, err
	}
	r.Bandwidth = o.Bandwidth
	if r.Bandwidth == 0 {
		h := nf / 2
		a, _ := samples(fresh[:dim*h], h)
		b, _ := samples(fresh[dim*h:], nf-h)
		r.Bandwidth = kale.MedianBandwidth(a, b)
	}
	if w == nil {
		r.MMD2, err = kale.MMD2Unbiased(ds, xs, r.Bandwidth)
	} else {
		r.MMD2, err = kale.WeightedMMD2(ds, xs, w, r.Bandwidth)
	}
	if err != nil {
		return r, err
	}
	if o.KALEPoints >= 0 {
		k := o.KALEPoints
		if k == 0 {
			k = 500
		}
		dk, _ := samples(fresh[:dim*min(k, nf)], min(k, nf))
		xk, _ := samples(x[:dim*min(k, nx)], min(k, nx))
		var res kale.Result
		if w == nil {
			res, err = kale.KALE(dk, xk, kale.Options{Bandwidth: r.Bandwidth})
		} else {
			res, err = kale.WeightedKALE(dk, xk, w[:min(k, nx)], kale.Options{Bandwidth: r.Bandwidth})
		}
		if err != nil {
			return r, fmt.Errorf("metrics: KALE: %w", err)
		}
		v := res.Value
		r.KALE = &v
	}
	return r, nil
}

func samples(x []float32, n int) (kale.Samples, error) {
	return kale.SamplesFromFloat32(x, n, len(x)/max(n, 1))
}
