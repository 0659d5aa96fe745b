//go:build js || wasip1

package data

import "errors"

// FindMNISTDir is native-only: it runs the go command. On js and wasip1 it
// returns an error; pass the files to ReadMNIST instead.
func FindMNISTDir() (string, error) {
	return "", errors.New("data: FindMNISTDir is not available on WebAssembly; use ReadMNIST with the file contents")
}
