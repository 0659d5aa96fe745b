#!/usr/bin/env bash
# wasm-size.sh: the browser's sampler module against its download budget
# (issue 18: at most 1,000,000 bytes compressed with gzip -9, the form a
# server sends it in).
#
#   scripts/wasm-size.sh [MODULE] [BUDGET]    defaults: www/wasm/gebm.wasm 1000000
#
# Prints the module's size raw and gzip -9'd and the budget; exits 1, saying
# by how much, when the compressed size is over it (`make wasm-size` builds
# the module first). docs/WASM-BENCH.md keeps the sizes measured and what
# each change saved.
set -euo pipefail
module=${1:-www/wasm/gebm.wasm}
budget=${2:-1000000}
if [ ! -f "$module" ]; then
	echo "wasm-size: $module: no such file (make www-wasm builds it)" >&2
	exit 2
fi
raw=$(wc -c <"$module")
gz=$(gzip -9 -c "$module" | wc -c)
echo "$module: $raw bytes, $gz bytes with gzip -9; budget $budget"
if [ "$gz" -gt "$budget" ]; then
	echo "wasm-size: FAIL: $module is $gz bytes gzipped, $((gz - budget)) over the budget of $budget" >&2
	exit 1
fi
echo "wasm-size: ok, $((budget - gz)) bytes under the budget"
