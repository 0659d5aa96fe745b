#!/usr/bin/env python3
"""kernel_times.py: GPU time per kernel from Nsight Compute's CSV.

    ncu --csv --metrics gpu__time_duration.sum PROGRAM ... > ncu.csv
    python3 kernel_times.py ncu.csv [--iterations N] [--top K]

Sums gpu__time_duration.sum over the launches of each kernel (ncu times
every launch alone, serialised, so the total is the GPU time of a run
without overlap) and prints, longest first, each kernel's launches, total
milliseconds (per iteration when --iterations is given) and share of the
whole. Lines of the program's own output mixed into the CSV are skipped.
"""
import argparse
import csv
import io
import sys

UNITS = {"nsecond": 1e-6, "ns": 1e-6, "usecond": 1e-3, "us": 1e-3, "msecond": 1.0, "ms": 1.0, "second": 1e3, "s": 1e3}


def kernel_times(lines):
    """Returns {kernel: [launches, milliseconds]} from ncu --csv output lines."""
    start = next((i for i, l in enumerate(lines) if l.startswith('"ID"')), None)
    if start is None:
        raise ValueError("no ncu CSV header (a line starting with \"ID\")")
    times = {}
    for row in csv.DictReader(io.StringIO("".join(l for l in lines[start:] if l.startswith('"')))):
        if row.get("Metric Name") != "gpu__time_duration.sum":
            continue
        unit = row.get("Metric Unit", "")
        if unit not in UNITS:
            raise ValueError(f"unknown time unit {unit!r}")
        value = float(row["Metric Value"].replace(",", ""))
        name = row["Kernel Name"].split("(")[0]
        t = times.setdefault(name, [0, 0.0])
        t[0] += 1
        t[1] += value * UNITS[unit]
    if not times:
        raise ValueError("no gpu__time_duration.sum rows")
    return times


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("csv")
    ap.add_argument("--iterations", type=int, default=1, help="iterations the profiled run made (times are divided by it)")
    ap.add_argument("--top", type=int, default=20, help="kernels to list")
    a = ap.parse_args()
    if a.iterations < 1 or a.top < 1:
        ap.error("--iterations and --top must be at least 1")
    with open(a.csv, encoding="utf-8", errors="replace") as f:
        times = kernel_times(f.readlines())
    total = sum(ms for _, ms in times.values())
    print(f"GPU time {total / a.iterations:.3f} ms per iteration over {a.iterations} iteration(s), {len(times)} kernels:")
    for name, (n, ms) in sorted(times.items(), key=lambda kv: -kv[1][1])[: a.top]:
        print(f"  {name:<24} {n / a.iterations:7.1f} launches {ms / a.iterations:9.3f} ms {100 * ms / total:6.1f}%")


if __name__ == "__main__":
    try:
        main()
    except ValueError as e:
        sys.exit(f"kernel_times.py: {e}")
