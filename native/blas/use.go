package blas

import "github.com/gebm/gebm/shared/nn"

// UseFastest makes the networks built after it multiply with Fastest,
// every Adam update run FastestAdam and every tanh activation FastestTanh:
// what a native entry point (cmd/gebm's
// run, a test main) calls once before it builds a network.
func UseFastest() {
	nn.SetDefaultGemm(Fastest())
	nn.SetAdamKernel(FastestAdam())
	nn.SetTanhKernel(FastestTanh())
}
