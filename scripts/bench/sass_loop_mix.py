#!/usr/bin/env python3
"""sass_loop_mix.py: the instruction mix of a CUDA kernel's main loop.

    python3 scripts/bench/sass_loop_mix.py [--arch sm_90] PTX KERNEL...

Compiles PTX for ARCH with the toolkit's ptxas (as the driver's JIT would),
disassembles each KERNEL with cuobjdump, takes its longest loop (the
longest backward branch; with --innermost, the shortest) and prints the loop's instruction count and its
commonest opcodes. For a matrix-product kernel the share of FFMA (fused
multiply-adds) bounds the fraction of the GPU's FP32 peak it can issue:
a static measure, for comparing kernels where no GPU is at hand.
"""
import argparse
import collections
import os
import re
import subprocess
import sys
import tempfile


def loop_mix(sass, innermost=False):
    """Returns (start, end, Counter of opcodes) of the longest loop in sass,
    or with innermost the shortest."""
    ins = []
    for line in sass.splitlines():
        m = re.match(r"\s+/\*([0-9a-f]{4,})\*/\s+(.*?);", line)
        if m:
            ins.append((int(m.group(1), 16), m.group(2)))
    loops = []
    for addr, text in ins:
        b = re.search(r"BRA (0x[0-9a-f]+)", text)
        if b and int(b.group(1), 16) < addr:
            loops.append((int(b.group(1), 16), addr))
    if not loops:
        raise ValueError("no loop (no backward branch)")
    start, end = (min if innermost else max)(loops, key=lambda l: l[1] - l[0])
    ops = collections.Counter()
    for addr, text in ins:
        if start <= addr <= end:
            words = text.split()
            op = words[1] if words[0].startswith("@") else words[0]
            ops[op.split(".")[0]] += 1
    return start, end, ops


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--arch", default="sm_90")
    ap.add_argument("--innermost", action="store_true", help="the shortest loop, not the longest")
    ap.add_argument("ptx")
    ap.add_argument("kernels", nargs="+")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        cubin = os.path.join(tmp, "k.cubin")
        subprocess.run(["ptxas", f"-arch={a.arch}", a.ptx, "-o", cubin], check=True)
        for k in a.kernels:
            sass = subprocess.run(["cuobjdump", "-sass", "-fun", k, cubin], check=True, capture_output=True, text=True).stdout
            if f"Function : {k}\n" not in sass:
                raise ValueError(f"no kernel {k} in {a.ptx}")
            start, end, ops = loop_mix(sass, a.innermost)
            total = sum(ops.values())
            common = ", ".join(f"{op} {n}" for op, n in ops.most_common(8))
            print(f"{k} ({a.arch}): loop {start:#x}-{end:#x}, {total} instructions, FFMA {100 * ops['FFMA'] / total:.0f}%: {common}")


if __name__ == "__main__":
    try:
        main()
    except (ValueError, subprocess.CalledProcessError) as e:
        sys.exit(f"sass_loop_mix.py: {e}")
