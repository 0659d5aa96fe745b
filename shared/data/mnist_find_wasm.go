//go:build js || wasip1

package data

import (
	"errors"
	"fmt"
	"os"
)

// FindMNISTDir on js and wasip1 only honours $GEBM_MNIST_DIR (useful when a
// WASI runtime mounts the host file system, as the wasip1 test runner does):
// finding the module needs the go command, which is native-only. Without the
// variable it returns an error; pass the files to ReadMNIST instead.
func FindMNISTDir() (string, error) {
	d := os.Getenv("GEBM_MNIST_DIR")
	if d == "" {
		return "", errors.New("data: FindMNISTDir on WebAssembly needs GEBM_MNIST_DIR; or use ReadMNIST with the file contents")
	}
	if err := hasMNIST(d); err != nil {
		return "", fmt.Errorf("data: GEBM_MNIST_DIR: %w", err)
	}
	return d, nil
}
