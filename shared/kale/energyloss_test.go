package kale

import (
	"math"
	"math/rand/v2"
	"testing"
)

// lossRef is L = mean(ep + a) + mean(exp(−(eq + a))) − 1 written plainly in
// float64, for finite differences.
func lossRef(ep, eq []float64, a float64) float64 {
	var s, e float64
	for _, v := range ep {
		s += v + a
	}
	for _, v := range eq {
		e += math.Exp(-(v + a))
	}
	return s/float64(len(ep)) + e/float64(len(eq)) - 1
}

// TestEnergyLossGradients checks L, gp, gq and dA against a plain float64
// reference and central finite differences (h = 1e-4 on the float64
// reference, relative tolerance 1e-6; gradients are float32, so they are
// compared to 1e-6 relative as well).
func TestEnergyLossGradients(t *testing.T) {
	rng := rand.New(rand.NewPCG(14, 14))
	const n, m = 7, 5
	ep, eq := make([]float32, n), make([]float32, m)
	ep64, eq64 := make([]float64, n), make([]float64, m)
	for i := range ep {
		ep[i] = float32(rng.NormFloat64())
		ep64[i] = float64(ep[i])
	}
	for j := range eq {
		eq[j] = float32(2 * rng.NormFloat64())
		eq64[j] = float64(eq[j])
	}
	a := 0.37
	gp, gq := make([]float32, n), make([]float32, m)
	loss, dA := EnergyLoss(ep, eq, a, gp, gq)
	if want := lossRef(ep64, eq64, a); math.Abs(loss-want) > 1e-12*math.Abs(want) {
		t.Errorf("L = %.15g, want %.15g", loss, want)
	}
	const h = 1e-4
	check := func(name string, got float64, v *float64, ref func() float64) {
		t.Helper()
		old := *v
		*v = old + h
		up := ref()
		*v = old - h
		down := ref()
		*v = old
		fd := (up - down) / (2 * h)
		if math.Abs(got-fd) > 1e-6*max(1, math.Abs(fd)) {
			t.Errorf("%s = %.9g, finite difference %.9g", name, got, fd)
		}
	}
	ref := func() float64 { return lossRef(ep64, eq64, a) }
	for i := range ep64 {
		check("gp", float64(gp[i]), &ep64[i], ref)
	}
	for j := range eq64 {
		check("gq", float64(gq[j]), &eq64[j], ref)
	}
	check("dA", dA, &a, ref)
}

// TestEnergyLossStable:
//   - energies whose exponentials overflow float32 (e^{100}) give the exact
//     finite L and dA, and float32 gradients that saturate at −MaxFloat32
//     instead of −Inf;
//   - four terms e^{708.875}, whose plain sum (≈ 2.9e308) overflows float64
//     but whose mean (≈ 7.2e307) does not, give the finite mean
//     (max-shifted sum);
//   - a mean that overflows float64 gives L = +Inf, dA = −Inf and finite
//     (saturated) gradients;
//   - huge positive energies give exp terms of 0, not NaN.
func TestEnergyLossStable(t *testing.T) {
	gp, gq := make([]float32, 1), make([]float32, 3)
	loss, dA := EnergyLoss([]float32{0}, []float32{-100, -101, 50}, 0, gp, gq)
	want := (math.Exp(100) + math.Exp(101) + math.Exp(-50)) / 3
	if math.Abs(loss-(want-1)) > 1e-12*want || math.Abs(dA-(1-want)) > 1e-12*want {
		t.Errorf("L = %v, dA = %v, want %v, %v", loss, dA, want-1, 1-want)
	}
	if gq[0] != -math.MaxFloat32 || gq[1] != -math.MaxFloat32 || gq[2] != float32(-math.Exp(-50)/3) {
		t.Errorf("gq = %v", gq)
	}
	big := make([]float32, 4)
	for j := range big {
		big[j] = -708.875
	}
	loss, _ = EnergyLoss([]float32{0}, big, 0, gp, make([]float32, 4))
	if want := math.Exp(708.875); math.IsInf(loss, 0) || math.Abs(loss-want)/want > 1e-12 {
		t.Errorf("L = %v, want %v", loss, want)
	}
	loss, dA = EnergyLoss([]float32{0}, []float32{-1000}, 0, gp, gq[:1])
	if !math.IsInf(loss, 1) || !math.IsInf(dA, -1) || gq[0] != -math.MaxFloat32 {
		t.Errorf("overflowing mean: L = %v, dA = %v, gq = %v", loss, dA, gq[0])
	}
	loss, dA = EnergyLoss([]float32{1}, []float32{1e30, 1e30}, 0, gp, gq[:2])
	if loss != 0 || dA != 1 || gq[0] != 0 {
		t.Errorf("huge energies: L = %v, dA = %v, gq = %v", loss, dA, gq[:2])
	}
}

// TestOptimalA: at A* = log mean exp(−e_q) the A-gradient vanishes (to
// 1e-12) and L = mean(e_p) + A*, the negated Donsker–Varadhan value.
func TestOptimalA(t *testing.T) {
	ep := []float32{0.5, -1, 2}
	eq := []float32{3, -0.25, 1, 40}
	a := OptimalA(eq)
	gp, gq := make([]float32, 3), make([]float32, 4)
	loss, dA := EnergyLoss(ep, eq, a, gp, gq)
	if math.Abs(dA) > 1e-12 || math.Abs(loss-(0.5+a)) > 1e-12 {
		t.Errorf("A* = %v: L = %v (want %v), dA = %v", a, loss, 0.5+a, dA)
	}
	if got := OptimalA([]float32{-2000, 5}); math.Abs(got-(2000-math.Ln2)) > 1e-9 {
		t.Errorf("OptimalA(−2000, 5) = %v, want %v", got, 2000-math.Ln2)
	}
}
