// Command gebm trains, samples and evaluates generalized energy-based
// models. Run `gebm help` for the commands.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"

	"github.com/gebm/gebm/native/blas"
)

// command is one subcommand: its one-line summary and its entry point.
type command struct {
	summary string
	run     func(args []string, stdout, stderr io.Writer) error
}

var commands = map[string]command{}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// errUsage marks an error whose message is already printed with usage.
var errUsage = errors.New("usage")

// run runs one command. Every network it builds multiplies with the
// build's fastest native kernel (OpenBLAS where linked in), and every Adam
// update with the vectorised one (blas.UseFastest).
func run(args []string, stdout, stderr io.Writer) int {
	blas.UseFastest()
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(stderr)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "gebm: unknown command %q\n", args[0])
		usage(stderr)
		return 2
	}
	if err := cmd.run(args[1:], stdout, stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		if !errors.Is(err, errUsage) {
			fmt.Fprintf(stderr, "gebm %s: %v\n", args[0], err)
		}
		var sig signalled
		if errors.As(err, &sig) {
			return sig.exitCode()
		}
		return 1
	}
	return 0
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "gebm: generalized energy-based models (train, sample, evaluate)")
	fmt.Fprintln(w, "\nusage: gebm <command> [flags]   (gebm <command> -h for its flags)")
	var names []string
	for name := range commands {
		names = append(names, name)
	}
	sort.Strings(names)
	fmt.Fprintln(w, "\ncommands:")
	for _, name := range names {
		fmt.Fprintf(w, "  %-12s %s\n", name, commands[name].summary)
	}
}

// newFlags makes a flag set whose errors come back to the caller.
func newFlags(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("gebm "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	// A flag error prints its one line (flag does that) and a hint; -h
	// prints every flag (see parse).
	fs.Usage = func() {}
	return fs
}

// parse parses flags and refuses positional arguments that no flag took.
func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprintf(fs.Output(), "usage of %s:\n", fs.Name())
			fs.PrintDefaults()
			return err
		}
		fmt.Fprintf(fs.Output(), "(%s -h lists the flags)\n", fs.Name())
		return errUsage
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q (flags start with --)", fs.Arg(0))
	}
	return nil
}
