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
"$clang" --target=wasm32 -msimd128 -O3 -nostdlib -ffreestanding -Wall -Wextra -Werror \
  -Wl,--no-entry -Wl,--import-memory -Wl,--strip-all \
  -o "$out" src/gemm.c
chmod 644 "$out"
