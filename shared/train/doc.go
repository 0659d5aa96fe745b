// Package train is the training step of a GEBM with KALE, following the
// procedure of Arbel, Zhou & Gretton (ICLR 2021) and their public code, in
// pure Go so that the native trainer (native/train) and the WebAssembly
// build (wasm/sampler) run the same code:
//
//   - the energy E and the scalar A minimise
//     mean_x [E(x) + A] + mean_z [exp(-(E(B(z)) + A))] - 1 + λ mean ||∇_x E(x̂)||²,
//     the negated KALE lower bound plus a gradient penalty at x̂ = αx + (1-α)B(z),
//     α ~ U[0, 1] per sample (a squared norm, not WGAN-GP's (||g||-1)²); A
//     starts at a Monte-Carlo estimate of log E_z[exp(-E(B(z)))];
//   - the base minimises -mean_x E(x) - Â with the batch estimate
//     Â = logsumexp_i(-E(B(z_i))) - log N, whose gradient is the
//     self-normalised importance-weighted energy gradient
//     Σ_i w_i ∇_θ E(B(z_i)), w = softmax(-E(B(z))) (BaseTilt changes the
//     weights to softmax(-γ E(B(z))), γ = BaseTilt; 1 is the reference);
//   - Adam for both; Warmup energy-only steps, then NCritic energy steps per
//     base step and a burst of BurstLen more every BurstEvery base steps;
//     the learning rates decay by LRDecay every LRDecayEvery base steps; a
//     final phase of FinalEnergySteps energy-only steps fits the energy to
//     the final base.
//
// A Trainer holds the model, the optimisers, the random stream and the
// position in the schedule; a backend.Backend does the arithmetic of the
// two steps (the CPU one, NewCPU, is here; native/cuda provides the GPU's).
// Every quantity a step computes is checked: a non-finite one stops
// training with a *NonFiniteError naming it. Files, checkpoints on disk,
// logs and plots belong to the caller.
//
// docs/KALE.md describes the KALE divergence itself.
package train
