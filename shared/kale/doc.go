// Package kale estimates divergences between two sample sets: the KL
// Approximate Lower-bound Estimator (KALE) in a Gaussian RKHS, exactly and
// with random Fourier features, a Donsker–Varadhan lower bound on KL, the
// squared maximum mean discrepancy (MMD²), the MMD gradient flow, and the
// KALE energy loss that the GEBM energy trainer minimises.
//
// # KALE
//
// For distributions P and Q and a function class H,
//
//	KALE(P‖Q; H) = sup_{f ∈ H}  −E_P[f(X)] − E_Q[exp(−f(Y))] + 1.
//
// Taking f = 0 shows KALE ≥ 0. By Fenchel duality of φ(u) = u log u,
// KL(P‖Q) = sup over all measurable f of the same objective, so KALE ≤ KL;
// unlike KL it stays finite when P and Q have disjoint supports.
//
// The sign convention is the energy one used by the GEBM trainer: the optimal
// f (the "witness") is low where P has more mass than Q and high where Q has
// more mass than P; at the population optimum f = −log(dP/dQ).
//
// # The "KALE smoothie" (this package's KALE)
//
// H is the RKHS of the Gaussian kernel k(x, y) = exp(−‖x−y‖²/(2σ²)) and the
// supremum is penalised. With samples X = {x_1..x_n} ~ P and
// Y = {y_1..y_m} ~ Q the estimator is
//
//	KALE_λ = max_{f ∈ H}  −(1/n) Σ_i f(x_i) − (1/m) Σ_j exp(−f(y_j)) + 1 − (λ/2)‖f‖²_H.
//
// The factor is λ/2 on the squared RKHS norm (not λ, not (1+λ)·…). See [KALE]
// for the solver and [KALERandomFeatures] for the large-sample approximation.
//
// # Neural KALE
//
// [KALENeural] takes H to be an MLP (from shared/nn) plus a scalar and
// maximises the same objective with Adam, through [EnergyLoss]: the loss the
// GEBM energy trainer minimises, with the same optional gradient penalty.
// It has no RKHS penalty; the gradient penalty is its regulariser.
//
// # MMD gradient flow
//
// [MMDFlow] moves particles towards target samples along the Wasserstein
// gradient flow of ½MMD² (Arbel, Korba, Salim & Gretton, NeurIPS 2019):
// each step moves every particle by −γ∇f, f the MMD witness of the current
// particles against the targets, evaluated at the particle plus noise of
// size β_n = β₀/(n+1)^α (the paper's noise injection).
//
// # Data layout and number type
//
// A sample set is a [Samples]: a row-major n×d matrix of float64. float64 is
// the API type because every quantity computed here is a reduction (kernel
// sums over n² pairs, exponentials of energies, Cholesky factorisations whose
// conditioning grows as 1/λ) for which float32's 7 digits are not enough, and
// the sample sets are small (thousands of points): converting a float32 batch
// once with [SamplesFromFloat32] costs O(nd), negligible next to the O(n²d)
// kernel work. The one float32 entry point is [EnergyLoss], which sits in the
// neural trainer's inner loop next to float32 activations and still
// accumulates in float64.
//
// The package is pure Go (gonum for BLAS/LAPACK, shared/nn for the neural
// witness, no cgo, no OS access) and builds for js/wasm and wasip1/wasm.
// Randomness is explicit: [KALERandomFeatures] takes a *rand.Rand and
// [KALENeural] a seed.
package kale
