#!/usr/bin/env bash
# `make bench-conv-torch`: the dcgan training iteration (one energy step
# with the gradient penalty and one base step, as gebm bench train counts
# them) of bin/gebm against PyTorch on the CPU (scripts/bench/torch_train.py
# --arch dcgan: the same networks, spectral normalisation, batchnorm on
# batch statistics, penalty weight 1), MNIST size, batch 64, for each
# channel width and thread count, gebm and PyTorch alternating in ROUNDS
# rounds (the machine is shared: ratios within a round count). gebm runs
# with OPENBLAS_NUM_THREADS = GOMAXPROCS = threads, PyTorch with
# OMP_NUM_THREADS = MKL_NUM_THREADS = threads and OMP_WAIT_POLICY=PASSIVE:
# with OpenMP's default spinning, PyTorch on 2 threads of a loaded machine
# fell to 0.1 iterations/s (40x slower than passive waiting; 2026-12-04),
# so it gets its better setting. Prints each round and the median ratio
# gebm/torch of iterations per second (> 1: gebm is faster).
#
#   CHANNELS="16 32" THREADS="1 2" ROUNDS=3 ITERS=10 scripts/bench-conv-torch.sh
set -euo pipefail
cd "$(dirname "$0")/.."
CHANNELS=${CHANNELS:-16 32}
THREADS=${THREADS:-1 2}
ROUNDS=${ROUNDS:-3}
ITERS=${ITERS:-10}
BATCH=64
# Debian's python3-torch is in the system interpreter's dist-packages.
PY=${PY:-/usr/bin/python3}
GEBM=${GEBM:-bin/gebm}
[ -x "$GEBM" ] || { echo "bench-conv-torch: no $GEBM: run make build" >&2; exit 1; }
"$PY" -c 'import torch' 2>/dev/null || { echo "bench-conv-torch: $PY cannot import torch: scripts/deps.sh install torch" >&2; exit 1; }

gebm_its() { # threads channels
	OPENBLAS_NUM_THREADS=$1 GOMAXPROCS=$1 "$GEBM" bench train --data mnist --arch dcgan --channels "$2" \
		--batch $BATCH --iters "$ITERS" --json | "$PY" -c 'import json, sys; print("%.3f" % json.load(sys.stdin)[0]["ItersPerSec"])'
}
torch_its() { # threads channels
	OMP_NUM_THREADS=$1 MKL_NUM_THREADS=$1 OMP_WAIT_POLICY=PASSIVE "$PY" scripts/bench/torch_train.py --device cpu --arch dcgan \
		--channels "$2" --batch $BATCH --iters "$ITERS" --warmup 3 |
		sed -n 's/.* \([0-9.]*\) ms\/it.*/\1/p' | awk '{ printf "%.3f\n", 1000 / $1 }'
}

echo "bench-conv-torch: $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load:$(uptime | sed 's/.*load average://')"
echo "torch $("$PY" -c 'import torch; print(torch.__version__, "with mkldnn" if torch.backends.mkldnn.is_available() else "without mkldnn")'); gebm: $GEBM"
printf '%-9s %-8s %-6s %12s %12s %8s\n' channels threads round "gebm it/s" "torch it/s" ratio
results=$(mktemp)
trap 'rm -f "$results"' EXIT
for ch in $CHANNELS; do
	for t in $THREADS; do
		for r in $(seq "$ROUNDS"); do
			g=$(gebm_its "$t" "$ch")
			p=$(torch_its "$t" "$ch")
			ratio=$(awk -v g="$g" -v p="$p" 'BEGIN { printf "%.2f", g / p }')
			printf '%-9s %-8s %-6s %12s %12s %8s\n' "$ch" "$t" "$r" "$g" "$p" "$ratio"
			echo "$ch $t $ratio" >>"$results"
		done
	done
done
echo "median ratio gebm/torch (iterations per second):"
for ch in $CHANNELS; do
	for t in $THREADS; do
		awk -v ch="$ch" -v t="$t" '$1 == ch && $2 == t { print $3 }' "$results" | sort -n |
			awk -v ch="$ch" -v t="$t" '{ v[NR] = $1 } END { m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "  channels %s, %s thread(s): %.2f\n", ch, t, m }'
	done
done
echo "load at the end:$(uptime | sed 's/.*load average://')"
