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
# so it gets its better setting.
#
# Prints, for each round, iterations per second of each and their ratio
# gebm/torch (> 1: gebm is faster), and each one's CPU time per iteration
# (all its threads: at 1 thread the work itself, whatever share of the
# cores the process got) and their ratio torch/gebm (> 1: gebm does an
# iteration in less CPU time); then the medians over the rounds.
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

# gebm_run THREADS CHANNELS prints "iterations/s CPU-ms/iteration".
gebm_run() {
	OPENBLAS_NUM_THREADS=$1 GOMAXPROCS=$1 "$GEBM" bench train --data mnist --arch dcgan --channels "$2" \
		--batch $BATCH --iters "$ITERS" --json |
		"$PY" -c 'import json, sys; r = json.load(sys.stdin)[0]; print("%.3f %.1f" % (r["ItersPerSec"], 1e3 * r["CPUSecondsPerIter"]))'
}

# torch_run THREADS CHANNELS prints the same for torch_train.py, from its
# own report of the timed loop ("N it/s, M it/CPU-s").
torch_run() {
	OMP_NUM_THREADS=$1 MKL_NUM_THREADS=$1 OMP_WAIT_POLICY=PASSIVE "$PY" scripts/bench/torch_train.py --device cpu --threads "$1" \
		--arch dcgan --channels "$2" --batch $BATCH --iters "$ITERS" --warmup 3 |
		sed -n 's/.*: \([0-9.]*\) it\/s, \([0-9.]*\) it\/CPU-s,.*/\1 \2/p' | awk '{ printf "%.3f %.1f\n", $1, 1e3 / $2 }'
}

row() { printf '%-9s %-8s %-6s %11s %11s %7s   %12s %12s %7s\n' "$@"; }
echo "bench-conv-torch: $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load:$(uptime | sed 's/.*load average://')"
echo "torch $("$PY" -c 'import torch; print(torch.__version__, "with mkldnn" if torch.backends.mkldnn.is_available() else "without mkldnn")'); gebm: $GEBM"
row channels threads round "gebm it/s" "torch it/s" ratio "gebm CPU ms" "torch CPU ms" ratio
results=$(mktemp)
trap 'rm -f "$results"' EXIT
for ch in $CHANNELS; do
	for t in $THREADS; do
		for r in $(seq "$ROUNDS"); do
			read -r g gc < <(gebm_run "$t" "$ch")
			read -r p pc < <(torch_run "$t" "$ch")
			ratio=$(awk -v g="$g" -v p="$p" 'BEGIN { printf "%.2f", g / p }')
			cratio=$(awk -v g="$gc" -v p="$pc" 'BEGIN { printf "%.2f", p / g }')
			row "$ch" "$t" "$r" "$g" "$p" "$ratio" "$gc" "$pc" "$cratio"
			echo "$ch $t $ratio $cratio" >>"$results"
		done
	done
done
median() { sort -n | awk '{ v[NR] = $1 } END { printf "%.2f", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
echo "medians over $ROUNDS rounds: gebm/torch iterations per second; torch/gebm CPU time per iteration"
for ch in $CHANNELS; do
	for t in $THREADS; do
		w=$(awk -v ch="$ch" -v t="$t" '$1 == ch && $2 == t { print $3 }' "$results" | median)
		c=$(awk -v ch="$ch" -v t="$t" '$1 == ch && $2 == t { print $4 }' "$results" | median)
		echo "  channels $ch, $t thread(s): $w (iterations/s), $c (CPU time)"
	done
done
echo "load at the end:$(uptime | sed 's/.*load average://')"
