package data

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// ReadNPYFile opens path and reads it with ReadNPY, naming it by path.
func ReadNPYFile(path string, wantCols int) (*Dataset, error) {
	return readFile(path, wantCols, ReadNPY)
}

// ReadCSVFile opens path and reads it with ReadCSV, naming it by path.
func ReadCSVFile(path string, wantCols int) (*Dataset, error) {
	return readFile(path, wantCols, ReadCSV)
}

// ReadFile reads a .npy or a .csv file, chosen by the extension of path
// (case-insensitive); any other extension is an error.
func ReadFile(path string, wantCols int) (*Dataset, error) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".npy":
		return ReadNPYFile(path, wantCols)
	case ".csv":
		return ReadCSVFile(path, wantCols)
	}
	return nil, fmt.Errorf("data: %s: unknown file type: want a .npy or .csv file", path)
}

func readFile(path string, wantCols int, read func(io.Reader, string, int) (*Dataset, error)) (*Dataset, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("data: %w", err)
	}
	defer f.Close()
	return read(f, path, wantCols)
}

// WriteNPYFile writes x (cols columns) to path with WriteNPY, creating or
// truncating the file; on error the partial file is removed.
func WriteNPYFile(path string, x []float32, cols int) error {
	if err := checkWritable(x, cols); err != nil {
		return err
	}
	return writeFile(path, func(w io.Writer) error { return WriteNPY(w, x, cols) })
}

// WriteCSVFile writes x (cols columns) to path with WriteCSV, creating or
// truncating the file; on error the partial file is removed.
func WriteCSVFile(path string, x []float32, cols int, header []string) error {
	if err := checkWritable(x, cols); err != nil {
		return err
	}
	return writeFile(path, func(w io.Writer) error { return WriteCSV(w, x, cols, header) })
}

func writeFile(path string, write func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("data: %w", err)
	}
	err = write(f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return fmt.Errorf("data: write %s: %w", path, err)
	}
	return nil
}
