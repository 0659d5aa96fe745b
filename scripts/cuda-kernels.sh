#!/bin/sh
# Compiles native/cuda/*.cu to PTX for the GPU generations gebm targets,
# into OUTDIR (default native/cuda/ptx): OUTDIR/<name>.<arch>.ptx.
# `make kernels` runs it to regenerate the committed PTX; `make test-cuda`
# runs it into a temporary directory and compares.
#
# gemm.cu keeps nvcc's fused multiply-adds; every other file is compiled
# with -fmad=false so that its elementwise float32 arithmetic rounds as the
# Go code in shared/nn does (see native/cuda/common.cuh).
set -eu
NVCC=${NVCC:-nvcc}
ARCHS=${CUDA_ARCHS:-"sm_80 sm_90"}
src=$(cd "$(dirname "$0")/../native/cuda" && pwd)
out=${1:-$src/ptx}
mkdir -p "$out"
for cu in "$src"/*.cu; do
	name=$(basename "$cu" .cu)
	fmad=false
	[ "$name" = gemm ] && fmad=true
	for arch in $ARCHS; do
		"$NVCC" -ptx -O3 -std=c++17 -arch="$arch" -fmad="$fmad" -I"$src" "$cu" -o "$out/$name.$arch.ptx"
	done
done
