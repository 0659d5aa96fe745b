#!/usr/bin/env bash
# `make bench-train-torch`: CPU training iterations of gebm against PyTorch
# eager on the same model and batch (MNIST MLP: base 64→256→512→784, energy
# 784→512→256→1 spectrally normalised, gradient penalty 1, batch 128; one
# iteration = one energy step with the penalty's double backward + one base
# step, in both), at 1 and 2 threads, interleaved: each round runs both
# programs at each thread count, alternating which goes first, and prints
# the ratio within the round, then the median (min-max) of the ratios.
#
#   gebm:    bin/gebm bench train --data mnist --threads T --iters N
#            (OpenBLAS on T threads, GOMAXPROCS T)
#   PyTorch: python3 scripts/bench/torch_train.py --device cpu --threads T --iters N
#            (torch.set_num_threads(T), OMP_NUM_THREADS=T)
#
# PyTorch (Debian's python3-torch) is installed here only (scripts/deps.sh
# group torch), never for the tests. Environment: ROUNDS (default 3), ITERS
# (timed iterations per measurement, default 30), THREADS (default "1 2"),
# PYTHON (default /usr/bin/python3, Debian's, which has python3-torch).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS=${ROUNDS:-3}
ITERS=${ITERS:-30}
THREADS=${THREADS:-1 2}
PYTHON=${PYTHON:-/usr/bin/python3}

scripts/deps.sh ensure torch
"$PYTHON" -c 'import torch' 2>/dev/null || {
	echo "train-torch.sh: $PYTHON cannot import torch (set PYTHON to Debian's python3)" >&2
	exit 1
}
[ -x bin/gebm ] || { echo "train-torch.sh: no bin/gebm (make build)" >&2; exit 1; }

# gebm_rate T prints gebm's iterations/s on T threads.
gebm_rate() {
	OPENBLAS_NUM_THREADS=$1 bin/gebm bench train --data mnist --threads "$1" --iters "$ITERS" --json |
		"$PYTHON" -c 'import json, sys; print("%.2f" % json.load(sys.stdin)[0]["ItersPerSec"])'
}

# torch_rate T prints PyTorch's iterations/s on T threads.
torch_rate() {
	OMP_NUM_THREADS=$1 OPENBLAS_NUM_THREADS=$1 "$PYTHON" scripts/bench/torch_train.py --device cpu \
		--threads "$1" --iters "$ITERS" --warmup 3 | sed -n 's/.*: \([0-9.]*\) it\/s,.*/\1/p'
}

echo "== $(date -u '+%Y-%m-%d %H:%M UTC'), load average$(uptime | sed 's/.*load average//')"
# Debian's PyTorch does its products in the system's libblas.so.3 (the
# alternative that OpenBLAS provides when installed) and in MKL-DNN.
echo "   PyTorch $("$PYTHON" -c 'import torch; print(torch.__version__)'), libblas.so.3 -> $(readlink -f /usr/lib/x86_64-linux-gnu/libblas.so.3 2>/dev/null || echo '?')"
printf '%-6s %-8s %12s %12s %8s\n' round threads "gebm it/s" "torch it/s" ratio
ratios=$(mktemp)
trap 'rm -f "$ratios"' EXIT
for r in $(seq 1 "$ROUNDS"); do
	for t in $THREADS; do
		if [ $((r % 2)) = 1 ]; then
			g=$(gebm_rate "$t")
			p=$(torch_rate "$t")
		else
			p=$(torch_rate "$t")
			g=$(gebm_rate "$t")
		fi
		ratio=$(awk -v g="$g" -v p="$p" 'BEGIN { printf "%.2f", g / p }')
		printf '%-6s %-8s %12s %12s %8s\n' "$r" "$t" "$g" "$p" "$ratio"
		echo "$t $ratio" >>"$ratios"
	done
done
echo "== load average at the end$(uptime | sed 's/.*load average//')"
for t in $THREADS; do
	awk -v t="$t" '$1 == t { print $2 }' "$ratios" | sort -n |
		awk -v t="$t" '{ v[NR] = $1 } END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2;
			printf "%s thread(s): gebm / PyTorch %.2f× median (%.2f-%.2f) over %d rounds\n", t, m, v[1], v[NR], NR }'
done
