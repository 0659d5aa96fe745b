package main

import (
	"fmt"
	"io"
	"math/rand/v2"
	"path/filepath"
	"strings"

	"github.com/gebm/gebm/shared/data"
)

func init() {
	commands["data"] = command{"write samples of a built-in data set to .npy or .csv", runData}
}

// runData: gebm data SPEC --n N [--seed S] --out FILE.(npy|csv)
func runData(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			fmt.Fprintln(stderr, "usage: gebm data SPEC --n N [--seed S] --out FILE.(npy|csv)\n\nSPEC is one of:", strings.Join(data.ToyNames(), ", "))
			return nil
		}
		return fmt.Errorf("usage: gebm data SPEC --n N [--seed S] --out FILE.(npy|csv); SPEC is one of %s", strings.Join(data.ToyNames(), ", "))
	}
	spec := args[0]
	fs := newFlags("data", stderr)
	n := fs.Int("n", 1000, "number of samples")
	seed := fs.Uint64("seed", 1, "random seed")
	out := fs.String("out", "", "output file, .npy or .csv")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	toy, err := data.ToyByName(spec)
	if err != nil {
		return err
	}
	if *n < 1 || *n > 100_000_000 {
		return fmt.Errorf("--n %d must be in 1..100000000", *n)
	}
	x := make([]float32, *n*toy.Dim())
	toy.Sample(rand.New(rand.NewPCG(*seed, 0)), x)
	switch strings.ToLower(filepath.Ext(*out)) {
	case ".npy":
		err = data.WriteNPYFile(*out, x, toy.Dim())
	case ".csv":
		err = data.WriteCSVFile(*out, x, toy.Dim(), []string{"x", "y"}[:toy.Dim()])
	case "":
		return fmt.Errorf("--out is required (a .npy or .csv file)")
	default:
		return fmt.Errorf("--out %s: unknown extension, use .npy or .csv", *out)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %d samples of %s to %s\n", *n, spec, *out)
	return nil
}
