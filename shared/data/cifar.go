package data

import (
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// The CIFAR-10 binary format (https://www.cs.toronto.edu/~kriz/cifar.html):
// files data_batch_1.bin … data_batch_5.bin and test_batch.bin, each a
// sequence of records of one label byte (0..9) and 3072 pixel bytes, the
// red, green and blue 32×32 planes in turn, each row by row: channel-major,
// as gebm stores images.
const (
	CIFARSide    = 32
	CIFARClasses = 10
	CIFARRecord  = 1 + 3*CIFARSide*CIFARSide // bytes per record
	// CIFARTestFile is the test batch of the distribution; a folder that
	// holds it beside other batches uses it as the test set.
	CIFARTestFile = "test_batch.bin"
)

// CIFARShape is the shape of a CIFAR-10 image: three channels of 32×32.
var CIFARShape = ImageShape{C: 3, H: CIFARSide, W: CIFARSide}

// ReadCIFAR reads records of the CIFAR-10 binary format from r into a
// Dataset named name: one 3×32×32 image per row with PixelNorm (a byte p
// stored as p/127.5 − 1), and its label. The input must be one or more
// whole records: an empty input, a partial last record or a label above 9
// is an error naming the file and the record.
func ReadCIFAR(r io.Reader, name string) (*Dataset, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, errAt(name, "data", "%v", err)
	}
	if len(b) == 0 {
		return nil, errAt(name, "data", "empty file: want records of %d bytes (1 label byte, 3072 pixel bytes)", CIFARRecord)
	}
	n, extra := len(b)/CIFARRecord, len(b)%CIFARRecord
	if extra != 0 {
		hint := ""
		if len(b)%(CIFARRecord+1) == 0 {
			hint = " (CIFAR-100's records have 2 label bytes: not supported)"
		}
		return nil, errAt(name, fmt.Sprintf("record %d", n), "truncated: %d bytes are %d whole records of %d bytes and %d bytes more%s",
			len(b), n, CIFARRecord, extra, hint)
	}
	d := &Dataset{Name: name, Dim: CIFARShape.Dim(), Classes: CIFARClasses, Norm: PixelNorm(CIFARShape),
		X: make([]float32, n*CIFARShape.Dim()), Labels: make([]int, n)}
	lut := pixelTable()
	for i := 0; i < n; i++ {
		rec := b[i*CIFARRecord : (i+1)*CIFARRecord]
		if rec[0] >= CIFARClasses {
			return nil, errAt(name, fmt.Sprintf("record %d", i), "label byte %d: want 0..9", rec[0])
		}
		d.Labels[i] = int(rec[0])
		row := d.Row(i)
		for k, p := range rec[1:] {
			row[k] = lut[p]
		}
	}
	return d, nil
}

// ReadCIFARFile opens path and reads it with ReadCIFAR, naming it by path.
func ReadCIFARFile(path string) (*Dataset, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("data: %w", err)
	}
	defer f.Close()
	return ReadCIFAR(f, path)
}

// cifarFiles returns the .bin files of dir (any case), in the order of
// their names.
func cifarFiles(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("data: %w", err)
	}
	var files []string
	for _, e := range entries {
		if !e.IsDir() && strings.EqualFold(filepath.Ext(e.Name()), ".bin") {
			files = append(files, e.Name())
		}
	}
	return files, nil
}

// LoadCIFARFolder reads the CIFAR-10 .bin files of dir. When dir holds
// test_batch.bin beside other .bin files (the distribution's
// cifar-10-batches-bin folder), the others, in the order of their names,
// are the training set dir+"-train" and test_batch.bin the test set
// dir+"-test"; otherwise every .bin file is read, in name order, and the
// rows are split as Dataset.Split does with testFraction and rng.
func LoadCIFARFolder(dir string, testFraction float64, rng *rand.Rand) (train, test *Dataset, err error) {
	files, err := cifarFiles(dir)
	if err != nil {
		return nil, nil, err
	}
	if len(files) == 0 {
		return nil, nil, fmt.Errorf("data: %s: no CIFAR-10 .bin files in the folder", dir)
	}
	read := func(names []string, name string) (*Dataset, error) {
		var all *Dataset
		for _, f := range names {
			d, err := ReadCIFARFile(filepath.Join(dir, f))
			if err != nil {
				return nil, err
			}
			if all == nil {
				all = d
				continue
			}
			all.X = append(all.X, d.X...)
			all.Labels = append(all.Labels, d.Labels...)
		}
		all.Name = name
		return all, nil
	}
	if i := slices.Index(files, CIFARTestFile); i >= 0 && len(files) > 1 {
		if train, err = read(slices.Delete(slices.Clone(files), i, i+1), dir+"-train"); err != nil {
			return nil, nil, err
		}
		if test, err = read([]string{CIFARTestFile}, dir+"-test"); err != nil {
			return nil, nil, err
		}
		return train, test, nil
	}
	all, err := read(files, dir)
	if err != nil {
		return nil, nil, err
	}
	return all.Split(testFraction, rng)
}
