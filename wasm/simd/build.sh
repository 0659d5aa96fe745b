#!/bin/sh
# build.sh [OUT]: compiles src/gemm.c into the WebAssembly SIMD128 kernel module
# OUT (default gemm.wasm, next to this script), with Debian's clang and lld
# (apt-get install clang lld). The module imports its memory (env.memory) and
# exports one function, gemm; simd_test.go checks that it has no data, stack
# or globals of its own and that the committed gemm.wasm is what this script
# makes with the clang version recorded in clang-version.txt.
set -eu
cd "$(dirname "$0")"
out=${1:-gemm.wasm}
clang=${CLANG:-clang}
# Compile, then link with clang's own wasm-ld: when clang links, it runs
# binaryen's wasm-opt on the module if one is on PATH, which (without
# --enable-simd) rejects the SIMD128 instructions and fails the build; the two
# steps give the same bytes as clang linking alone where wasm-opt is absent.
obj=$(mktemp)
trap 'rm -f "$obj"' EXIT
"$clang" --target=wasm32 -msimd128 -O3 -nostdlib -ffreestanding -Wall -Wextra -Werror \
  -c -o "$obj" src/gemm.c
"$("$clang" --target=wasm32 -print-prog-name=wasm-ld)" --no-entry --import-memory --strip-all -o "$out" "$obj"
chmod 644 "$out"
