//go:build cuda && (nocublas || cudaemu)

package cuda

import "errors"

// HaveCublas reports whether this build links cuBLAS: not with the
// nocublas tag, which gives a binary that needs only the driver's libcuda
// (see scripts/gpu-check.sh), nor in the CPU emulation (cudaemu).
const HaveCublas = false

func newCublas(*Device) (Gemm, error) {
	return nil, errors.New("cuda: this build has no cuBLAS (nocublas tag); use the kernel matrix product")
}
