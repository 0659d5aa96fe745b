#!/usr/bin/env bash
# The CUDA build's checks (`make test-cuda`, after scripts/deps.sh ensure cuda):
#   1. vet with -tags cuda, and cuda,nocublas (gebm's own SGEMM, no cuBLAS);
#   2. compile and link the cuda build's tests and the bin/gebm-cuda binary;
#   3. recompile native/cuda/*.cu and compare with the committed PTX;
#   4. run native/cuda's tests in the CPU emulation of the kernels
#      (-tags cudaemu; the whole suite, not -short), twice: with each
#      block's threads (and the grid's blocks) run first to last, then last
#      to first (GEBM_EMU_ORDER=reverse), so that a kernel reading another
#      thread's write without a barrier between gets other values in one of
#      the two runs and fails its test, as it could on a GPU;
#   5. on a machine where nvidia-smi lists a GPU, run them on the GPU too.
# Building needs the CUDA toolkit; running on the GPU needs the GPU, because
# gorgonia.org/cu exits the process at start-up without one.
set -euo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-go}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "+ vet (cuda; cuda,nocublas)"
$GO vet -tags cuda ./...
$GO vet -tags cuda,nocublas ./native/cuda/ ./native/train/

mkdir "$tmp/test" "$tmp/test-nocublas"
$GO test -tags cuda -c -o "$tmp/test/" ./native/cuda/ ./native/train/
$GO test -tags cuda,nocublas -c -o "$tmp/test-nocublas/" ./native/cuda/
$GO build -tags cuda -o "$tmp/gebm-cuda" ./cmd/gebm
echo "test-cuda: the cuda build's tests and binary compile and link"

mkdir "$tmp/ptx"
scripts/cuda-kernels.sh "$tmp/ptx"
if diff -r native/cuda/ptx "$tmp/ptx" >/dev/null; then
	echo "test-cuda: native/cuda/ptx matches the .cu sources"
else
	diff -r native/cuda/ptx "$tmp/ptx" | head -20
	echo "test-cuda: native/cuda/ptx is stale: run make kernels"
	exit 1
fi

echo "+ the tests in the CPU emulation (cuda,cudaemu)"
$GO vet -tags cuda,cudaemu ./native/cuda/ ./native/train/
$GO test -tags cuda,cudaemu -count=1 -timeout 10m ./native/cuda/
echo "+ the same, threads and blocks in reverse order (GEBM_EMU_ORDER=reverse)"
GEBM_EMU_ORDER=reverse $GO test -tags cuda,cudaemu -count=1 -timeout 10m ./native/cuda/

if nvidia-smi -L 2>/dev/null | grep -q '^GPU'; then
	$GO test -tags cuda -count=1 ./native/cuda/
	$GO test -tags cuda,nocublas -count=1 ./native/cuda/
else
	echo "test-cuda: no GPU here (nvidia-smi lists none): the GPU tests ran in the CPU emulation only"
fi
