// Package backend is what the training step (shared/train) and a device
// that runs its arithmetic (shared/train's CPU backend, native/cuda) share,
// so that neither copies the other: the Backend interface, the statistics
// of one step and the options of a step (Config). It imports nothing of
// gebm, and builds for native and WebAssembly targets alike.
package backend

// Config is what a backend needs of the training options: shared/train's
// Options embeds it, and the CPU and CUDA backends read it. The JSON names
// are the flags of `gebm train`.
type Config struct {
	Batch    int     `json:"batch"` // data rows and latents per step
	LREnergy float64 `json:"lr-energy"`
	LRBase   float64 `json:"lr-base"`
	GP       float64 `json:"gp"` // weight of mean ||∇_x E(x̂)||²
	// BaseTilt is γ in the base step's weights w = softmax(−γ E(B(z))):
	// 1 is the KALE gradient of the paper and the reference (the weights of
	// the GEBM at β = 1), 0 weights every sample equally (the plain energy
	// gradient mean_i ∇_θ E(B(z_i)), as in a GAN's generator step). For γ >
	// 0 the base minimises −(1/γ) log mean_i exp(−γ E(B(z_i))), for γ = 0
	// mean_i E(B(z_i)). Training only: the model file records it among the
	// run's options, the model itself is the same kind of GEBM.
	BaseTilt float64 `json:"base-tilt"`
	// SoftClip maps each energy gradient element g to 2g/(1+g²) before the
	// update (the reference's optional soft clip).
	SoftClip bool `json:"soft-clip"`
	// CUDAGemm is the matrix product of the cuda device: "" (cuBLAS where
	// the build links it, else gemm.cu's kernel), "cublas" or "kernel". It
	// is not recorded in the checkpoint: like the device, it may change on
	// resume.
	CUDAGemm string `json:"-"`
	// FrozenBase says that no step of the run changes the base (a trained
	// generator taken from a file, gebm train --base-from with --steps 0):
	// the energy steps then draw its samples as the model samples them,
	// batch normalisation by its running statistics, which stay the
	// file's; otherwise they draw them as a base step does (batch
	// statistics, folded into the running ones).
	FrozenBase bool `json:"-"`
}

// Backend performs the arithmetic of the two training steps on one device.
// The trainer owns everything else — the schedule, the random draws, the
// bookkeeping of losses, checkpoints and logs — so that a new device adds
// only this. The CPU backend works on the model in place; a device backend
// keeps its own copy and writes it back in Sync.
type Backend interface {
	// EnergyStep makes one update of the energy and A on data rows x,
	// latents z and interpolation weights alpha (one per row, for the
	// gradient penalty's x̂ = α x + (1-α) B(z)), with learning rates
	// multiplied by lrScale.
	EnergyStep(x, z, alpha []float32, lrScale float64) (EnergyStats, error)
	// BaseStep makes one update of the base on latents z.
	BaseStep(z []float32, lrScale float64) (BaseStats, error)
	// Evaluate returns the KALE estimate -L(E, A) on data x and latents z
	// without updating anything.
	Evaluate(x, z []float32) (EvalStats, error)
	// Sync brings the model and optimiser state up to date on the host.
	Sync() error
	// Name says which device this is ("cpu", "cuda:0 NVIDIA ...").
	Name() string
}

// EnergyStats are the quantities of one energy update.
type EnergyStats struct {
	Loss       float64 // L without the penalty: mean(E(x)+A) + mean(exp(-(E(B(z))+A))) - 1
	Penalty    float64 // mean ||∇_x E(x̂)||²
	EnergyData float64 // mean E(x)
	EnergyGen  float64 // mean E(B(z))
	GradNorm   float64 // norm of the energy's parameter gradient (before the update)
}

// KALE is the KALE estimate of the batch, -L.
func (s EnergyStats) KALE() float64 { return -s.Loss }

// BaseStats are the quantities of one base update.
type BaseStats struct {
	AHat     float64 // logsumexp(-E(B(z_i))) - log N
	ESS      float64 // effective sample size of the importance weights, 1/Σw²
	GradNorm float64
}

// EvalStats is the held-out evaluation.
type EvalStats struct {
	KALE       float64
	EnergyData float64
	EnergyGen  float64
}
