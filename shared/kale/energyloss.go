package kale

import "math"

// EnergyLoss computes the KALE loss of an energy, the quantity the GEBM
// energy trainer minimises over the energy E and the scalar A:
//
//	L = (1/n) Σ_i (e_p[i] + A) + (1/m) Σ_j exp(−(e_q[j] + A)) − 1,
//
// where e_p = E(x_i) on data and e_q = E(B(z_j)) on base samples. −L is the
// KALE objective of f = E + A (see KALE), so −L ≤ KL(P‖Q) in expectation
// and max over E, A of −L is the neural KALE estimate. It writes the
// gradients
//
//	gp[i] = ∂L/∂e_p[i] = 1/n,
//	gq[j] = ∂L/∂e_q[j] = −exp(−(e_q[j] + A))/m,
//
// into the caller's buffers (len(gp) = len(ep), len(gq) = len(eq)) and
// returns L and dA = ∂L/∂A = 1 − (1/m) Σ_j exp(−(e_q[j] + A)).
//
// Everything is accumulated in float64. The mean of the exponentials is
// computed as exp(log-mean-exp) with a max shift, so it is finite whenever
// the true mean is representable in float64 (float32 energies alone would
// overflow exp past 88). Each gq[j] is computed as −exp(−(e_q[j]+A) − log m)
// in float64 and, when its magnitude exceeds the float32 range, saturated to
// −math.MaxFloat32 rather than becoming −Inf, so that an optimiser fed a
// huge gradient does not turn it into NaN; L and dA are not clamped (+Inf
// and −Inf respectively in that regime). NaN inputs propagate to L, dA and
// the affected gradients.
//
// EnergyLoss panics if ep or eq is empty or a buffer has the wrong length:
// these are programming errors inside the trainer, not user input.
func EnergyLoss(ep, eq []float32, a float64, gp, gq []float32) (loss, dA float64) {
	n, m := len(ep), len(eq)
	if n == 0 || m == 0 {
		panic("kale: EnergyLoss: empty energy batch")
	}
	if len(gp) != n || len(gq) != m {
		panic("kale: EnergyLoss: gradient buffer length mismatch")
	}
	var sp float64
	for _, v := range ep {
		sp += float64(v)
	}
	invN := float32(1 / float64(n))
	for i := range gp {
		gp[i] = invN
	}
	meanExp := math.Exp(logMeanExpNeg32(eq, a))
	logM := math.Log(float64(m))
	for j, v := range eq {
		g := -math.Exp(-(float64(v) + a) - logM)
		if g < -math.MaxFloat32 {
			g = -math.MaxFloat32
		}
		gq[j] = float32(g)
	}
	return sp/float64(n) + a + meanExp - 1, 1 - meanExp
}

// OptimalA returns the A that minimises EnergyLoss for fixed energies,
//
//	A* = log( (1/m) Σ_j exp(−e_q[j]) ),
//
// the Monte-Carlo estimate of log Z = log E_Q[exp(−E)] that the reference
// trainer uses to initialise A, and the base trainer's Â. At A*, dA = 0 and
// L = (1/n) Σ_i e_p[i] + A*, i.e. −L is the Donsker–Varadhan bound of the
// energy (see DonskerVaradhan). It is computed in float64 with a max shift,
// and panics on an empty eq.
func OptimalA(eq []float32) float64 {
	if len(eq) == 0 {
		panic("kale: OptimalA: empty energy batch")
	}
	return logMeanExpNeg32(eq, 0)
}

// logMeanExpNeg32 returns log((1/len(v)) Σ_j exp(−(v_j + a))) in float64,
// shifted by the smallest exponent so that no term overflows.
func logMeanExpNeg32(v []float32, a float64) float64 {
	zmin := math.Inf(1)
	for _, e := range v {
		zmin = min(zmin, float64(e)+a)
	}
	if math.IsInf(zmin, 0) {
		return -zmin // some −Inf: +Inf; all +Inf: −Inf
	}
	var s float64
	for _, e := range v {
		s += math.Exp(zmin - (float64(e) + a))
	}
	return -zmin + math.Log(s/float64(len(v)))
}
