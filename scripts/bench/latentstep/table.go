package main

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"time"
)

// printTable writes the results as a Markdown table: one row per
// implementation, steps/s and GFLOP/s for each batch size.
func printTable(w io.Writer, results []result, batches []int, flops, rounds int) {
	var impls []string
	by := map[string]map[int]result{}
	for _, r := range results {
		if by[r.Impl] == nil {
			by[r.Impl] = map[int]result{}
			impls = append(impls, r.Impl)
		}
		by[r.Impl][r.Batch] = r
	}
	host, _ := os.Hostname()
	load, _ := os.ReadFile("/proc/loadavg")
	fmt.Fprintf(w, "Latent gradient step (one ULA step), MNIST-size GEBM, %d FLOP per chain per step; one thread each; best of %d rounds.\n", flops, rounds)
	fmt.Fprintf(w, "Measured %s on %s (%s, %d CPUs, load average %s).\n\n", time.Now().UTC().Format("2006-01-02 15:04 UTC"),
		host, runtime.GOARCH, runtime.NumCPU(), strings.Join(strings.Fields(string(load))[:min(3, len(strings.Fields(string(load))))], " "))
	fmt.Fprint(w, "| implementation |")
	for _, b := range batches {
		fmt.Fprintf(w, " B=%d steps/s | B=%d GFLOP/s |", b, b)
	}
	fmt.Fprint(w, " note |\n|---|")
	for range batches {
		fmt.Fprint(w, "---:|---:|")
	}
	fmt.Fprint(w, "---|\n")
	for _, impl := range impls {
		fmt.Fprintf(w, "| %s |", impl)
		note := ""
		for _, b := range batches {
			r, ok := by[impl][b]
			if !ok {
				fmt.Fprint(w, " – | – |")
				continue
			}
			fmt.Fprintf(w, " %.1f | %.2f |", r.StepsPerS, r.StepsPerS*float64(b)*float64(flops)/1e9)
			if r.Note != "" {
				note = r.Note
			}
		}
		fmt.Fprintf(w, " %s |\n", note)
	}
}
