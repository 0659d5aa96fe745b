package data

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strings"
)

// SpecKind says what a data spec names.
type SpecKind int

// The kinds of data spec.
const (
	SpecToy   SpecKind = iota + 1 // a toy distribution by name
	SpecMNIST                     // "mnist"
	SpecNPY                       // a path ending in .npy
	SpecCSV                       // a path ending in .csv
)

// String returns "toy", "mnist", "npy" or "csv".
func (k SpecKind) String() string {
	switch k {
	case SpecToy:
		return "toy"
	case SpecMNIST:
		return "mnist"
	case SpecNPY:
		return "npy"
	case SpecCSV:
		return "csv"
	}
	return fmt.Sprintf("SpecKind(%d)", int(k))
}

// Spec is a parsed data spec.
type Spec struct {
	Kind SpecKind
	// Name is the toy's registry name, "mnist", or the file path as given.
	Name string
	// Toy is the distribution when Kind is SpecToy, nil otherwise.
	Toy Toy
}

// ParseSpec parses a data spec: a toy name (see ToyNames; case-insensitive),
// "mnist", or a path ending in .npy or .csv (case-insensitive extension). Names
// take precedence over paths, so a file called "mnist" must be given with its
// extension. Anything else is an error that lists the valid forms. ParseSpec
// does not touch the file system.
func ParseSpec(spec string) (Spec, error) {
	s := strings.TrimSpace(spec)
	if s == "" {
		return Spec{}, fmt.Errorf("data: empty data spec: want %s", specForms())
	}
	if toy, err := ToyByName(s); err == nil {
		return Spec{Kind: SpecToy, Name: toy.Name(), Toy: toy}, nil
	}
	if strings.EqualFold(s, "mnist") {
		return Spec{Kind: SpecMNIST, Name: "mnist"}, nil
	}
	switch ext := strings.ToLower(filepath.Ext(s)); ext {
	case ".npy":
		return Spec{Kind: SpecNPY, Name: s}, nil
	case ".csv":
		return Spec{Kind: SpecCSV, Name: s}, nil
	case ".npz":
		return Spec{}, fmt.Errorf("data: %s: .npz archives are not supported: save one 2-D array with np.save to a .npy file", s)
	case ".txt", ".tsv", ".dat":
		return Spec{}, fmt.Errorf("data: %s: unsupported extension %s: save the numbers as comma-separated .csv or as .npy", s, ext)
	}
	return Spec{}, fmt.Errorf("data: unknown data spec %q: want %s", spec, specForms())
}

// specForms lists the valid spec forms for error messages.
func specForms() string {
	return fmt.Sprintf("a toy distribution (%s), \"mnist\", or a path ending in .npy or .csv", strings.Join(ToyNames(), ", "))
}

// String returns the spec as ParseSpec accepts it.
func (s Spec) String() string { return s.Name }

// Default sizes of the toy sets that Load draws.
const (
	DefaultToyTrain = 100000
	DefaultToyTest  = 10000
)

// LoadOptions controls Load.
type LoadOptions struct {
	// Seed seeds the toy samplers and the shuffle of the train/test split.
	Seed uint64
	// ToyTrain and ToyTest are the sizes of the sets drawn from a toy;
	// 0 means DefaultToyTrain and DefaultToyTest.
	ToyTrain, ToyTest int
	// TestFraction is the fraction of a .npy/.csv file's rows held out for
	// the test set, in [0, 1); 0 keeps all rows for training.
	TestFraction float64
	// Cols, when > 0, is the number of columns the data must have.
	Cols int
	// MNISTDir holds the MNIST files; "" means FindMNISTDir().
	MNISTDir string
}

// Load builds the training and test sets a spec names: for a toy, two
// independent samples drawn with PCG streams (Seed, 0) and (Seed, 1); for
// MNIST, the standard 60000/10000 split; for a file, its rows split by
// TestFraction after a shuffle with PCG stream (Seed, 2).
func Load(spec Spec, o LoadOptions) (train, test *Dataset, err error) {
	switch spec.Kind {
	case SpecToy:
		if o.Cols > 0 && o.Cols != spec.Toy.Dim() {
			return nil, nil, fmt.Errorf("data: %s: %d columns, want %d", spec.Name, spec.Toy.Dim(), o.Cols)
		}
		nTrain, nTest := o.ToyTrain, o.ToyTest
		if nTrain == 0 {
			nTrain = DefaultToyTrain
		}
		if nTest == 0 {
			nTest = DefaultToyTest
		}
		if nTrain < 0 || nTest < 0 {
			return nil, nil, fmt.Errorf("data: %s: negative set size (%d, %d)", spec.Name, nTrain, nTest)
		}
		train = SampleDataset(spec.Toy, nTrain, rand.New(rand.NewPCG(o.Seed, 0)))
		test = SampleDataset(spec.Toy, nTest, rand.New(rand.NewPCG(o.Seed, 1)))
		train.Name, test.Name = spec.Name+"-train", spec.Name+"-test"
		return train, test, nil
	case SpecMNIST:
		if o.Cols > 0 && o.Cols != MNISTDim {
			return nil, nil, fmt.Errorf("data: mnist: %d columns, want %d", MNISTDim, o.Cols)
		}
		dir := o.MNISTDir
		if dir == "" {
			if dir, err = FindMNISTDir(); err != nil {
				return nil, nil, err
			}
		}
		return LoadMNIST(dir)
	case SpecNPY, SpecCSV:
		d, err := ReadFile(spec.Name, o.Cols)
		if err != nil {
			return nil, nil, err
		}
		return d.Split(o.TestFraction, rand.New(rand.NewPCG(o.Seed, 2)))
	}
	return nil, nil, fmt.Errorf("data: invalid spec kind %v", spec.Kind)
}
