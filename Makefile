# gebm — build, test and benchmark. `make help` lists the targets.
GO        ?= go
FUZZTIME  ?= 60s
BENCHTIME ?= 1s
PKGS      := ./...

.PHONY: help models build test test-deps test-native test-wasm-build test-wasm-shared lint fuzz bench clean wasm test-wasm bench-wasm \
        www-wasm demo test-browser simd-kernel test-wasm-simd

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

build: bin/gebm ## build the native binary (OpenBLAS through cgo, pure Go where OpenBLAS is missing), with the browser's sampler embedded

# OpenBLAS makes training about 8x faster (docs/RATIONALE.md) but is not on a
# fresh machine: where the C compiler cannot link -lopenblas, bin/gebm is built
# with pure-Go products (-tags noopenblas) and make says how to get the fast one.
CC ?= cc
HAVE_OPENBLAS := $(shell printf 'int main(void){return 0;}' | $(CC) -x c -o /dev/null - -lopenblas >/dev/null 2>&1 && echo yes)
NATIVE_TAGS := $(if $(HAVE_OPENBLAS),,noopenblas)

# gebm serve embeds www/wasm/ (go:embed), so the sampler is built first.
bin/gebm: www-wasm FORCE
	$(GO) build -tags '$(NATIVE_TAGS)' -o bin/gebm ./cmd/gebm
	@[ -n "$(HAVE_OPENBLAS)" ] || echo "make: no OpenBLAS here, so bin/gebm multiplies matrices in pure Go (training ~8x slower); for the fast build: apt-get install libopenblas-dev, then make build"

FORCE:

WASM_EXEC := $(shell $(GO) env GOROOT)/lib/wasm
WASM_TESTED := ./shared/nn/ ./shared/ckpt/ ./shared/model/ ./shared/sample/

test: test-deps test-wasm-build test-native test-wasm-shared test-wasm test-wasm-simd ## run every test (what CI runs); as root, first installs the Debian packages they need

# The Debian packages the tests need (scripts/deps.sh, group test): as root
# with apt-get they are installed; otherwise make stops with the command to run.
test-deps:
	@scripts/deps.sh ensure test

# The embedded-sampler tests (www, www/e2e) test what gebm serve ships, so the
# sampler is built first.
test-native: test-deps www-wasm
	$(GO) test -count=1 $(PKGS)

# shared/ must build for both WebAssembly targets: the browser (js) and the
# wazero tests (wasip1).
test-wasm-build:
	GOOS=js GOARCH=wasm $(GO) build ./shared/...
	GOOS=wasip1 GOARCH=wasm $(GO) build ./shared/...

# The shared packages' own tests, compiled to WebAssembly and run in Node
# (GOOS=js, the browser's build) and in wazero (GOOS=wasip1): the same seeds
# must give the same bits there as natively.
test-wasm-shared: bin/wazero
	GOOS=js GOARCH=wasm $(GO) test -count=1 -exec=$(WASM_EXEC)/go_js_wasm_exec $(WASM_TESTED)
	PATH="$(CURDIR)/bin:$$PATH" GOWASIRUNTIME=wazero GOOS=wasip1 GOARCH=wasm \
	  $(GO) test -count=1 -exec=$(WASM_EXEC)/go_wasip1_wasm_exec $(WASM_TESTED)

# The sampler for the browser (GOOS=js, with the wasm_exec.js of the Go that
# built it) into www/wasm/, and for WASI hosts (wazero) into bin/. Both do
# their matrix products in the SIMD128 kernel (wasm/simd, -tags wasmsimd):
# `make wasm` rebuilds it from wasm/simd/src/gemm.c with clang and lld;
# `make www-wasm` (and so `make build`) embeds the committed gemm.wasm.
WASM_OUT := www/wasm
WASM_TAGS := wasmsimd

wasm: simd-kernel www-wasm ## build the SIMD128 kernel and the WebAssembly sampler (www/wasm/gebm.wasm, bin/gebm-wasi.wasm) and print sizes
	@mkdir -p bin
	GOOS=wasip1 GOARCH=wasm $(GO) build -trimpath -tags=$(WASM_TAGS) -buildmode=c-shared -o bin/gebm-wasi.wasm ./wasm/internal/wasi
	@for f in wasm/simd/gemm.wasm $(WASM_OUT)/gebm.wasm bin/gebm-wasi.wasm; do \
	  printf '%-22s %9d bytes raw %9d bytes gzip -9\n' $$f $$(wc -c < $$f) $$(gzip -9c $$f | wc -c); \
	done

# The browser's sampler alone, where gebm serve embeds it.
www-wasm:
	@mkdir -p $(WASM_OUT)
	GOOS=js GOARCH=wasm $(GO) build -trimpath -tags=$(WASM_TAGS) -o $(WASM_OUT)/gebm.wasm ./wasm/js
	cp $(WASM_EXEC)/wasm_exec.js $(WASM_OUT)/wasm_exec.js

# The demo: build, train the default 2-D model if it is missing (into
# DEMO_DIR, which gebm serve adds to the bundled models), serve the page.
DEMO_ADDR  ?= 127.0.0.1:8080
DEMO_DIR   ?= out/demo
DEMO_MODEL ?= www/models/8gaussians.gebm
DEMO_STEPS ?= 1500

demo: build ## build, train the default model if it is missing, serve the demo page on DEMO_ADDR (127.0.0.1:8080)
	@mkdir -p $(DEMO_DIR)
	@if [ ! -f $(DEMO_MODEL) ] && [ ! -f $(DEMO_DIR)/8gaussians.gebm ]; then \
	  echo "$(DEMO_MODEL) is missing: training it ($(DEMO_STEPS) steps, a few minutes on 2 cores)"; \
	  rm -rf $(DEMO_DIR)/train && \
	  bin/gebm train --data 8gaussians --steps $(DEMO_STEPS) --seed 1 --out $(DEMO_DIR)/train && \
	  cp $(DEMO_DIR)/train/model.gebm $(DEMO_DIR)/8gaussians.gebm || exit 1; \
	fi
	bin/gebm serve --addr $(DEMO_ADDR) --models $(DEMO_DIR)

# The demo page in headless Chromium (also part of test-native's ./...).
test-browser: ## run the browser tests of the demo page, verbose (screenshots in out/screenshots)
	$(GO) test -count=1 -v ./www/e2e/

# The WebAssembly sampler: vet for both targets; the sampler and the browser
# front-end's tests in Node. (The wazero tests of the WASI module and the
# sampler's native tests are native packages: test-native runs them.)
test-wasm:
	GOOS=js GOARCH=wasm $(GO) vet ./wasm/...
	GOOS=wasip1 GOARCH=wasm $(GO) vet ./wasm/...
	GOOS=js GOARCH=wasm $(GO) test -count=1 -exec=$(WASM_EXEC)/go_js_wasm_exec ./wasm/js/ ./wasm/sampler/

# The SIMD128 matrix kernel (needs clang and lld: apt-get install clang lld).
simd-kernel: ## build wasm/simd/gemm.wasm from wasm/simd/src/gemm.c
	wasm/simd/build.sh

# The same packages built with the SIMD128 kernel (-tags wasmsimd), in Node
# and in wazero, with a host that provides the kernel (wasm/simd); the
# kernel's own checks run in test-native.
test-wasm-simd: bin/wasiexec
	GOOS=js GOARCH=wasm $(GO) vet -tags wasmsimd ./shared/nn/ ./wasm/...
	GOOS=wasip1 GOARCH=wasm $(GO) vet -tags wasmsimd ./shared/nn/ ./wasm/...
	GOOS=js GOARCH=wasm $(GO) test -count=1 -tags wasmsimd -exec=$(CURDIR)/wasm/simd/go_js_wasm_exec ./shared/nn/ ./wasm/js/ ./wasm/sampler/
	GOOS=wasip1 GOARCH=wasm $(GO) test -count=1 -tags wasmsimd -exec=$(CURDIR)/bin/wasiexec ./shared/nn/ ./wasm/sampler/

bin/wasiexec: FORCE
	$(GO) build -o bin/wasiexec ./wasm/internal/wasiexec

# One latent gradient step of the MNIST-size model, native, in wazero, in
# Node (Go wasm: SIMD128 kernel on one worker and one per core, Go kernel)
# and in TensorFlow.js: docs/WASM-BENCH.md.
bench-wasm: wasm ## benchmark the latent step: native Go, wazero, Node (SIMD128 and Go kernels) and TensorFlow.js
	GOOS=js GOARCH=wasm $(GO) build -trimpath -o bin/gebm-js-go.wasm ./wasm/js
	cd scripts/bench && npm ci --no-audit --no-fund --loglevel=error
	OPENBLAS_NUM_THREADS=1 $(GO) run ./wasm/internal/latentstep

bin/wazero:
	GOBIN="$(CURDIR)/bin" $(GO) install github.com/tetratelabs/wazero/cmd/wazero@v1.12.0

lint: ## gofmt check and go vet
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet $(PKGS)
	GOOS=js GOARCH=wasm $(GO) vet ./shared/...

fuzz: ## run every fuzz target for FUZZTIME each (default 60s)
	@set -e; for pkg in $$($(GO) list ./...); do \
	  dir=$$($(GO) list -f '{{.Dir}}' $$pkg); \
	  for f in $$(grep -ho '^func Fuzz[A-Za-z0-9_]*' $$dir/*_test.go 2>/dev/null | sed 's/func //'); do \
	    echo "== $$pkg $$f ($(FUZZTIME))"; \
	    $(GO) test -run='^$$' -fuzz="^$$f$$" -fuzztime=$(FUZZTIME) $$pkg; \
	  done; \
	done

bench: ## run the benchmarks (ratios within one run; see docs/)
	$(GO) test -run='^$$' -bench=. -benchtime=$(BENCHTIME) ./shared/nn/ ./native/...

models: bin/gebm ## train the bundled models (www/models/*.gebm) with fixed seeds; records times in www/models/TRAINING.md
	scripts/train-models.sh

clean:
	rm -rf bin $(WASM_OUT)/gebm.wasm $(WASM_OUT)/wasm_exec.js

# The CUDA backend (native/cuda, build tag cuda). Building needs the CUDA
# toolkit (Debian non-free: nvidia-cuda-toolkit, with nvcc, cuda.h and the
# libcuda stub); running needs a GPU, because gorgonia.org/cu exits the
# process at start-up without one. The default build stays CUDA-free.
.PHONY: kernels cuda test-cuda

kernels: ## regenerate native/cuda/ptx/*.ptx from native/cuda/*.cu (needs nvcc)
	scripts/cuda-kernels.sh

cuda: ## build bin/gebm-cuda (--device cuda; needs the CUDA toolkit)
	$(GO) build -tags cuda -o bin/gebm-cuda ./cmd/gebm

test-cuda: ## CUDA build: vet, compile and link, check the PTX is current, run the tests in the CPU emulation, and on the GPU where there is one; as root, first installs the toolkit
	@scripts/deps.sh ensure cuda
	$(GO) vet -tags cuda ./...
	$(GO) vet -tags cuda,nocublas ./native/cuda/ ./native/train/
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && mkdir "$$tmp/nocublas" && \
	  $(GO) test -tags cuda -c -o "$$tmp/" ./native/cuda/ ./native/train/ && \
	  $(GO) test -tags cuda,nocublas -c -o "$$tmp/nocublas/" ./native/cuda/ && \
	  $(GO) build -tags cuda -o "$$tmp/gebm-cuda" ./cmd/gebm && \
	  echo "test-cuda: the cuda build's tests and binary compile and link"
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && scripts/cuda-kernels.sh "$$tmp" && \
	  if diff -r native/cuda/ptx "$$tmp" >/dev/null; then echo "test-cuda: native/cuda/ptx matches the .cu sources"; \
	  else diff -r native/cuda/ptx "$$tmp" | head -20; echo "test-cuda: native/cuda/ptx is stale: run make kernels"; exit 1; fi
	$(GO) vet -tags cuda,cudaemu ./native/cuda/ ./native/train/
	$(GO) test -tags cuda,cudaemu -count=1 -timeout 10m ./native/cuda/
	@if nvidia-smi -L 2>/dev/null | grep -q '^GPU'; then \
	  $(GO) test -tags cuda -count=1 ./native/cuda/ && \
	  $(GO) test -tags cuda,nocublas -count=1 ./native/cuda/; \
	else echo "test-cuda: no GPU here (nvidia-smi lists none): the GPU tests ran in the CPU emulation only"; fi
