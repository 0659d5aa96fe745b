#!/usr/bin/env bash
# `make bench-train-torch`: CPU training iterations of gebm against PyTorch
# eager on the same model and batch (MNIST MLP: base 64→256→512→784, energy
# 784→512→256→1 spectrally normalised, gradient penalty 1, batch 128; one
# iteration = one energy step with the penalty's double backward + one base
# step, in both), at 1 and 2 threads, interleaved: each round runs both
# programs at each thread count, alternating which goes first, and prints
# the ratio within the round, then the median (min-max) of the ratios.
#
#   gebm:    OPENBLAS_NUM_THREADS=T GOMAXPROCS=T bin/gebm bench train --data mnist --iters N
#            (its iterations per wall-clock second and per CPU-second of the process)
#   PyTorch: python3 scripts/bench/torch_train.py --device cpu --threads T --iters N
#            (torch.set_num_threads(T), OMP_NUM_THREADS=T)
#
# PyTorch (Debian's python3-torch) is installed here only (scripts/deps.sh
# group torch), never for the tests. Environment: ROUNDS (default 3), ITERS
# (timed iterations per measurement, default 30), THREADS (default "1 2"),
# PYTHON (default /usr/bin/python3, Debian's, which has python3-torch),
# BEFORE (another gebm binary, e.g. one built before a change: measured in
# the same rounds, with the ratio of bin/gebm to it).
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

BEFORE=${BEFORE:-}
[ -z "$BEFORE" ] || [ -x "$BEFORE" ] || { echo "train-torch.sh: BEFORE=$BEFORE is not an executable" >&2; exit 1; }

# gebm_rate BIN T prints the iterations per second and per CPU-second of
# gebm binary BIN on T threads (set through the environment, which binaries
# older than bench train's --threads obey too; one older than the
# CPU-seconds prints 0 for them).
gebm_rate() {
	OPENBLAS_NUM_THREADS=$2 GOMAXPROCS=$2 "$1" bench train --data mnist --iters "$ITERS" --json |
		"$PYTHON" -c 'import json, sys; r = json.load(sys.stdin)[0]; c = r.get("CPUSecondsPerIter", 0); print("%.2f %.2f" % (r["ItersPerSec"], 1 / c if c else 0))'
}

# torch_rate T prints PyTorch's iterations per second and per CPU-second on
# T threads.
torch_rate() {
	OMP_NUM_THREADS=$1 OPENBLAS_NUM_THREADS=$1 "$PYTHON" scripts/bench/torch_train.py --device cpu \
		--threads "$1" --iters "$ITERS" --warmup 3 | sed -n 's/.*: \([0-9.]*\) it\/s, \([0-9.]*\) it\/CPU-s,.*/\1 \2/p'
}

# ratio A B prints A / B to two decimals (- when B is 0).
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "-"; else printf "%.2f", a / b }'; }

echo "== $(date -u '+%Y-%m-%d %H:%M UTC'), load average$(uptime | sed 's/.*load average//')"
# Debian's PyTorch does its products in the system's libblas.so.3 (the
# alternative that OpenBLAS provides when installed) and in MKL-DNN.
echo "   PyTorch $("$PYTHON" -c 'import torch; print(torch.__version__)'), libblas.so.3 -> $(readlink -f /usr/lib/x86_64-linux-gnu/libblas.so.3 2>/dev/null || echo '?')"
echo "   it/s: iterations per second of wall-clock time; it/CPU-s: per second of the process's processor time (all threads)"
printf '%-5s %-7s %9s %9s %6s %10s %10s %6s' round threads "gebm it/s" "torch" ratio "gebm it/CPU-s" "torch" ratio
[ -z "$BEFORE" ] || printf ' %11s %6s %14s %6s' "before it/s" "/ bef" "before it/CPU-s" "/ bef"
echo
ratios=$(mktemp)
trap 'rm -f "$ratios"' EXIT
for r in $(seq 1 "$ROUNDS"); do
	for t in $THREADS; do
		b="0 0"
		if [ $((r % 2)) = 1 ]; then
			g=$(gebm_rate bin/gebm "$t")
			p=$(torch_rate "$t")
			[ -z "$BEFORE" ] || b=$(gebm_rate "$BEFORE" "$t")
		else
			[ -z "$BEFORE" ] || b=$(gebm_rate "$BEFORE" "$t")
			p=$(torch_rate "$t")
			g=$(gebm_rate bin/gebm "$t")
		fi
		read -r gw gc <<<"$g"
		read -r pw pc <<<"$p"
		read -r bw bc <<<"$b"
		printf '%-5s %-7s %9s %9s %6s %10s %10s %6s' "$r" "$t" "$gw" "$pw" "$(ratio "$gw" "$pw")" "$gc" "$pc" "$(ratio "$gc" "$pc")"
		[ -z "$BEFORE" ] || printf ' %11s %6s %14s %6s' "$bw" "$(ratio "$gw" "$bw")" "$bc" "$(ratio "$gc" "$bc")"
		echo
		echo "$t $(ratio "$gw" "$pw") $(ratio "$gc" "$pc")" >>"$ratios"
	done
done
echo "== load average at the end$(uptime | sed 's/.*load average//')"
for t in $THREADS; do
	for col in 2 3; do
		awk -v t="$t" -v c="$col" '$1 == t { print $c }' "$ratios" | sort -n |
			awk -v t="$t" -v c="$col" '{ v[NR] = $1 } END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2;
				printf "%s thread(s): gebm / PyTorch %.2f× median (%.2f-%.2f) over %d rounds, %s\n", t, m, v[1], v[NR], NR,
					c == 2 ? "iterations per wall-clock second" : "iterations per CPU-second" }'
	done
done
