// Package sampler is gebm's sampling API for WebAssembly front-ends: the one
// set of calls that the browser build (wasm/js) and the WASI build
// (wasm/internal/wasi) expose, written once over the shared packages so that both
// front-ends are thin conversions of arguments and results.
//
// A Sampler holds open models and chain sets, each named by a small integer
// Handle:
//
//	m, _ := s.Open(modelFile)               // a model file (package ckpt)
//	c, _ := s.NewChains(m, 64, seed, 1)     // 64 chains, z ~ N(0, I) from seed, β = 1
//	acc, _ := s.Step(c, StepParams{Method: "mala", StepSize: 0.05, Steps: 100})
//	x, _ := s.Samples(c, nil)               // x = B(z), 64×D
//
// The chains sample the model's latent posterior at inverse temperature β,
//
//	U(z) = ||z||²/2 + β E(B(z)),
//
// with the kernels of package sample (ula, mala, hmc, kla, mh, imh), or
// redrawn by sampling–importance–resampling from a pool of generator latents
// (SIR); samples are the generator's images of the latents, x = B(z).
//
// For a 2-D model a Sampler also runs MMD gradient flows (kale.MMDFlow),
// named by handles too: particles from the generator or a Gaussian that
// move to samples of the model's toy data set, for the page's flow panel:
//
//	f, _ := s.NewFlow(m, FlowConfig{Particles: 200, Targets: 200, Start: "generator", Step: 1, Noise: 0.2, NoiseDecay: 0.5})
//	st, _ := s.FlowStep(f, 50)              // st.MMD2: MMD² to the targets after 50 steps
//	x, _ := s.FlowParticles(f, nil)         // 200×2
//
// A Sampler also trains models (train.go), with the training step of
// package shared/train that `gebm train` runs, so that the same data set,
// seed and options train the same model bits with the same matrix kernel.
// A trainer is a handle too; the caller runs n steps at a time (pausing is
// not calling), reads each step's losses, KALE and A, and takes the model
// out as a model file or as a model handle to sample:
//
//	o, _ := ParseTrainOptions("8gaussians", []byte(`{"steps": 1500, "gp": 0.1}`)) // gebm train's flags, over its defaults
//	tr, _ := s.NewTrainer(TrainData{Toy: "8gaussians"}, o)
//	st, _ := s.TrainSteps(tr, 50, nil)      // 50 steps of the schedule: st[i].KALE, st[i].A ...
//	file, _ := s.TrainModel(tr)             // a .gebm file, as gebm train writes
//	m, _ := s.TrainSnapshot(tr)             // the model as it is now: Generate, EnergyGrid, chains
//
// Every call validates its arguments, returns errors rather than panicking (a
// panic inside a call is recovered into an error wrapping ErrInternal), and
// is deterministic: the same seed and calls give the same results. Natively
// and in WebAssembly the results agree when both use the same matrix kernel
// (nn.TiledGemm is WebAssembly's default): they may differ only in the last
// bits, through math.Exp and math.Log (the logistic activation, the coupling
// layers' tanh and exp, the samplers' accept ratios), which are assembly on
// amd64 and pure Go in wasm; the tanh activation (nn.Tanh32) is plain
// arithmetic, the same bits on both. The wazero tests in
// wasm/internal/wasihost found them identical, convolutional models
// included, and TestConvGolden pins every method's bits on those models
// natively, in Node and in wazero alike.
//
// Models may be convolutional (conv2d, conv_transpose2d and batchnorm
// layers: a DCGAN-like generator, an SN-ConvNet energy): a sample is then
// an image of C×H×W values, channel by channel (Description.Image), and
// batch normalisation uses the model's running statistics, so that B(z)
// does not depend on the other chains. Open refuses a model whose
// convolutions' column buffers would pass MaxScratchFloats.
//
// Calls take caller-owned destination slices, as gonum does: dst is filled
// and returned, reallocated when it is too short.
package sampler
