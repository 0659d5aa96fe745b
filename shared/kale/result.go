package kale

// Result is the outcome of a KALE solve.
type Result struct {
	// Value is the penalised objective at the returned witness f,
	//
	//	−(1/n) Σ_i f(x_i) − (1/m) Σ_j exp(−f(y_j)) + 1 − (λ/2)‖f‖²_H,
	//
	// which is ≥ 0 at the optimum (up to rounding, ~1e-16) and within Gap of
	// the optimum KALE_λ.
	Value float64
	// Penalty is (λ/2)‖f‖²_H at the returned witness, so Value + Penalty is
	// the unpenalised objective −E_X f − E_Y exp(−f) + 1 (see Objective).
	Penalty float64
	// Gap is a certified upper bound on KALE_λ − Value: the duality gap for
	// the exact solver, GradNorm²/(2λ) (strong concavity) for the random
	// feature one.
	Gap float64
	// Iterations is the number of Newton steps taken.
	Iterations int
	// Converged reports GradNorm ≤ Tol.
	Converged bool
	// GradNorm is the norm of the gradient of the penalised objective at the
	// returned witness, in the geometry of the function space solved over
	// (the RKHS norm ‖∇_f J‖_H for the exact solver, the Euclidean norm of
	// the gradient in feature weights for random features, which is the
	// same RKHS norm for the feature kernel).
	GradNorm float64
	// Lambda and Bandwidth are the penalty λ and kernel bandwidth σ used.
	Lambda, Bandwidth float64
	// Witness is the optimised f.
	Witness Witness
}
