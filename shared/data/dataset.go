package data

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// Dataset is a set of Rows() samples of dimension Dim, stored row-major in X:
// row i is X[i*Dim : (i+1)*Dim]. Labels, when not nil, has one class label
// per row.
type Dataset struct {
	// Name says where the data came from ("8gaussians", "mnist-train",
	// "points.csv"); error messages use it.
	Name string
	// Dim is the number of values per row.
	Dim int
	// X holds Rows()*Dim values, row-major.
	X []float32
	// Labels is nil or holds one label in [0, Classes) per row.
	Labels []int
	// Classes is the number of label values; 0 when Labels is nil.
	Classes int
	// Columns holds column names read from a CSV header; nil otherwise.
	Columns []string
	// Norm says how the stored values relate to the raw data.
	Norm Normalization
}

// Normalization records the affine map from raw data to the stored values,
// stored = raw*Scale + Offset, and what is known about the stored values.
type Normalization struct {
	// Shape is the shape of one row: nil for a flat vector of Dim values,
	// [H W] for a one-channel image (MNIST's [28 28]) and [C H W] for a
	// C-channel one, channel-major (see ImageShape and Image).
	Shape []int
	// Scale and Offset define stored = raw*Scale + Offset. The identity is
	// Scale 1, Offset 0.
	Scale, Offset float64
	// Bounded is true when every stored value lies in [Min, Max].
	Bounded  bool
	Min, Max float64
}

// Identity is the Normalization of data stored as read: Scale 1, Offset 0,
// no known bounds, flat rows.
func Identity() Normalization { return Normalization{Scale: 1} }

// Raw maps a stored value back to raw units: (stored − Offset) / Scale.
func (n Normalization) Raw(stored float64) float64 { return (stored - n.Offset) / n.Scale }

// Rows returns the number of samples, len(X)/Dim (0 when Dim is 0).
func (d *Dataset) Rows() int {
	if d.Dim == 0 {
		return 0
	}
	return len(d.X) / d.Dim
}

// Row returns row i of X, sharing its storage.
func (d *Dataset) Row(i int) []float32 { return d.X[i*d.Dim : (i+1)*d.Dim : (i+1)*d.Dim] }

// Validate checks the invariants of a Dataset: Dim > 0, len(X) a multiple of
// Dim, every value finite, Labels nil or one per row in [0, Classes), Columns
// nil or Dim names, Norm.Shape nil or an image shape of Dim values, and the
// values within [Min, Max] when Bounded.
func (d *Dataset) Validate() error {
	if d.Dim <= 0 {
		return fmt.Errorf("data: %s: dimension %d, want > 0", d.Name, d.Dim)
	}
	if d.Norm.Shape != nil {
		s, ok := d.Image()
		if !ok || s.C < 1 || s.H < 1 || s.W < 1 || s.Dim() != d.Dim {
			return fmt.Errorf("data: %s: row shape %v does not describe an image of %d values", d.Name, d.Norm.Shape, d.Dim)
		}
	}
	if len(d.X)%d.Dim != 0 {
		return fmt.Errorf("data: %s: %d values do not fill rows of %d", d.Name, len(d.X), d.Dim)
	}
	for i, v := range d.X {
		f := float64(v)
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return fmt.Errorf("data: %s: row %d, column %d: non-finite value %g", d.Name, i/d.Dim, i%d.Dim, f)
		}
		if d.Norm.Bounded && (f < d.Norm.Min || f > d.Norm.Max) {
			return fmt.Errorf("data: %s: row %d, column %d: %g outside [%g, %g]", d.Name, i/d.Dim, i%d.Dim, f, d.Norm.Min, d.Norm.Max)
		}
	}
	if d.Labels != nil {
		if len(d.Labels) != d.Rows() {
			return fmt.Errorf("data: %s: %d labels for %d rows", d.Name, len(d.Labels), d.Rows())
		}
		for i, l := range d.Labels {
			if l < 0 || l >= d.Classes {
				return fmt.Errorf("data: %s: row %d: label %d outside [0, %d)", d.Name, i, l, d.Classes)
			}
		}
	}
	if d.Columns != nil && len(d.Columns) != d.Dim {
		return fmt.Errorf("data: %s: %d column names for dimension %d", d.Name, len(d.Columns), d.Dim)
	}
	return nil
}

// CheckDim returns an error naming the dataset unless it has dim columns.
func (d *Dataset) CheckDim(dim int) error {
	if d.Dim != dim {
		return fmt.Errorf("data: %s: %d columns, want %d", d.Name, d.Dim, dim)
	}
	return nil
}

// Subset returns a new Dataset holding copies of the given rows, in order,
// with the same metadata and the given name.
func (d *Dataset) Subset(name string, rows []int) *Dataset {
	s := &Dataset{Name: name, Dim: d.Dim, Classes: d.Classes, Columns: d.Columns, Norm: d.Norm}
	s.X = make([]float32, len(rows)*d.Dim)
	if d.Labels != nil {
		s.Labels = make([]int, len(rows))
	}
	for i, r := range rows {
		copy(s.X[i*d.Dim:(i+1)*d.Dim], d.Row(r))
		if d.Labels != nil {
			s.Labels[i] = d.Labels[r]
		}
	}
	return s
}

// Split shuffles the rows with rng and returns copies of them in two sets:
// test holds round(testFraction·Rows()) rows, train the rest. They are named
// Name+"-train" and Name+"-test". testFraction must lie in [0, 1); with 0
// the test set is empty (but not nil).
func (d *Dataset) Split(testFraction float64, rng *rand.Rand) (train, test *Dataset, err error) {
	if !(testFraction >= 0 && testFraction < 1) {
		return nil, nil, fmt.Errorf("data: %s: test fraction %g outside [0, 1)", d.Name, testFraction)
	}
	n := d.Rows()
	perm := make([]int, n)
	for i := range perm {
		perm[i] = i
	}
	rng.Shuffle(n, func(i, j int) { perm[i], perm[j] = perm[j], perm[i] })
	nTest := int(math.Round(testFraction * float64(n)))
	test = d.Subset(d.Name+"-test", perm[:nTest])
	train = d.Subset(d.Name+"-train", perm[nTest:])
	return train, test, nil
}

// SampleDataset draws n samples of toy with rng into a new Dataset named
// after the toy, with the identity normalisation.
func SampleDataset(toy Toy, n int, rng *rand.Rand) *Dataset {
	x := make([]float32, n*toy.Dim())
	toy.Sample(rng, x)
	return &Dataset{Name: toy.Name(), Dim: toy.Dim(), X: x, Norm: Identity()}
}
