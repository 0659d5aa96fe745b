# gebm — build, test and benchmark. `make help` lists every target, grouped as
# below; shell longer than a few lines lives in scripts/.
GO        ?= go
FUZZTIME  ?= 60s
BENCHTIME ?= 1s
PKGS      := ./...

.PHONY: help demo build test lint \
        test-deps test-native test-wasm-build test-wasm-shared test-wasm test-wasm-simd test-browser test-cuda wasm-size \
        wasm www-wasm simd-kernel cuda fuzz bench bench-wasm bench-wasm-conv bench-train bench-train-torch bench-conv-torch \
        kernels models clean FORCE

##@ Main jobs

help: ## list the targets, grouped
	@awk 'BEGIN { FS = ":.*## " } /^##@ / { printf "\n%s\n", substr($$0, 5); next } /^[A-Za-z0-9_.\/-]+:.*## / { printf "  %-17s %s\n", $$1, $$2 }' $(MAKEFILE_LIST)

# The demo: build, train the default 2-D model if it is missing (into
# DEMO_DIR, which gebm serve adds to the bundled models), serve the page.
DEMO_ADDR  ?= 127.0.0.1:8080
DEMO_DIR   ?= out/demo
DEMO_MODEL ?= www/models/8gaussians.gebm
DEMO_STEPS ?= 1500

demo: build ## build, train the default model if it is missing, serve the demo page on DEMO_ADDR (127.0.0.1:8080)
	@DEMO_DIR='$(DEMO_DIR)' DEMO_MODEL='$(DEMO_MODEL)' DEMO_STEPS='$(DEMO_STEPS)' scripts/demo-model.sh
	bin/gebm serve --addr $(DEMO_ADDR) --models $(DEMO_DIR)

build: bin/gebm ## build the native binary (OpenBLAS through cgo, pure Go where OpenBLAS is missing), with the browser's sampler embedded

test: test-deps test-wasm-build test-native test-wasm-shared test-wasm test-wasm-simd wasm-size ## run every test (what CI runs); as root, first installs the Debian packages they need

lint: ## gofmt check, go vet (native, and js for shared/), every Makefile target in make help
	@GO='$(GO)' scripts/lint.sh

##@ Tests (make test runs all but test-browser, which test-native includes, and test-cuda)

# The Debian packages the tests need (scripts/deps.sh, group test): as root
# with apt-get they are installed; otherwise make stops with the command to run.
test-deps: ## install the Debian packages the tests need (as root), or stop with the command to run
	@scripts/deps.sh ensure test

# The embedded-sampler tests (www, www/e2e) test what gebm serve ships, so the
# sampler is built first.
test-native: test-deps www-wasm ## go test ./... natively (the page's tests in headless Chromium included)
	$(GO) test -count=1 $(PKGS)

# shared/ must build for both WebAssembly targets: the browser (js) and the
# wazero tests (wasip1).
test-wasm-build: ## build shared/ for GOOS=js and GOOS=wasip1
	GOOS=js GOARCH=wasm $(GO) build ./shared/...
	GOOS=wasip1 GOARCH=wasm $(GO) build ./shared/...

# The shared packages' own tests, compiled to WebAssembly and run in Node
# (GOOS=js, the browser's build) and in wazero (GOOS=wasip1): the same seeds
# must give the same bits there as natively.
WASM_EXEC   := $(shell $(GO) env GOROOT)/lib/wasm
WASM_TESTED := ./shared/nn/ ./shared/ckpt/ ./shared/tagjson/ ./shared/model/ ./shared/sample/ ./shared/train/

test-wasm-shared: bin/wazero ## the shared packages' tests compiled to WebAssembly, in Node and in wazero
	GOOS=js GOARCH=wasm $(GO) test -count=1 -exec=$(WASM_EXEC)/go_js_wasm_exec $(WASM_TESTED)
	PATH="$(CURDIR)/bin:$$PATH" GOWASIRUNTIME=wazero GOOS=wasip1 GOARCH=wasm \
	  $(GO) test -count=1 -exec=$(WASM_EXEC)/go_wasip1_wasm_exec $(WASM_TESTED)

# The WebAssembly sampler: vet for both targets; the sampler and the browser
# modules' tests in Node (the sampler, wasm/js; the trainer, wasm/jstrain;
# their shared glue, wasm/internal/jsapi). (The wazero tests of the WASI
# module and the sampler's native tests are native packages: test-native
# runs them.)
WASM_JS_TESTED := ./wasm/js/ ./wasm/jstrain/ ./wasm/internal/jsapi/ ./wasm/sampler/

test-wasm: ## vet wasm/ for js and wasip1; the sampler's and the browser modules' tests in Node
	GOOS=js GOARCH=wasm $(GO) vet ./wasm/...
	GOOS=wasip1 GOARCH=wasm $(GO) vet ./wasm/...
	GOOS=js GOARCH=wasm $(GO) test -count=1 -exec=$(WASM_EXEC)/go_js_wasm_exec $(WASM_JS_TESTED)

# The browser's sampler against its download budget (issue 18): gzip -9
# size at most 1,000,000 bytes; fails saying by how much it is over
# (scripts/wasm-size.sh, docs/WASM-BENCH.md).
wasm-size: www-wasm ## build the browser's sampler and check its gzip -9 size against the 1,000,000-byte budget
	@scripts/wasm-size.sh $(WASM_OUT)/gebm.wasm 1000000

# The same packages built with the SIMD128 kernel (-tags wasmsimd), in Node
# and in wazero, with a host that provides the kernel (wasm/simd); the
# kernel's own checks run in test-native.
test-wasm-simd: bin/wasiexec ## the WebAssembly tests again with the SIMD128 kernel (-tags wasmsimd), in Node and in wazero
	GOOS=js GOARCH=wasm $(GO) vet -tags wasmsimd ./shared/nn/ ./wasm/...
	GOOS=wasip1 GOARCH=wasm $(GO) vet -tags wasmsimd ./shared/nn/ ./wasm/...
	GOOS=js GOARCH=wasm $(GO) test -count=1 -tags wasmsimd -exec=$(CURDIR)/wasm/simd/go_js_wasm_exec ./shared/nn/ $(WASM_JS_TESTED)
	GOOS=wasip1 GOARCH=wasm $(GO) test -count=1 -tags wasmsimd -exec=$(CURDIR)/bin/wasiexec ./shared/nn/ ./wasm/sampler/

# The demo page in headless Chromium (also part of test-native's ./...).
test-browser: ## run the browser tests of the demo page, verbose (screenshots in out/screenshots)
	$(GO) test -count=1 -v ./www/e2e/

# The CUDA backend (native/cuda, build tag cuda). Building needs the CUDA
# toolkit (Debian non-free: nvidia-cuda-toolkit, with nvcc, cuda.h and the
# libcuda stub); running needs a GPU, because gorgonia.org/cu exits the
# process at start-up without one. The default build stays CUDA-free.
test-cuda: ## CUDA build: vet, compile and link, check the PTX is current, run the tests in the CPU emulation, and on the GPU where there is one; as root, first installs the toolkit
	@scripts/deps.sh ensure cuda
	@GO='$(GO)' scripts/test-cuda.sh

fuzz: ## run every fuzz target for FUZZTIME each (default 60s)
	@GO='$(GO)' FUZZTIME='$(FUZZTIME)' scripts/fuzz.sh

##@ Builds

# OpenBLAS makes training about 8x faster (docs/RATIONALE.md) but is not on a
# fresh machine: where the C compiler cannot link -lopenblas, bin/gebm is built
# with pure-Go products (-tags noopenblas) and make says how to get the fast one.
CC ?= cc
HAVE_OPENBLAS := $(shell printf 'int main(void){return 0;}' | $(CC) -x c -o /dev/null - -lopenblas >/dev/null 2>&1 && echo yes)
NATIVE_TAGS := $(if $(HAVE_OPENBLAS),,noopenblas)

# gebm serve embeds www/wasm/ (go:embed), so the sampler is built first.
bin/gebm: www-wasm FORCE ## what build builds (rebuilt every time: go build decides what is stale)
	$(GO) build -tags '$(NATIVE_TAGS)' -o bin/gebm ./cmd/gebm
	@[ -n "$(HAVE_OPENBLAS)" ] || echo "make: no OpenBLAS here, so bin/gebm multiplies matrices in pure Go (training ~8x slower); for the fast build: apt-get install libopenblas-dev, then make build"

cuda: ## build bin/gebm-cuda (--device cuda; needs the CUDA toolkit)
	$(GO) build -tags cuda -o bin/gebm-cuda ./cmd/gebm

# The sampler for the browser (GOOS=js, with the wasm_exec.js of the Go that
# built it) into www/wasm/, and for WASI hosts (wazero) into bin/. Both do
# their matrix products in the SIMD128 kernel (wasm/simd, -tags wasmsimd):
# `make wasm` rebuilds it from wasm/simd/src/gemm.c with clang and lld;
# `make www-wasm` (and so `make build`) embeds the committed gemm.wasm.
WASM_OUT  := www/wasm
WASM_TAGS := wasmsimd
# -s -w: no name section (function names for DevTools' stack traces and
# profiles; Go's own tracebacks keep theirs): 2% of the gzipped module.
# `make www-wasm WASM_LDFLAGS=` keeps the names, to profile.
WASM_LDFLAGS ?= -s -w
# fmt, reflect and the runtime compiled without inlining: their code grows raw
# but compresses better, 53 KB less gzipped with no measurable cost to the
# sampler's step (docs/WASM-BENCH.md, "The sampler module's size").
WASM_GCFLAGS ?= -gcflags=fmt=-l -gcflags=reflect=-l -gcflags=runtime=-l

wasm: simd-kernel www-wasm ## build the SIMD128 kernel and the WebAssembly modules (www/wasm/gebm.wasm, gebm-train.wasm, bin/gebm-wasi.wasm) and print sizes
	@mkdir -p bin
	GOOS=wasip1 GOARCH=wasm $(GO) build -trimpath -tags=$(WASM_TAGS) -buildmode=c-shared -o bin/gebm-wasi.wasm ./wasm/internal/wasi
	@for f in wasm/simd/gemm.wasm bin/gebm-wasi.wasm; do \
	  printf '%-26s %9d bytes raw %9d bytes gzip -9\n' $$f $$(wc -c < $$f) $$(gzip -9c $$f | wc -c); \
	done

# The page's two modules: the sampler, which every visitor downloads, and
# the trainer (the sampler's calls and the training ones), which the page
# fetches only in its Train mode.
www-wasm: ## build the browser's modules (www/wasm/gebm.wasm, gebm-train.wasm, wasm_exec.js), where gebm serve embeds them, and print their sizes
	@mkdir -p $(WASM_OUT)
	GOOS=js GOARCH=wasm $(GO) build -trimpath $(WASM_GCFLAGS) -tags=$(WASM_TAGS) -ldflags='$(WASM_LDFLAGS)' -o $(WASM_OUT)/gebm.wasm ./wasm/js
	GOOS=js GOARCH=wasm $(GO) build -trimpath $(WASM_GCFLAGS) -tags=$(WASM_TAGS) -ldflags='$(WASM_LDFLAGS)' -o $(WASM_OUT)/gebm-train.wasm ./wasm/jstrain
	cp $(WASM_EXEC)/wasm_exec.js $(WASM_OUT)/wasm_exec.js
	@for f in $(WASM_OUT)/gebm.wasm $(WASM_OUT)/gebm-train.wasm; do \
	  printf '%-26s %9d bytes raw %9d bytes gzip -9\n' $$f $$(wc -c < $$f) $$(gzip -9c $$f | wc -c); \
	done

bin/wasiexec: FORCE ## go test's -exec for wasip1 with the SIMD128 kernel (wasm/internal/wasiexec)
	$(GO) build -o bin/wasiexec ./wasm/internal/wasiexec

bin/wazero: ## the wazero command line, v1.12.0 (go test's -exec for wasip1 without the kernel)
	GOBIN="$(CURDIR)/bin" $(GO) install github.com/tetratelabs/wazero/cmd/wazero@v1.12.0

clean: ## delete bin/ and the built modules in www/wasm/
	rm -rf bin $(WASM_OUT)/gebm.wasm $(WASM_OUT)/gebm-train.wasm $(WASM_OUT)/wasm_exec.js

# Make's idiom for "always run this rule's recipe"; not a target to call.
FORCE:

##@ Benchmarks

bench: ## run the benchmarks (ratios within one run; see docs/)
	$(GO) test -run='^$$' -bench=. -benchtime=$(BENCHTIME) ./shared/nn/ ./native/...

# Training the bundled 2-D model's size for 1500 base steps: gebm train,
# and the WebAssembly trainer natively, in Node and in wazero (Go and
# SIMD128 kernels); then the page's Train mode in headless Chromium against
# gebm train with its options: docs/WASM-BENCH.md.
bench-train: bin/gebm bin/wazero bin/wasiexec ## benchmark training (8gaussians defaults, 1500 steps): native, Node, wazero, and the page's Train mode in Chromium
	@GO='$(GO)' scripts/bench-train.sh

# CPU training iterations of the MNIST MLP, gebm against PyTorch eager at 1
# and 2 threads, interleaved rounds (ROUNDS, ITERS, THREADS): docs/BENCHMARKS.md.
# As root, installs Debian's python3-torch (scripts/deps.sh group torch) for
# this target only.
bench-train-torch: bin/gebm ## benchmark CPU training of the MNIST MLP against PyTorch eager (1 and 2 threads); as root, first installs python3-torch
	@scripts/bench/train-torch.sh

# The dcgan training iteration, gebm against PyTorch on the CPU (Debian's
# python3-torch, installed here and nowhere else), same model and batch, at
# 1 and 2 threads, interleaved: docs/BENCHMARKS.md.
bench-conv-torch: bin/gebm ## benchmark the dcgan training iteration against PyTorch on the CPU (installs python3-torch)
	scripts/deps.sh ensure torch
	scripts/bench-conv-torch.sh

# One latent gradient step of the MNIST-size model, native, in wazero, in
# Node (Go wasm: SIMD128 kernel on one worker and one per core, Go kernel)
# and in TensorFlow.js: docs/WASM-BENCH.md.
bench-wasm: wasm ## benchmark the latent step: native Go, wazero, Node (SIMD128 and Go kernels) and TensorFlow.js
	GOOS=js GOARCH=wasm $(GO) build -trimpath -o bin/gebm-js-go.wasm ./wasm/js
	cd scripts/bench && npm ci --no-audit --no-fund --loglevel=error
	OPENBLAS_NUM_THREADS=1 $(GO) run ./wasm/internal/latentstep

# The same step of a convolutional model: the bundled
# www/models/mnist-dcgan.gebm (a DCGAN generator with an MLP energy) where
# this checkout has it, else (CONV_MODEL=) the untrained convolutional pair
# of CONV_CHANNELS channels (gebm train --data mnist --arch dcgan
# --energy-arch dcgan); in
# Chromium, TensorFlow.js's wasm (1 and 2 threads), webgl and cpu backends:
# docs/WASM-BENCH.md.
CONV_MODEL    ?= $(wildcard www/models/mnist-dcgan.gebm)
CONV_CHANNELS ?= 32
bench-wasm-conv: wasm ## benchmark the conv (dcgan) model's latent step: native Go, wazero, Node, and the page's sampler against TensorFlow.js in Chromium
	GOOS=js GOARCH=wasm $(GO) build -trimpath -o bin/gebm-js-go.wasm ./wasm/js
	cd scripts/bench && npm ci --no-audit --no-fund --loglevel=error
	OPENBLAS_NUM_THREADS=1 $(GO) run ./wasm/internal/latentstep -arch dcgan -channels $(CONV_CHANNELS) -batches 16,64 -rounds 3 $(if $(CONV_MODEL),-model $(CONV_MODEL))

##@ Generated files (committed; each names the command that remakes it)

kernels: ## regenerate native/cuda/ptx/*.ptx from native/cuda/*.cu (needs nvcc)
	scripts/cuda-kernels.sh

# The SIMD128 matrix kernel (needs clang and lld: apt-get install clang lld).
simd-kernel: ## build wasm/simd/gemm.wasm from wasm/simd/src/gemm.c
	wasm/simd/build.sh

models: bin/gebm ## train the bundled models (www/models/*.gebm) with fixed seeds; records times in www/models/TRAINING.md
	scripts/train-models.sh
