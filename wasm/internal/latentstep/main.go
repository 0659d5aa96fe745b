//go:build !js && !wasip1

// Command latentstep measures one latent gradient step of the MNIST-size
// GEBM (latent 64, base 64→256→512→784, energy 784→512→256→1) at several
// batch sizes, in one run, for every way gebm can run it: native Go
// (OpenBLAS, and the pure-Go kernels), the WASI module in wazero (with the
// SIMD128 kernel), the GOOS=js module in Node with the SIMD128 kernel (one
// worker, and one per core as the page runs it) and with its Go kernel, and
// TensorFlow.js in the same Node computing the same potential gradient with
// the same weights (one thread, and forced to two). It prints a Markdown
// table and the ratios the goal is stated in (see docs/WASM-BENCH.md).
//
// A step is one ULA transition of B chains, z ← z − h∇U(z) + √(2h)ξ, with
//
//	U(z) = ||z||²/2 + E(B(z)),  ∇U(z) = z + J_B(z)ᵀ ∇ₓE(B(z)),
//
// whose cost is one potential gradient: forward through the base and the
// energy, and back to the input through both (no weight gradients). That is
// one matrix product per layer forward and one backward, so
// FLOPs per chain = 2 × the forward FLOPs of both networks
// = 2 × 2 × (64·256 + 256·512 + 512·784 + 784·512 + 512·256 + 256·1)
// = 4,326,400 (matrix products only; activations, biases and the update
// add under 1%). GFLOP/s = steps/s × B × 4,326,400 / 1e9.
//
// Run it with `make bench-wasm`, which builds the modules, installs
// TensorFlow.js into scripts/bench/node_modules and limits OpenBLAS to one
// thread; every measurement uses one thread, except the rows that say
// workers or threads. It lives under wasm/internal because it drives the
// WASI module through wasm/internal/wasihost; it is a native program (the
// build constraint keeps it out of `go vet ./wasm/...` for js and wasip1).
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gebm/gebm/native/blas"
	"github.com/gebm/gebm/shared/model"
	"github.com/gebm/gebm/shared/model/modeltest"
	"github.com/gebm/gebm/shared/nn"
	"github.com/gebm/gebm/wasm/internal/wasihost"
	"github.com/gebm/gebm/wasm/sampler"
)

// result is one measurement: an implementation at one batch size.
type result struct {
	Impl      string  `json:"impl"`
	Batch     int     `json:"batch"`
	StepsPerS float64 `json:"stepsPerS"`
	Note      string  `json:"note,omitempty"`
}

func main() {
	nn.SetDefaultGemm(blas.Fastest())
	var (
		seconds  = flag.Float64("time", 1, "seconds of one measurement")
		rounds   = flag.Int("rounds", 5, "rounds of measurement (every implementation once per round); the best counts")
		batches  = flag.String("batches", "1,16,64,256", "batch sizes (chains per step)")
		wasiPath = flag.String("wasi", "bin/gebm-wasi.wasm", "the WASI module (make wasm)")
		jsPath   = flag.String("js", "www/wasm/gebm.wasm", "the GOOS=js module with the SIMD128 kernel (make wasm)")
		jsGoPath = flag.String("js-go", "bin/gebm-js-go.wasm", "the GOOS=js module without it, Go kernel (make bench-wasm); \"\": skip")
		kernel   = flag.String("kernel", "wasm/simd/gemm.wasm", "the SIMD128 kernel")
		simdJS   = flag.String("simd-js", "www/js/simd.js", "the kernel's JavaScript glue")
		workers  = flag.Int("workers", runtime.NumCPU(), "workers for the per-core row")
		threads  = flag.Int("tf-threads", 2, "threads for TensorFlow.js's threaded row (0: none)")
		script   = flag.String("node", "scripts/bench/latentstep.mjs", "the Node script (GOOS=js module and TensorFlow.js)")
		skipNode = flag.Bool("skip-node", false, "measure only native Go and wazero")
		inChrome = flag.Bool("browser", true, "also measure in headless Chromium (the page's pool; TensorFlow.js with threads)")
		arch     = flag.String("arch", "mlp", "the model: mlp (the MNIST-size MLP pair) or dcgan (the convolutional pair gebm train --data mnist --arch dcgan --energy-arch dcgan builds)")
		channels = flag.Int("channels", 32, "with -arch dcgan, the channel width (gebm train --channels)")
		modelArg = flag.String("model", "", "a .gebm file to measure instead of -arch's untrained model (e.g. www/models/mnist-dcgan.gebm)")
		native   = flag.Bool("native", true, "measure native Go and the WASI module in wazero")
		inNode   = flag.Bool("in-node", true, "measure in Node (the GOOS=js module and TensorFlow.js); -browser measures in Chromium")
		backends = flag.String("tf-backends", "wasm,webgl,cpu", "TensorFlow.js's backends to measure in Chromium (wasm with 1 and -tf-threads threads; webgl and cpu where they start headless)")
	)
	flag.Parse()
	runtime.GOMAXPROCS(1)
	var bs []int
	for _, f := range strings.Split(*batches, ",") {
		b, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || b < 1 {
			fail(fmt.Errorf("-batches: %q", f))
		}
		bs = append(bs, b)
	}
	dur := time.Duration(*seconds * float64(time.Second))

	g, what, err := benchModel(*arch, *channels, *modelArg)
	if err != nil {
		fail(err)
	}
	file := modeltest.File(g)
	dir, err := os.MkdirTemp("", "gebm-bench")
	if err != nil {
		fail(err)
	}
	defer os.RemoveAll(dir)
	if err := writeInputs(dir, file); err != nil {
		fail(err)
	}

	// The Go side's measurements, set up once: a chain set per
	// implementation and batch size.
	var benches []*bench
	kernels := []struct {
		name string
		gemm nn.Gemm
	}{{"native Go, pure Go (nn.TiledGemm)", nn.TiledGemm{}}, {"native Go, pure Go (gonum Sgemm)", nn.GonumGemm}}
	if blas.Available() {
		kernels = append([]struct {
			name string
			gemm nn.Gemm
		}{{"native Go, OpenBLAS", blas.Fastest()}}, kernels...)
	}
	for _, k := range kernels {
		nn.SetDefaultGemm(k.gemm) // for the networks Open builds next
		s := sampler.New()
		m, err := s.Open(file)
		if err != nil {
			fail(err)
		}
		for _, b := range bs {
			c, err := s.NewChains(m, b, 1, 1)
			if err != nil {
				fail(err)
			}
			benches = append(benches, &bench{impl: k.name, batch: b,
				step: func(n int) error { _, err := s.Step(c, ula(n)); return err }})
		}
	}
	ctx := context.Background()
	wasi, err := os.ReadFile(*wasiPath)
	if err != nil {
		fail(fmt.Errorf("%w (run make wasm)", err))
	}
	mod, err := wasihost.Compile(ctx, wasi, wasihost.Config{})
	if err != nil {
		fail(err)
	}
	defer mod.Close(ctx)
	in, err := mod.Instantiate(ctx)
	if err != nil {
		fail(err)
	}
	m, err := in.Open(file)
	if err != nil {
		fail(err)
	}
	wasiName := "Go → wasip1, Go kernel, wazero " + wazeroVersion()
	if c, err := in.NewChains(m, 1, 1, 1); err == nil {
		if _, err := in.Step(c, ula(1)); err == nil && in.SIMD() {
			wasiName = "Go → wasip1, SIMD128 kernel (simdhost), wazero " + wazeroVersion()
		}
		in.Free(c)
	}
	for _, b := range bs {
		c, err := in.NewChains(m, b, 1, 1)
		if err != nil {
			fail(err)
		}
		benches = append(benches, &bench{impl: wasiName, batch: b,
			step: func(n int) error { _, err := in.Step(c, ula(n)); return err }})
	}

	if !*native {
		benches = nil
	}

	// Rounds: every implementation once per round, the best round counts.
	// Interleaving spreads each implementation's measurements over the run,
	// so that a busy spell on a shared machine hurts no one implementation
	// alone; other processes only ever slow a measurement down.
	var results []result
	record := func(r result) {
		fmt.Fprintf(os.Stderr, "%-60s B=%-3d %9.1f steps/s\n", r.Impl, r.Batch, r.StepsPerS)
		for i := range results {
			if results[i].Impl == r.Impl && results[i].Batch == r.Batch {
				if r.StepsPerS > results[i].StepsPerS {
					results[i] = r
				}
				return
			}
		}
		results = append(results, r)
	}
	var br *browser
	if *inChrome && !*skipNode {
		if br, err = startBrowser(dir); err != nil {
			fmt.Fprintln(os.Stderr, "latentstep: no browser rows:", err)
		} else {
			defer br.close()
		}
	}
	var pages []string
	candidates := []string{"mode=gebm&workers=1", fmt.Sprintf("mode=gebm&workers=%d", *workers)}
	for _, be := range strings.Split(*backends, ",") {
		switch be = strings.TrimSpace(be); be {
		case "wasm":
			candidates = append(candidates, "mode=tfjs&backend=wasm&threads=1", fmt.Sprintf("mode=tfjs&backend=wasm&threads=%d", *threads))
		case "webgl", "cpu":
			candidates = append(candidates, "mode=tfjs&backend="+be)
		default:
			fail(fmt.Errorf("-tf-backends: %q (wasm, webgl or cpu)", be))
		}
	}
	for _, q := range candidates {
		if !slices.Contains(pages, q) && !strings.HasSuffix(q, "=0") {
			pages = append(pages, q)
		}
	}
	for round := range max(1, *rounds) {
		fmt.Fprintf(os.Stderr, "round %d of %d\n", round+1, *rounds)
		for _, b := range benches {
			record(result{Impl: b.impl, Batch: b.batch, StepsPerS: b.measure(dur)})
		}
		if *skipNode {
			continue
		}
		if *inNode {
			nodeArgs := []string{*script, "--dir", dir, "--js", *jsPath, "--kernel", *kernel, "--simd-js", *simdJS,
				"--workers", strconv.Itoa(*workers),
				"--wasm-exec", filepath.Join(runtime.GOROOT(), "lib", "wasm", "wasm_exec.js"),
				"--time", strconv.FormatFloat(*seconds, 'g', -1, 64), "--repeat", "1", "--batches", *batches}
			if *jsGoPath != "" {
				nodeArgs = append(nodeArgs, "--js-go", *jsGoPath)
			}
			runs := [][]string{nodeArgs}
			if *threads > 0 { // TF.js's threads are set once per process
				runs = append(runs, append(append([]string(nil), nodeArgs...), "--tf-threads", strconv.Itoa(*threads)))
			}
			for _, a := range runs {
				cmd := exec.Command("node", a...)
				cmd.Stderr = os.Stderr
				out, err := cmd.Output()
				if err != nil {
					fail(fmt.Errorf("node %s: %w", *script, err))
				}
				for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
					var r result
					if err := json.Unmarshal([]byte(line), &r); err != nil {
						fail(fmt.Errorf("node output %q: %w", line, err))
					}
					record(r)
				}
			}
		}
		if br == nil {
			continue
		}
		for _, q := range pages {
			rows, err := br.run(fmt.Sprintf("%s&batches=%s&time=%g", q, *batches, *seconds))
			if err != nil {
				fail(err)
			}
			for _, r := range rows {
				record(r)
			}
		}
	}
	printTable(os.Stdout, results, bs, what, 2*(g.Base.Spec().FLOPs()+g.Energy.Spec().FLOPs()), *rounds)
	printRatios(os.Stdout, results, bs)
}

// benchModel is the model to measure: the file path when given, else the
// untrained MNIST-size model of arch (mlp: modeltest.MNIST; dcgan:
// dcganModel), and its description for the table's heading.
func benchModel(arch string, channels int, path string) (*model.GEBM, string, error) {
	if path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, "", err
		}
		g, err := model.Load(b)
		if err != nil {
			return nil, "", fmt.Errorf("%s: %w", path, err)
		}
		return g, fmt.Sprintf("the model %s (latent %d, %d parameters)", filepath.Base(path), g.Latent(), g.Base.ParamCount()+g.Energy.ParamCount()), nil
	}
	switch arch {
	case model.ArchMLP:
		return modeltest.MNIST(1), "MNIST-size GEBM (MLP: latent 64, base 64→256→512→784, energy 784→512→256→1)", nil
	case model.ArchDCGAN:
		g, err := dcganModel(channels)
		if err != nil {
			return nil, "", err
		}
		return g, fmt.Sprintf("MNIST-size convolutional GEBM (gebm train --data mnist --arch dcgan --energy-arch dcgan --channels %d: latent 64, "+
			"base linear→%d×7×7, batchnorm, ReLU, 4×4 stride-2 transposed convolutions to %d×14×14 (batchnorm, ReLU) and 1×28×28, tanh; "+
			"energy 4×4 stride-2 convolutions to %d×14×14 and %d×7×7, LeakyReLU 0.2, linear→1, spectrally normalised)",
			channels, 2*channels, channels, channels, 2*channels), nil
	}
	return nil, "", fmt.Errorf("-arch %q: mlp or dcgan", arch)
}

// bench is one implementation at one batch size.
type bench struct {
	impl  string
	batch int
	step  func(n int) error // n ULA steps of the batch
	n     int               // steps of the last measurement
}

// measure runs one warm-up step, then batches of steps, doubling from half
// the last measurement's, until a batch takes at least d, and returns that
// batch's steps per second.
func (b *bench) measure(d time.Duration) float64 {
	if err := b.step(1); err != nil {
		fail(err)
	}
	for n := max(1, b.n/2); ; n *= 2 {
		t := time.Now()
		if err := b.step(n); err != nil {
			fail(err)
		}
		if el := time.Since(t); el >= d || n >= 1<<20 {
			b.n = n
			return float64(n) / el.Seconds()
		}
	}
}

// ula is the benchmark's kernel: n ULA steps with a small step size.
func ula(n int) sampler.StepParams {
	return sampler.StepParams{Method: "ula", StepSize: 0.01, Steps: n}
}

func wazeroVersion() string {
	v := filepath.Base(wasihost.DefaultCacheDir())
	return strings.TrimPrefix(v, "wazero-")
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "latentstep:", err)
	os.Exit(1)
}
