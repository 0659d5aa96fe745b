package train

// DCGANChannels is the default channel width of the dcgan architecture
// (Options.Channels): the generator's convolutions are 2·16 and 16 channels
// wide, the energy's 16 and 2·16. On 1×28×28 MNIST at batch 64 that is
// what trains to digits in about an hour on two CPU cores
// (docs/EVAL.md "Why the conv generator was poor").
const DCGANChannels = 16

// DCGANLatent is the latent size of the dcgan architecture when none is
// given: the paper's 64, as for MNIST's MLP (Defaults).
const DCGANLatent = 64

// DCGAN's training defaults, where they depart from Defaults': a batch of
// 64 and 3 energy updates per base update (half the cost of an iteration
// of 128 and 5), and learning rates of 1e-3. MNIST's MLP defaults keep
// 1e-4, which left the small convolutional pair undertrained: after 1500
// base steps its generator's FID was 132 at 1e-4, 112 at 4e-4 and 84 at
// 1e-3 (docs/EVAL.md, issue 15). 20000 base steps rather than 10000 take
// the generator's FID from 39.3 to 28.8 and the GEBM's at β = 1 from 36.3
// to 30.1; with 1000 final energy steps they took 34–41 minutes at one
// thread on the shared two-core machine (docs/EVAL.md, "Longer, and one
// layer deeper"; www/models/TRAINING.md).
const (
	dcganBatch            = 64
	dcganNCritic          = 3
	dcganLR               = 1e-3
	dcganSteps            = 20000
	dcganFinalEnergySteps = 1000
)

// DCGANEnergyArch is the energy's architecture of the dcgan architecture
// when none is given (Options.EnergyArch): an MLP (Defaults' EnergyHidden,
// 512 and 256 wide for MNIST) on the convolutional generator. Trained
// together for the same 20000 base steps on MNIST, the MLP energy took
// the generator's FID to 8.3 where the paper's convolutional energy at 16
// channels left it at 28.8, in less time; wider convolutional energies
// (32, 64 channels) fitted to that generator did not help it either
// (docs/EVAL.md, "An MLP energy on the convolutional generator").
// --energy-arch dcgan gives the convolutional energy.
const DCGANEnergyArch = "mlp"

// DCGANDefaults sets the options in which the dcgan architecture departs
// from Defaults (latent 64, an MLP energy, batch 64, n-critic 3, both
// learning rates 1e-3, 20000 base steps, 1000 final energy steps), each
// unless given reports that its flag (the option's JSON name) was set by
// the user.
// Meant for options from Defaults with Arch "dcgan", not for a resumed
// run, whose options are those it was started with.
func DCGANDefaults(o *Options, given func(flag string) bool) {
	set := func(flag string, apply func()) {
		if !given(flag) {
			apply()
		}
	}
	set("latent", func() { o.Latent = DCGANLatent })
	set("energy-arch", func() { o.EnergyArch = DCGANEnergyArch })
	set("batch", func() { o.Batch = dcganBatch })
	set("n-critic", func() { o.NCritic = dcganNCritic })
	set("lr-energy", func() { o.LREnergy = dcganLR })
	set("lr-base", func() { o.LRBase = dcganLR })
	set("steps", func() { o.Steps = dcganSteps })
	set("final-energy-steps", func() { o.FinalEnergySteps = dcganFinalEnergySteps })
}
