#!/bin/sh
# Compiles native/cuda/*.cu to PTX for the GPU generations gebm targets,
# into OUTDIR (default native/cuda/ptx): OUTDIR/<name>.<arch>.ptx.
# `make kernels` runs it to regenerate the committed PTX; `make test-cuda`
# runs it into a temporary directory and compares.
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
ARCHS=${CUDA_ARCHS:-"sm_80 sm_90"}
src=$(cd "$(dirname "$0")/../native/cuda" && pwd)
out=${1:-$src/ptx}
mkdir -p "$out"
for cu in "$src"/*.cu; do
	name=$(basename "$cu" .cu)
	fmad=false
	[ "$name" = gemm ] && fmad=true
	for arch in $ARCHS; do
		"$NVCC" -ccbin "$HOST_CXX" -ptx -O3 -std=c++17 -arch="$arch" -fmad="$fmad" -I"$src" "$cu" -o "$out/$name.$arch.ptx"
	done
done
