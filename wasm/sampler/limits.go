package sampler

import (
	"fmt"
	"math"
)

// Limits on what one call may ask for, so that a bad argument from a page
// is an error rather than a multi-gigabyte allocation or an endless call.
const (
	// MaxChains is the largest number of chains in a set, and of samples
	// one Generate call draws.
	MaxChains = 1 << 16
	// MaxBatchFloats bounds a batch's activations: n × (the summed widths
	// of every layer of the base and the energy) for n chains. The networks
	// keep about two such buffers (values and gradients), so a batch at the
	// limit holds about 128 MiB. For an MNIST-size model this allows about
	// 2,600 chains; for a 2-D toy model the MaxChains cap binds first.
	MaxBatchFloats = 1 << 24
	// MaxScratchFloats bounds what a model's layers allocate whatever the
	// batch: the convolutions' column matrices, one sample's each
	// (C·K·K × OH·OW floats; 50,176 for the DCGAN-MNIST energy's 64→128
	// layer), 64 MiB at the limit. Open refuses a model above it.
	MaxScratchFloats = 1 << 24
	// MaxSteps is the most transitions one Step call performs.
	MaxSteps = 1 << 20
	// MaxLeapfrog is the most leapfrog steps of one HMC transition.
	MaxLeapfrog = 1 << 10
	// MaxGridRes is the largest side of an energy grid (res × res points).
	MaxGridRes = 2048
	// MaxBeta is the largest inverse temperature.
	MaxBeta = 1e6
	// MaxHandles is the most objects open at once.
	MaxHandles = 1 << 16
	// MaxSIRPoolPerChain is the largest SIR pool per chain.
	MaxSIRPoolPerChain = 1000
	// MaxSIRPool is the largest SIR pool of one call: SIR keeps a float64
	// weight per pool latent (32 MiB at the limit) and evaluates the pool
	// in batches of the model's MaxChains.
	MaxSIRPool = 1 << 22
	// MaxTrainParams is the most parameters (both networks, spectral
	// normalisation's vectors included) a trainer's model may have: with
	// the gradients and Adam's two moments, 64 MiB at the limit. The
	// bundled 2-D model has about 34,000; the MNIST default about 1.1 million.
	MaxTrainParams = 1 << 22
	// MaxTrainFloats is the most values of points a trainer is given (64 MiB).
	MaxTrainFloats = 1 << 24
	// MaxTrainSteps is the most steps one TrainSteps call makes.
	MaxTrainSteps = 1 << 16
)

// gridBatch is how many grid points EnergyGrid evaluates at once.
const gridBatch = 4096

func checkBeta(beta float64) error {
	if !(beta >= 0 && beta <= MaxBeta) {
		return fmt.Errorf("%w: beta %v: must be a number in [0, %g]", ErrArgument, beta, float64(MaxBeta))
	}
	return nil
}

func checkFinite(name string, v float64) error {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return fmt.Errorf("%w: %s %v: must be finite", ErrArgument, name, v)
	}
	return nil
}
