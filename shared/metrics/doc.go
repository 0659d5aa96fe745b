// Package metrics measures the quality of a set of generated samples against
// data: the 2-D benchmark measures of the GAN literature (modes covered and
// high-quality samples), the squared maximum mean discrepancy, the negative
// log-likelihood of samples under a known data density, the RKHS KALE, and, for
// images, the Fréchet distance and the kernel distance between Gaussian-fitted
// (resp. kernel-embedded) features of a classifier.
//
// # Modes (2-D mixtures of isotropic Gaussians)
//
// Every sample is assigned to its nearest mode, distance measured in that mode's
// standard deviations. A sample is high quality when it lies within Sigmas (3)
// standard deviations of its mode, ‖x − μ_k‖ ≤ 3σ_k (the rule of VEEGAN,
// Srivastava et al. 2017, and PacGAN, Lin et al. 2018). A mode is covered when at
// least MinCount high-quality samples are assigned to it. PacGAN's rule is 20 of
// 2500 samples on 25 modes, a fifth of the 100 that a perfect sampler expects;
// ModeOptions's default generalises it as MinCount = ⌈0.2·n·w_k⌉ (at least 1)
// for n samples and mode weight w_k. For reference, exact draws from a 2-D
// isotropic Gaussian fall within 3σ with probability 1 − e^{−4.5} ≈ 98.9%, so
// data itself scores about 98.9% high-quality samples.
//
// # FID and KID on classifier features
//
// The Fréchet distance between N(μ₁, Σ₁) and N(μ₂, Σ₂) is
//
//	FD = ‖μ₁ − μ₂‖² + tr Σ₁ + tr Σ₂ − 2 tr (Σ₁^{1/2} Σ₂ Σ₁^{1/2})^{1/2}.
//
// It is computed without the non-symmetric product Σ₁Σ₂ (whose square root the
// usual scipy.linalg.sqrtm code takes, and which can come out complex): Σ₁^{1/2}
// comes from the symmetric eigendecomposition of Σ₁ (negative rounding-level
// eigenvalues clipped to 0), M = Σ₁^{1/2} Σ₂ Σ₁^{1/2} is symmetric positive
// semi-definite, and tr M^{1/2} is the sum of the square roots of M's
// eigenvalues (again clipped at 0). Both are exact for PSD matrices and stable.
//
// The kernel distance (KID, Bińkowski et al. 2018) is the unbiased estimate of
// MMD² with the cubic polynomial kernel k(x, y) = (xᵀy/d + 1)³, d the feature
// dimension. Unlike FID it is unbiased, so it is comparable across sample sizes.
//
// Both are only as meaningful as the features: in gebm they are the penultimate
// layer of an MNIST classifier that the project trains itself (native/classifier),
// so the numbers are "FID on gebm's MNIST-classifier features", not comparable
// with Inception FIDs reported in papers.
//
// The package is pure Go (gonum) and builds for WebAssembly.
package metrics
