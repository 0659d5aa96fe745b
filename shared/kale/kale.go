package kale

import (
	"math"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/lapack/lapack64"
)

// KALE computes the penalised RKHS KALE ("KALE smoothie") between the
// samples x ~ P (n×d) and y ~ Q (m×d):
//
//	KALE_λ = max_{f ∈ H}  J(f),
//	J(f)   = −(1/n) Σ_i f(x_i) − (1/m) Σ_j exp(−f(y_j)) + 1 − (λ/2)‖f‖²_H,
//
// with H the RKHS of k(x,y) = exp(−‖x−y‖²/(2σ²)). Note the factor λ/2 on the
// squared norm. J is λ-strongly concave, so the maximiser f* is unique.
//
// # The primal and why it is not solved directly
//
// By the representer theorem f = Σ_k α_k k(·, u_k) over the N = n+m pooled
// points; then f(u) = Kα, ‖f‖² = αᵀKα, and J is concave in α with gradient
// K(g − λα) and Hessian −(K W K + λK) (g the loss gradient, W the diagonal
// of the exp terms). Newton on α solves an N×N system whose matrix inherits
// the Gaussian Gram matrix's condition number (numerically singular as soon
// as points are close), squared; it needs jitter, which perturbs the answer.
//
// # The dual, which is solved
//
// Writing exp(−t) = max_{s≥0} −st − (s log s − s) and exchanging max and min
// (the problem is concave–convex, strong duality holds) gives
//
//	KALE_λ = min_{s ∈ R^m, s > 0}  D(s),
//	D(s)   = (1/m) Σ_j (s_j log s_j − s_j) + 1 + (1/(2λ)) ‖μ_P − ν_s‖²_H,
//
// with μ_P = (1/n) Σ_i k(·,x_i) and ν_s = (1/m) Σ_j s_j k(·,y_j), and the
// primal solution is recovered as
//
//	f_s = −(μ_P − ν_s)/λ = −(1/(λn)) Σ_i k(·,x_i) + (1/(λm)) Σ_j s_j k(·,y_j),
//
// so the x-coefficients are fixed at −1/(λn) and only the m weights s are
// unknown. At the optimum s_j = exp(−f(y_j)): the weights are the density
// ratio dP/dQ estimated at the Q samples. The dual is solved because
//
//   - it has m unknowns instead of n+m;
//   - its Hessian, (1/m)(diag(1/s) + K_YY/(λm)), is symmetric positive
//     definite for every s > 0 even when K_YY is singular to working
//     precision: no jitter, Cholesky always succeeds;
//   - ∇D_j = (log s_j + f_s(y_j))/m is cheap and the optimality condition
//     s_j = exp(−f_s(y_j)) is explicit.
//
// Newton steps Δ = −H⁻¹∇D are damped by a fraction-to-the-boundary rule
// (s stays > 0) and an Armijo backtracking line search; the change in D
// along Δ is evaluated in closed form (no cancellation between two large
// values of D).
//
// # Convergence and certificates
//
// At f_s the gradient of the primal objective in H is
// ∇_f J = (1/m) Σ_j (exp(−f_s(y_j)) − s_j) k(·,y_j); Result.GradNorm is its
// RKHS norm, and the solver stops when it is ≤ Tol. Result.Value is the primal
// value J(f_s) (an achieved value, so a valid lower estimate of KALE_λ) and
// Result.Gap = D(s) − J(f_s) = (1/m) Σ_j [s_j log s_j + s_j f_j − s_j + e^{−f_j}]
// ≥ 0 (Fenchel–Young, term by term) bounds how far below KALE_λ it can be.
//
// # Cost
//
// Setting up costs O((n+m)² d) kernel evaluations (‖μ_P‖² needs all n² pairs
// of X, μ_P(y_j) the n·m cross pairs, K_YY the m² pairs). Each Newton step
// costs one m×m Cholesky factorisation, O(m³/3), plus O(m²); with n = m the
// total time grows as O(m³) per step, 8× per doubling for large m (the naive
// primal in α would cost O((n+m)³), 8× more). Memory is one m×m matrix (K_YY
// in the strict lower triangle, the Newton matrix in the upper one) plus
// the witness's copy of the n+m points: O(m² + (n+m)d). Typical runs take
// 2–8 Newton steps.
//
// The returned Witness is a *KernelWitness over the pooled points X then Y.
// Inputs are checked with Options.Validate; a returned error wraps one of the
// package's Err values. Hitting MaxIter is not an error: Converged is false.
func KALE(x, y Samples, opts Options) (Result, error) {
	if err := opts.Validate(x, y); err != nil {
		return Result{}, err
	}
	return solveKALE(x, y, nil, opts)
}

// WeightedKALE is KALE with Q the weighted empirical measure
// Σ_j q_j δ_{y_j}, q_j = w_j / Σ_k w_k, in place of (1/m) Σ_j δ_{y_j}:
//
//	J(f) = −(1/n) Σ_i f(x_i) − Σ_j q_j exp(−f(y_j)) + 1 − (λ/2)‖f‖²_H.
//
// It is the KALE of the data against a model represented by importance-
// weighted samples (the GEBM at β = 1 as its generator's samples weighted by
// exp(−E)): on the same y, WeightedKALE − KALE is the effect of the weights
// alone, without the noise of two independent sample sets. The weights must
// be finite and ≥ 0 with a positive sum; points of weight 0 are left out
// (they carry no mass). Equal weights give KALE's result bit for bit, and
// integer weights the KALE of y with each point repeated w_j times.
//
// With c_j = m q_j the dual and its Newton system are KALE's with
// D(s) = (1/m) Σ_j c_j (s_j log s_j − s_j) + 1 + (1/(2λ))‖μ_P − ν_s‖²_H,
// ν_s = (1/m) Σ_j c_j s_j k(·,y_j), and m·∇²D = diag(c/s) + (ccᵀ ∘ K)/(λm):
// still symmetric positive definite for s > 0, c > 0.
func WeightedKALE(x, y Samples, w []float64, opts Options) (Result, error) {
	if err := opts.Validate(x, y); err != nil {
		return Result{}, err
	}
	q, _, err := MassFractions(w, y.Rows)
	if err != nil {
		return Result{}, err
	}
	kept := Samples{Cols: y.Cols}
	var mass []float64
	for j, v := range q {
		if v > 0 {
			kept.Data = append(kept.Data, y.Row(j)...)
			kept.Rows++
			mass = append(mass, v)
		}
	}
	fm := float64(kept.Rows)
	for j := range mass {
		mass[j] *= fm
	}
	return solveKALE(x, kept, mass, opts)
}

// solveKALE solves KALE's dual for valid inputs, with the mass of y_j scaled
// by c_j (Σ c_j = m; nil means every c_j = 1, KALE itself). Every c_j enters
// as a factor, so c_j = 1 leaves KALE's arithmetic unchanged to the bit.
func solveKALE(x, y Samples, mass []float64, opts Options) (Result, error) {
	o := opts.resolve()
	sigma := o.bandwidth(x, y)
	lam := o.Lambda
	n, m := x.Rows, y.Rows
	fm := float64(m)

	// ‖μ_P‖² and μ_P(y_j).
	muNorm := symKernelSum(x, sigma, true) / (float64(n) * float64(n))
	muY := make([]float64, m)
	kernelMeanAt(muY, x, y, sigma)

	// a holds K_YY strictly below the diagonal (its diagonal is 1) and the
	// Newton matrix on and above it.
	a := make([]float64, m*m)
	c := -1 / (2 * sigma * sigma)
	for i := range m {
		yi := y.Row(i)
		for j := range i {
			a[i*m+j] = math.Exp(c * sqDist(yi, y.Row(j)))
		}
	}
	kmul := func(dst, v []float64) { lowerUnitSymv(dst, a, m, v) }

	if mass == nil {
		mass = make([]float64, m)
		for j := range mass {
			mass[j] = 1
		}
	}
	s := make([]float64, m)
	for j := range s {
		s[j] = 1
	}
	cs := make([]float64, m)   // c ∘ s
	ks := make([]float64, m)   // K (c ∘ s)
	f := make([]float64, m)    // f_s(y_j)
	g := make([]float64, m)    // m ∇D / c
	r := make([]float64, m)    // c ∘ (exp(−f) − s)
	kr := make([]float64, m)   // K r
	step := make([]float64, m) // Newton direction Δ
	cstep := make([]float64, m)
	kstep := make([]float64, m) // K (c ∘ Δ)

	res := Result{Lambda: lam, Bandwidth: sigma}
	// evaluate fills ks, f, g, r and returns ‖∇_f J‖_H.
	evaluate := func() float64 {
		for j := range m {
			cs[j] = mass[j] * s[j]
		}
		kmul(ks, cs)
		for j := range m {
			f[j] = (ks[j]/fm - muY[j]) / lam
			g[j] = math.Log(s[j]) + f[j]
			r[j] = mass[j] * (math.Exp(-f[j]) - s[j])
		}
		kmul(kr, r)
		return math.Sqrt(max(dot(r, kr), 0)) / fm
	}
	for {
		res.GradNorm = evaluate()
		if res.GradNorm <= o.Tol {
			res.Converged = true
			break
		}
		if res.Iterations >= o.MaxIter {
			break
		}
		// Newton matrix m·∇²D = diag(c/s) + (ccᵀ ∘ K)/(λm), upper triangle.
		for i := range m {
			a[i*m+i] = mass[i]/s[i] + mass[i]*mass[i]/(lam*fm)
			for j := i + 1; j < m; j++ {
				a[i*m+j] = mass[i] * mass[j] * a[j*m+i] / (lam * fm)
			}
		}
		t, ok := lapack64.Potrf(blas64.Symmetric{Uplo: blas.Upper, N: m, Data: a, Stride: m})
		if !ok {
			break // cannot happen for s > 0 short of overflow; stop unconverged
		}
		for j := range m {
			step[j] = -(mass[j] * g[j])
		}
		lapack64.Potrs(t, blas64.General{Rows: m, Cols: 1, Data: step, Stride: 1})
		for j := range m {
			cstep[j] = mass[j] * step[j]
		}
		kmul(kstep, cstep)

		// Fraction to the boundary: keep s + tΔ > 0.
		tmax := 1.0
		for j, d := range step {
			if d < 0 {
				tmax = min(tmax, -0.99*s[j]/d)
			}
		}
		// m·(D(s+tΔ) − D(s)) = Σ_j c_j [φ(s_j+tΔ_j) − φ(s_j)] + t Σ_j c_j Δ_j f_j
		//                      + t² (c∘Δ)ᵀK(c∘Δ)/(2λm),  φ(u) = u log u − u.
		slope := dot(g, cstep) // m · directional derivative, < 0
		lin, quad := dot(cstep, f), dot(cstep, kstep)/(2*lam*fm)
		accepted := false
		for tt := tmax; tt > 1e-12; tt /= 2 {
			var ent float64
			for j, d := range step {
				u := s[j] + tt*d
				ent += mass[j] * (u*math.Log(u) - u - (s[j]*math.Log(s[j]) - s[j]))
			}
			if ent+tt*lin+tt*tt*quad <= 1e-4*tt*slope {
				for j, d := range step {
					s[j] += tt * d
				}
				accepted = true
				break
			}
		}
		res.Iterations++
		if !accepted {
			// No decrease representable in float64: we are at the optimum
			// to working precision. Re-evaluate and stop.
			res.GradNorm = evaluate()
			res.Converged = res.GradNorm <= o.Tol
			break
		}
	}

	// Value, penalty and duality gap from the final s (ks, f, r are current).
	nuNorm := dot(cs, ks) / (fm * fm) // ‖ν_s‖²
	cross := dot(cs, muY) / fm        // ⟨μ_P, ν_s⟩
	var meanExp, gap float64
	for j := range m {
		e := math.Exp(-f[j])
		meanExp += mass[j] * e
		gap += mass[j] * (s[j]*math.Log(s[j]) + s[j]*f[j] - s[j] + e)
	}
	meanExp /= fm
	res.Value = (muNorm-nuNorm)/(2*lam) - meanExp + 1
	res.Penalty = max(muNorm-2*cross+nuNorm, 0) / (2 * lam)
	res.Gap = max(gap/fm, 0)

	// Witness over the pooled points.
	d := x.Cols
	pooled := Samples{Data: make([]float64, 0, (n+m)*d), Rows: n + m, Cols: d}
	pooled.Data = append(append(pooled.Data, x.Data...), y.Data...)
	coef := make([]float64, n+m)
	for i := range n {
		coef[i] = -1 / (lam * float64(n))
	}
	for j := range m {
		coef[n+j] = cs[j] / (lam * fm)
	}
	res.Witness = NewKernelWitness(pooled, coef, sigma)
	return res, nil
}

// lowerUnitSymv sets dst = K v for the symmetric m×m matrix K with unit
// diagonal whose strict lower triangle is stored row-major in a (stride m);
// the diagonal and upper triangle of a are not read.
func lowerUnitSymv(dst, a []float64, m int, v []float64) {
	copy(dst, v)
	impl := blas64.Implementation()
	for i := 1; i < m; i++ {
		row := a[i*m : i*m+i]
		dst[i] += impl.Ddot(i, row, 1, v, 1)
		impl.Daxpy(i, v[i], row, 1, dst, 1)
	}
}

// dot returns Σ a_i b_i.
func dot(a, b []float64) float64 {
	return blas64.Implementation().Ddot(len(a), a, 1, b, 1)
}
