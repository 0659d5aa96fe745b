package train

// DCGANChannels is the default channel width of the dcgan architecture
// (Options.Channels): the generator's convolutions are 2·32 and 32 channels
// wide, the energy's 32 and 2·32, which keeps a training iteration on 1×28×28
// images at batch 64 affordable on two CPU cores (docs/RATIONALE.md).
const DCGANChannels = 32

// DCGANLatent is the latent size of the dcgan architecture when none is
// given: the paper's 64, as for MNIST's MLP (Defaults).
const DCGANLatent = 64
