package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime"

	"github.com/gebm/gebm/native/blas"
	"github.com/gebm/gebm/native/train"
	core "github.com/gebm/gebm/shared/train"
)

func init() {
	commands["bench"] = command{"measure training speed (gebm bench train) or sampling speed (gebm bench sample)", runBench}
}

// runBench: gebm bench train [--device cpu|cuda] [--iters N] [--data SPEC] [--batch B] [--arch mlp|dcgan] [--channels C] [--threads T] [--json],
// or gebm bench sample (see runBenchSample).
func runBench(args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "sample" {
		return runBenchSample(args[1:], stdout, stderr)
	}
	if len(args) == 0 || args[0] != "train" {
		return fmt.Errorf("usage: gebm bench train [--device cpu,cuda] [--iters N] [--data mnist] [--batch B] [--threads T] [--json]\n" +
			"   or: gebm bench sample [--model FILE] [--n 64,2000] [--steps K] [--rounds R] [--sampler mala] [--workers W] [--json]")
	}
	fs := newFlags("bench train", stderr)
	devices := fs.String("device", "cpu", "comma-separated devices to compare, e.g. cpu,cuda")
	cudaGemm := fs.String("cuda-gemm", "", "the cuda device's matrix product: cublas or kernel (default: cuBLAS where the build links it)")
	iters := fs.Int("iters", 20, "timed iterations (one energy step and one base step each)")
	dataSpec := fs.String("data", "mnist", "data set whose default model size is benchmarked")
	batch := fs.Int("batch", 0, "batch size (0: the data set's default)")
	arch := fs.String("arch", "mlp", "the networks: mlp (the data set's default sizes) or dcgan (latent 64, --channels)")
	channels := fs.Int("channels", core.DCGANChannels, "with --arch dcgan, the channel width")
	threads := fs.Int("threads", 0, "CPU threads: OpenBLAS's and Go's (GOMAXPROCS); 0: the defaults, one per core")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	if *iters < 1 || *iters > 1_000_000 {
		return fmt.Errorf("--iters %d must be in 1..1000000", *iters)
	}
	if *threads < 0 || *threads > 1024 {
		return fmt.Errorf("--threads %d must be in 0..1024", *threads)
	}
	if *threads > 0 { // for this benchmark only: the process's settings come back after it
		defer blas.SetThreads(blas.Threads())
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(*threads))
		blas.SetThreads(*threads)
	}
	usedThreads, usedProcs := blas.Threads(), runtime.GOMAXPROCS(0)
	var results []train.BenchResult
	for _, dev := range splitList(*devices) {
		o := train.Defaults(*dataSpec)
		o.Out = tempDir()
		defer os.RemoveAll(o.Out)
		o.Device, o.CUDAGemm = dev, *cudaGemm
		if *batch > 0 {
			o.Batch = *batch
		}
		if o.Arch = *arch; o.Arch == "dcgan" {
			o.Latent, o.Channels = core.DCGANLatent, *channels
		}
		r, err := train.Bench(o, *iters)
		if err != nil {
			return fmt.Errorf("%s: %w", dev, err)
		}
		results = append(results, r)
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(results)
	}
	fmt.Fprintf(stdout, "training iterations (1 energy step with gradient penalty + 1 base step), %s %s model, batch %d (CPU products: %s, %d threads; Go: %d)\n",
		*dataSpec, *arch, results[0].Batch, blas.Name, usedThreads, usedProcs)
	fmt.Fprintf(stdout, "%-28s %10s %14s %12s %10s %8s\n", "device", "iter/s", "CPU ms/iter", "GFLOP/iter", "GFLOP/s", "ratio")
	for _, r := range results {
		fmt.Fprintf(stdout, "%-28s %10.2f %14.1f %12.3f %10.1f %8.2f\n", r.Device, r.ItersPerSec, 1e3*r.CPUSecondsPerIter, r.GFLOPs, r.GFLOPsPerSec, r.ItersPerSec/results[0].ItersPerSec)
	}
	return nil
}
