# gebm — build, test and benchmark. `make help` lists the targets.
GO        ?= go
FUZZTIME  ?= 60s
BENCHTIME ?= 1s
PKGS      := ./...

.PHONY: help models build test test-native test-wasm-build test-wasm-shared lint fuzz bench clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

build: bin/gebm ## build the native binary (OpenBLAS through cgo)

bin/gebm: FORCE
	$(GO) build -o bin/gebm ./cmd/gebm

FORCE:

WASM_EXEC := $(shell $(GO) env GOROOT)/lib/wasm
WASM_TESTED := ./shared/nn/ ./shared/ckpt/ ./shared/model/ ./shared/sample/

test: test-wasm-build test-native test-wasm-shared ## run every test (what CI runs)

test-native:
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

models: bin/gebm ## train the bundled models (models/*.gebm) with fixed seeds; records times in models/TRAINING.md
	scripts/train-models.sh

clean:
	rm -rf bin
