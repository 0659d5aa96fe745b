//go:build !js && !wasip1

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
func printTable(w io.Writer, results []result, batches []int, what string, flops, rounds int) {
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
	fmt.Fprintf(w, "Latent gradient step (one ULA step), %s, %d FLOP per chain per step; one thread each unless the row says workers or threads; best of %d rounds.\n", what, flops, rounds)
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
			if r.Note != "" {
				note = r.Note
			}
			if !ok || r.StepsPerS == 0 {
				fmt.Fprint(w, " – | – |")
				continue
			}
			fmt.Fprintf(w, " %s | %.2f |", stepsPerS(r.StepsPerS), r.StepsPerS*float64(b)*float64(flops)/1e9)
			if r.Note != "" {
				note = r.Note
			}
		}
		fmt.Fprintf(w, " %s |\n", note)
	}
}

// stepsPerS writes a rate with one decimal, or three significant digits
// below 10 (a convolutional model's steps are slow).
func stepsPerS(v float64) string {
	if v < 10 {
		return fmt.Sprintf("%.3g", v)
	}
	return fmt.Sprintf("%.1f", v)
}

// printRatios writes the ratios the goal is stated in, per engine (Node's
// V8, and Chromium's where it ran) and batch size: the gebm browser sampler
// (the SIMD128 kernel, the better of one worker and one per core) against
// TensorFlow.js's best configuration in the same engine (any of its rows:
// wasm with one thread or more, webgl, cpu), and the parts of that.
func printRatios(w io.Writer, results []result, batches []int) {
	engineOf := func(impl string) string {
		switch {
		case strings.Contains(impl, "Chromium"):
			return "Chromium"
		case strings.HasPrefix(impl, "Go → js/wasm"), strings.HasPrefix(impl, "TensorFlow.js"):
			return "Node"
		}
		return ""
	}
	jsSIMD := func(s string) bool { return strings.HasPrefix(s, "Go → js/wasm, SIMD128") }
	oneWorker := func(s string) bool { return jsSIMD(s) && strings.Contains(s, " 1 worker") }
	perCore := func(s string) bool { return jsSIMD(s) && strings.Contains(s, "one per core") }
	goKernel := func(s string) bool { return strings.HasPrefix(s, "Go → js/wasm, Go kernel") }
	tfAny := func(s string) bool { return strings.HasPrefix(s, "TensorFlow.js") }
	tfWasm := func(s string) bool { return tfAny(s) && strings.Contains(s, " wasm ") }
	tfOneThread := func(s string) bool { return tfWasm(s) && strings.Contains(s, " 1 thread)") }
	ratio := func(a, b float64) string {
		if a == 0 || b == 0 {
			return "–"
		}
		return fmt.Sprintf("%.2f×", a/b)
	}
	for _, engine := range []string{"Node", "Chromium"} {
		best := func(b int, match func(impl string) bool) (float64, string) {
			v, name := 0.0, ""
			for _, r := range results {
				if r.Batch == b && r.StepsPerS > v && engineOf(r.Impl) == engine && match(r.Impl) {
					v, name = r.StepsPerS, r.Impl
				}
			}
			return v, name
		}
		if v, _ := best(batches[0], jsSIMD); v == 0 {
			continue
		}
		fmt.Fprintf(w, "\nRatios of steps/s in %s (goal: gebm's browser sampler ≥ 1.5× TensorFlow.js's best in the same engine at B=16 and B=64):\n\n", engine)
		fmt.Fprint(w, "| B | gebm best (SIMD128, 1 worker or one per core) / TF.js best (any backend) | SIMD128 1 worker / TF.js best 1 thread | SIMD128 one per core / 1 worker | SIMD128 1 worker / Go kernel (js/wasm) | TF.js best |\n")
		fmt.Fprint(w, "|---:|---:|---:|---:|---:|---|\n")
		for _, b := range batches {
			g, _ := best(b, jsSIMD)
			t, tname := best(b, tfAny)
			t1, _ := best(b, tfOneThread)
			one, _ := best(b, oneWorker)
			pc, _ := best(b, perCore)
			gk, _ := best(b, goKernel)
			fmt.Fprintf(w, "| %d | %s | %s | %s | %s | %s |\n", b, ratio(g, t), ratio(one, t1), ratio(pc, one), ratio(one, gk), tname)
		}
	}
}
