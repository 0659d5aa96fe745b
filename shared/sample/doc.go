// Package sample draws Markov chain Monte Carlo samples from a density
// π(z) ∝ exp(−U(z)) on R^d, for a batch of n independent chains at once.
//
// The potential U is any [Potential]: a batched function returning U and ∇U. In gebm it
// is the latent posterior of a generalized energy-based model,
//
//	U(z) = ||z||²/2 + β E(B(z)),  ∇U(z) = z + β J_B(z)ᵀ ∇ₓE(B(z)),
//
// but nothing here depends on that form except [IMH], whose proposal is the standard
// normal "prior part".
//
// The kernels (h is the step size, ξ ~ N(0, I) fresh at every use):
//
//	ULA   z' = z − h∇U(z) + √(2h) ξ                       (no correction: biased, O(h))
//	MALA  the ULA proposal, accepted with probability
//	      min(1, exp(U(z) − U(z') + log q(z|z') − log q(z'|z))),
//	      log q(z'|z) = −||z' − z + h∇U(z)||² / (4h)
//	HMC   v ~ N(0, I); L leapfrog steps of size h (optionally jittered per chain and
//	      transition); accept with min(1, exp(H(z, v) − H(z', v'))), H = U + ||v||²/2
//	KLA   underdamped (kinetic) Langevin with friction κ, C = exp(−κh), D = √(1 − C²):
//	      z += (h/2)v; g = ∇U(z); v −= (h/2)g; v = Cv + Dξ; v −= (h/2)g; z += (h/2)v
//	      (one gradient per step; no correction: biased, O(h²); momentum persists)
//	MH    z' = z + hξ, accepted with min(1, exp(U(z) − U(z')))
//	IMH   z' = ξ (independent of z), accepted with
//	      min(1, exp(U(z) − U(z') + ||z'||²/2 − ||z||²/2))
//
// The state of every chain (latents z, KLA momentum v, cached U(z) and ∇U(z), accept
// counts) lives in a [Chains] value; all its buffers are allocated once, by [NewChains], so
// that a step allocates nothing. [Chains.Step] advances every chain by one transition;
// [Chains.Run] adds a warm-up phase (dual-averaging step-size adaptation for MALA and HMC,
// see [DualAveraging]), thinning, an energy trace, acceptance rates and, on request,
// collected samples.
//
// # Sampling–importance–resampling
//
// [SIR] is not a Markov chain: it draws a pool of M proposals z_j ~ N(0, I), weights them
// by w_j = exp(−V(z_j)) for a [Tilt] V (for the GEBM, V(z) = β E(B(z)), so that U(z) =
// ||z||²/2 + V(z)), and resamples N of them (systematic resampling). It needs no gradient
// and no step size, its samples are independent of any starting point, and it reports
// the effective sample size of the weights, (Σw)²/Σw², which says how far the target is
// from N(0, I): at β = 1 it is the judge of whether the energy changes the generator.
//
// # Non-finite values
//
// A proposal whose position, potential or gradient is not finite is rejected: the chain
// keeps its state, and the step counts as a rejection. This holds for ULA and KLA too,
// which otherwise accept every move. A potential is never evaluated at a non-finite point,
// and no sampler ever stores NaN or ±Inf in the latents. KLA evaluates the potential at
// the half-step point only, so its end points are finite but not checked; see [KLA].
//
// # Reproducibility
//
// All randomness comes from the caller's *rand.Rand, consumed in an order that does not
// depend on the outcome of accept tests: the same seed gives the same chains (TestGolden
// pins the bits, and passes on linux/amd64 and js/wasm alike). To make that
// hold across GOARCH (notably linux/amd64 and wasm), the package uses its own portable
// exp and log rather than math.Exp and math.Log, which use assembly on some architectures,
// and writes products with explicit conversions so that no fused multiply-add is formed.
// (math/rand/v2's NormFloat64 itself calls math.Exp and math.Log on rare slow paths; a
// difference there needs a last-bit disagreement to flip a float32 comparison.)
package sample
