#!/bin/sh
# Two gebm binaries' `gebm bench sample` rows, run back to back in pairs
# (A, then B, PAIRS times, one round each), so that load on a shared machine
# falls on both alike; prints each row's median chain-steps/s per binary and
# the ratios B/A within each pair (median, min-max over pairs).
#
#   scripts/bench/sample-ab.sh OLD_GEBM NEW_GEBM [PAIRS] [OUTDIR] [-- bench sample flags]
#
# Issue 21 compares the path before it (the "before issue 21" row of a
# binary built before Tanh32, commit d71ddf7) with gebm sample/eval of
# today's binary; the "before issue 21" row of a binary with Tanh32 runs the
# old batching with the new tanh, so only the old binary measures the old path.
set -eu
a=$1 b=$2
pairs=${3:-3}
out=${4:-out/bench-ab}
shift 2; [ $# -gt 0 ] && shift; [ $# -gt 0 ] && shift
[ "${1:-}" = "--" ] && shift
mkdir -p "$out"
for i in $(seq 1 "$pairs"); do
	"$a" bench sample --quiet --json --rounds 1 "$@" >"$out/a$i.json"
	"$b" bench sample --quiet --json --rounds 1 "$@" >"$out/b$i.json"
	echo "pair $i of $pairs done" >&2
done
exec python3 - "$out" "$pairs" <<'PY'
import json, statistics, sys
out, pairs = sys.argv[1], int(sys.argv[2])
A = [json.load(open(f"{out}/a{i}.json")) for i in range(1, pairs + 1)]
B = [json.load(open(f"{out}/b{i}.json")) for i in range(1, pairs + 1)]
def v(rep, row, n):
    for r in rep["rows"]:
        if r["row"] == row and r["n"] == n:
            return r["chain_steps_per_s"][0]
def span(xs):
    return "%.2f (%.2f-%.2f)" % (statistics.median(xs), min(xs), max(xs))
print("%s pairs, %s .. %s; load average before -> after each run:" % (pairs, A[0]["date"], B[-1]["date"]))
for i in range(pairs):
    print("  pair %d: A %s -> %s, B %s -> %s" % (i + 1, A[i]["load_average_before"], A[i]["load_average_after"], B[i]["load_average_before"], B[i]["load_average_after"]))
rows = [(r["n"], r["row"]) for r in A[0]["rows"]]
print("\n%6s %30s %22s %22s %18s" % ("n", "row", "A chain-steps/s", "B chain-steps/s", "B/A in pair"))
for n, row in rows:
    a = [v(r, row, n) for r in A]; b = [v(r, row, n) for r in B]
    print("%6d %30s %22s %22s %18s" % (n, row, "%.0f (%.0f-%.0f)" % (statistics.median(a), min(a), max(a)),
          "%.0f (%.0f-%.0f)" % (statistics.median(b), min(b), max(b)), span([y / x for x, y in zip(a, b)])))
cli = "gebm sample/eval (%s)" % ("1 worker" if B[0]["workers"] == 1 else "%d workers" % B[0]["workers"])
print("\nB's %s over:" % cli)
for n in sorted({n for n, _ in rows}):
    for row in ("sampler API Step (1 worker)",):
        print("  n = %d: B's %s, same run: %s" % (n, row, span([v(r, cli, n) / v(r, row, n) for r in B])))
    print("  n = %d: A's before issue 21, same pair: %s" % (n, span([v(b, cli, n) / v(a, "before issue 21", n) for a, b in zip(A, B)])))
PY
