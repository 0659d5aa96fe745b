package data

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
)

// SpecKind says what a data spec names.
type SpecKind int

// The kinds of data spec.
const (
	SpecToy    SpecKind = iota + 1 // a toy distribution by name
	SpecMNIST                      // "mnist"
	SpecNPY                        // a path ending in .npy
	SpecCSV                        // a path ending in .csv
	SpecCIFAR                      // a path ending in .bin: a CIFAR-10 binary file
	SpecFolder                     // a folder of PNG/JPEG images or of CIFAR-10 .bin files
)

// String returns "toy", "mnist", "npy", "csv", "cifar" or "folder".
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
	case SpecCIFAR:
		return "cifar"
	case SpecFolder:
		return "folder"
	}
	return fmt.Sprintf("SpecKind(%d)", int(k))
}

// Spec is a parsed data spec.
type Spec struct {
	Kind SpecKind
	// Name is the toy's registry name, "mnist", or the path as given.
	Name string
	// Toy is the distribution when Kind is SpecToy, nil otherwise.
	Toy Toy
}

// ParseSpec parses a data spec: a toy name (see ToyNames; case-insensitive),
// "mnist", a path ending in .npy, .csv or .bin (a CIFAR-10 binary file;
// case-insensitive extensions), or a folder: a path without an extension, or
// one ending in a slash (Load reads its images or its CIFAR-10 .bin files).
// Names take precedence over paths, so a file or folder called "mnist" must
// be given as ./mnist. Any other extension is an error that lists the valid
// forms. ParseSpec does not touch the file system.
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
	if strings.HasSuffix(s, "/") || strings.HasSuffix(s, string(filepath.Separator)) {
		return Spec{Kind: SpecFolder, Name: s}, nil
	}
	switch ext := strings.ToLower(filepath.Ext(s)); ext {
	case "", ".":
		return Spec{Kind: SpecFolder, Name: s}, nil
	case ".bin":
		return Spec{Kind: SpecCIFAR, Name: s}, nil
	case ".npy":
		return Spec{Kind: SpecNPY, Name: s}, nil
	case ".csv":
		return Spec{Kind: SpecCSV, Name: s}, nil
	case ".npz":
		return Spec{}, fmt.Errorf("data: %s: .npz archives are not supported: save one 2-D array with np.save to a .npy file", s)
	case ".txt", ".tsv", ".dat":
		return Spec{}, fmt.Errorf("data: %s: unsupported extension %s: save the numbers as comma-separated .csv or as .npy", s, ext)
	}
	return Spec{}, fmt.Errorf("data: unknown data spec %q: want %s (end a folder's name with / when it holds a dot)", spec, specForms())
}

// specForms lists the valid spec forms for error messages.
func specForms() string {
	return fmt.Sprintf("a toy distribution (%s), \"mnist\", a path ending in .npy, .csv or .bin (CIFAR-10), or a folder of PNG/JPEG images or CIFAR-10 .bin files", strings.Join(ToyNames(), ", "))
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
	// TestFraction is the fraction of a file's or folder's rows held out
	// for the test set, in [0, 1); 0 keeps all rows for training. MNIST and
	// a CIFAR-10 folder with its test_batch.bin have test sets of their own.
	TestFraction float64
	// Cols, when > 0, is the number of columns the data must have.
	Cols int
	// MNISTDir holds the MNIST files; "" means FindMNISTDir().
	MNISTDir string
	// ImageSize, when > 0, resamples every image to ImageSize×ImageSize
	// (ResizeImage: area averaging where it shrinks, bilinear where it
	// grows), whatever its source: MNIST, a folder, CIFAR-10 or a .npy
	// array of images. 0 keeps the images' own size, which must then be one
	// size throughout a folder. Data that are not images refuse it.
	ImageSize int
}

// Load builds the training and test sets a spec names: for a toy, two
// independent samples drawn with PCG streams (Seed, 0) and (Seed, 1); for
// MNIST, the standard 60000/10000 split; for a CIFAR-10 folder holding
// test_batch.bin and other batches, that file as the test set
// (LoadCIFARFolder); for any other file or folder, its rows split by
// TestFraction after a shuffle with PCG stream (Seed, 2). A folder holding
// .bin files is read as CIFAR-10 (LoadCIFARFolder), any other as images
// (ReadImageFolder); a .npy file holds rows (a 2-D array) or images (3-D or
// 4-D, ReadNPYImages). Images are then resampled to o.ImageSize when it is
// set.
func Load(spec Spec, o LoadOptions) (train, test *Dataset, err error) {
	if o.ImageSize < 0 || o.ImageSize > MaxImageSide {
		return nil, nil, fmt.Errorf("data: %s: image size %d: want 0 (the images' own) or 1..%d", spec.Name, o.ImageSize, MaxImageSide)
	}
	if o.ImageSize > 0 && (spec.Kind == SpecToy || spec.Kind == SpecCSV) {
		return nil, nil, fmt.Errorf("data: %s: an image size applies to images; a %v set holds points", spec.Name, spec.Kind)
	}
	if train, test, err = load(spec, o); err != nil {
		return nil, nil, err
	}
	if o.ImageSize > 0 {
		if train, err = resized(train, o.ImageSize); err != nil {
			return nil, nil, err
		}
		if test, err = resized(test, o.ImageSize); err != nil {
			return nil, nil, err
		}
	}
	if o.Cols > 0 {
		if err := train.CheckDim(o.Cols); err != nil {
			return nil, nil, err
		}
	}
	return train, test, nil
}

// resized returns d with its images resampled to n×n, d itself when they
// are n×n already.
func resized(d *Dataset, n int) (*Dataset, error) {
	if s, ok := d.Image(); ok && s.H == n && s.W == n {
		return d, nil
	}
	r, err := ResizeImages(d, n, n)
	if err != nil {
		return nil, fmt.Errorf("%w (an image size applies to images only)", err)
	}
	return r, nil
}

// load is Load before the images are resized.
func load(spec Spec, o LoadOptions) (train, test *Dataset, err error) {
	split := rand.New(rand.NewPCG(o.Seed, 2))
	switch spec.Kind {
	case SpecToy:
		return LoadToy(spec, o)
	case SpecMNIST:
		if side := cmp.Or(o.ImageSize, MNISTSide); o.Cols > 0 && o.Cols != side*side {
			return nil, nil, fmt.Errorf("data: mnist: %d columns, want %d", side*side, o.Cols)
		}
		dir := o.MNISTDir
		if dir == "" {
			if dir, err = FindMNISTDir(); err != nil {
				return nil, nil, err
			}
		}
		return LoadMNIST(dir)
	case SpecNPY:
		f, err := os.Open(spec.Name)
		if err != nil {
			return nil, nil, fmt.Errorf("data: %w", err)
		}
		defer f.Close()
		d, err := readNPY(f, spec.Name, o.Cols, true)
		if err != nil {
			return nil, nil, err
		}
		return d.Split(o.TestFraction, split)
	case SpecCSV:
		d, err := ReadCSVFile(spec.Name, o.Cols)
		if err != nil {
			return nil, nil, err
		}
		return d.Split(o.TestFraction, split)
	case SpecCIFAR:
		d, err := ReadCIFARFile(spec.Name)
		if err != nil {
			return nil, nil, err
		}
		return d.Split(o.TestFraction, split)
	case SpecFolder:
		st, err := os.Stat(spec.Name)
		if err != nil {
			return nil, nil, fmt.Errorf("data: %s is not %s: %w", spec.Name, specForms(), err)
		}
		if !st.IsDir() {
			return nil, nil, fmt.Errorf("data: %s is a file without an extension: want %s", spec.Name, specForms())
		}
		bins, err := cifarFiles(spec.Name)
		if err != nil {
			return nil, nil, err
		}
		if len(bins) > 0 {
			return LoadCIFARFolder(spec.Name, o.TestFraction, split)
		}
		d, err := ReadImageFolder(spec.Name, o.ImageSize)
		if err != nil {
			return nil, nil, err
		}
		return d.Split(o.TestFraction, split)
	}
	return nil, nil, fmt.Errorf("data: invalid spec kind %v", spec.Kind)
}

// LoadToy is Load for a toy set (spec.Kind SpecToy): o.ToyTrain and
// o.ToyTest rows (DefaultToyTrain and DefaultToyTest when 0) drawn with PCG
// streams (o.Seed, 0) and (o.Seed, 1). The WebAssembly trainer calls it
// rather than Load so that the browser's module does not link the file
// readers (image, CIFAR-10, .npy, CSV, MNIST) it can never use.
func LoadToy(spec Spec, o LoadOptions) (train, test *Dataset, err error) {
	if spec.Kind != SpecToy {
		return nil, nil, fmt.Errorf("data: %s: a %v set, not a toy set", spec.Name, spec.Kind)
	}
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
}
