package blas

import "github.com/gebm/gebm/shared/nn"

// UseFastest makes the networks built after it multiply with Fastest and
// every Adam update with FastestAdam: what a native entry point (cmd/gebm's
// run, a test main) calls once before it builds a network.
func UseFastest() {
	nn.SetDefaultGemm(Fastest())
	nn.SetAdamKernel(FastestAdam())
}
