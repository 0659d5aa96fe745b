#!/usr/bin/env bash
# `make bench-train`: the speed of training the bundled 2-D model's size
# (8gaussians defaults, 1500 base steps, no final phase) on every platform
# in one run: bin/gebm train natively (OpenBLAS on one thread), and
# wasm/sampler's BenchmarkTrain8gaussians natively, in Node and in wazero,
# with the Go kernel and the SIMD128 one. Prints base steps per second.
# Then the page's Train mode in headless Chromium (www/e2e's
# BenchmarkPageTrain: its 8gaussians default, 1500 base steps and 470
# final ones, against bin/gebm train with the same options in the same run).
set -euo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-go}
WASM_EXEC=$($GO env GOROOT)/lib/wasm
bench=(-run='^$' -bench=Train8gaussians -benchtime=1x ./wasm/sampler/)
# In WebAssembly the default kernel is the Go one (or SIMD128 with the tag):
# the "go" row would measure it twice.
wbench=(-run='^$' -bench='Train8gaussians/kernel=default' -benchtime=1x ./wasm/sampler/)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

echo "== native, bin/gebm train (OpenBLAS, 1 thread)"
start=$(date +%s.%N)
OPENBLAS_NUM_THREADS=1 bin/gebm train --data 8gaussians --steps 1500 --final-energy-steps 0 --seed 1 \
	--out "$out/native" --checkpoint-every 0 --quiet >/dev/null
end=$(date +%s.%N)
awk -v s="$start" -v e="$end" 'BEGIN { printf "1500 base steps in %.2f s (files and plots included): %.1f steps/s\n", e - s, 1500 / (e - s) }'

echo "== native, go test (gonum's kernel as default, and the Go kernel)"
GOMAXPROCS=1 $GO test "${bench[@]}" | grep steps/s
echo "== Node, GOOS=js (the Go kernel)"
GOOS=js GOARCH=wasm $GO test -exec="$WASM_EXEC/go_js_wasm_exec" "${wbench[@]}" | grep steps/s
echo "== Node, GOOS=js -tags wasmsimd (default: the SIMD128 kernel)"
GOOS=js GOARCH=wasm $GO test -tags wasmsimd -exec="$PWD/wasm/simd/go_js_wasm_exec" "${wbench[@]}" | grep steps/s
echo "== wazero, GOOS=wasip1 (the Go kernel)"
PATH="$PWD/bin:$PATH" GOWASIRUNTIME=wazero GOOS=wasip1 GOARCH=wasm $GO test -exec="$WASM_EXEC/go_wasip1_wasm_exec" "${wbench[@]}" | grep steps/s
echo "== wazero, GOOS=wasip1 -tags wasmsimd (default: the SIMD128 kernel)"
GOOS=wasip1 GOARCH=wasm $GO test -tags wasmsimd -exec="$PWD/bin/wasiexec" "${wbench[@]}" | grep steps/s
echo "== headless Chromium, the page's Train mode (8gaussians default: 1500 + 470 final steps; SIMD128), against bin/gebm train with the same options"
GEBM_BIN="$PWD/bin/gebm" $GO test -run='^$' -bench=PageTrain -benchtime=1x ./www/e2e/ | grep -E 'Benchmark|run [0-9]'
