#!/bin/sh
# Compiles native/cuda/*.cu to PTX into OUTDIR (default native/cuda/ptx):
# OUTDIR/<name>.ptx, one file per .cu, each starting with a comment that names
# this script. `make kernels` runs it to regenerate the committed PTX;
# `make test-cuda` runs it into a temporary directory and compares.
#
# One target, sm_80 (CUDA_ARCH to override): PTX is forward-compatible, so the
# driver JIT-compiles sm_80 PTX for any GPU of compute capability 8.0 or newer
# (A100, H100, H200), and native/cuda loads the same file on all of them.
# gebm used to commit a second copy for sm_90; nvcc 11.8 made the two copies
# of every kernel identical but for the `.target` line (measured on the 8
# files, Dec 2026), so the sm_90 driver JIT was compiling the same
# instructions either way. No GPU was at hand to time the JIT or the kernels
# on sm_90 (docs/RATIONALE.md): add sm_90 back only if a measurement there
# shows a difference.
#
# gemm.cu keeps nvcc's fused multiply-adds; every other file is compiled
# with -fmad=false so that its elementwise float32 arithmetic rounds as the
# Go code in shared/nn does (see native/cuda/common.cuh).
#
# nvcc 11.8 accepts gcc <= 11 (or clang <= 14) as its host compiler; it is
# named explicitly (CUDA_HOST_CXX, default g++-11, which scripts/deps.sh
# installs) rather than left to nvcc's search, which depends on what else is
# installed. The host compiler only preprocesses the device code here: the PTX
# from g++-11 and clang-14 is byte-identical (docs/RATIONALE.md).
set -eu
NVCC=${NVCC:-nvcc}
HOST_CXX=${CUDA_HOST_CXX:-g++-11}
command -v "$HOST_CXX" >/dev/null || { echo "cuda-kernels.sh: no $HOST_CXX, nvcc's host compiler (scripts/deps.sh install cuda, or set CUDA_HOST_CXX)" >&2; exit 1; }
ARCH=${CUDA_ARCH:-sm_80}
src=$(cd "$(dirname "$0")/../native/cuda" && pwd)
out=${1:-$src/ptx}
mkdir -p "$out"
for cu in "$src"/*.cu; do
	name=$(basename "$cu" .cu)
	fmad=false
	[ "$name" = gemm ] && fmad=true
	"$NVCC" -ccbin "$HOST_CXX" -ptx -O3 -std=c++17 -arch="$ARCH" -fmad="$fmad" -I"$src" "$cu" -o "$out/$name.ptx.tmp"
	{
		echo "// Generated from native/cuda/$name.cu by scripts/cuda-kernels.sh (make kernels)"
		echo "// for $ARCH, which the driver JIT-compiles for newer GPUs. Do not edit."
		cat "$out/$name.ptx.tmp"
	} >"$out/$name.ptx"
	rm "$out/$name.ptx.tmp"
done
