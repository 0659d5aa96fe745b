package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// inverse64 is the float64 reference of a flow's inverse: z = f⁻¹(x) and
// Σ s over the layers (log |det ∂f/∂z| at z), from the layers' definition.
func (r *ref64) inverse64(x []float64) (z []float64, logdet float64) {
	r.effective()
	h := append([]float64(nil), x...)
	for i := len(r.spec.Layers) - 1; i >= 0; i-- {
		ls := r.spec.Layers[i]
		_, move, xa := splitParity64(h, ls.Parity)
		o, _ := r.sub[i].forward(xa)
		for b, j := range move {
			s := math.Tanh(o[b])
			h[j] = (h[j] - o[len(move)+b]) * math.Exp(-s)
			logdet += s
		}
	}
	return h, logdet
}

// nll64 is −log q(x) by the reference.
func (r *ref64) nll64(x []float64) float64 {
	z, logdet := r.inverse64(x)
	var q float64
	for _, v := range z {
		q += v * v
	}
	return 0.5*q + 0.5*float64(len(z))*math.Log(2*math.Pi) + logdet
}

func flowCases() []Spec {
	return []Spec{Coupling(2, 1, 3), Coupling(2, 4, 5), Coupling(5, 3, 4)}
}

// TestFlowInverse: Inverse(Forward(z)) = z, and the log-determinant Inverse
// reports equals log |det J| of a central-difference Jacobian of Forward.
func TestFlowInverse(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, spec := range flowCases() {
		net, err := New(spec, rng)
		if err != nil {
			t.Fatal(err)
		}
		D, n := spec.In(), 6
		z := randomBatch(rng, n, D)
		x := append([]float32(nil), net.Forward(z, n)...)
		logdet := make([]float64, n)
		back := net.Inverse(x, n, logdet)
		for k := range z {
			if math.Abs(float64(back[k]-z[k])) > 1e-5*(1+math.Abs(float64(z[k]))) {
				t.Fatalf("%v: f⁻¹(f(z))[%d] = %v, z = %v", spec.Layers, k, back[k], z[k])
			}
		}
		ref := newRef64(net)
		for i := range n {
			zi := row64(z, i, D)
			jac := make([]float64, D*D) // jac[a*D+c] = ∂x_a/∂z_c
			for c := range D {
				orig := zi[c]
				zi[c] = orig + 1e-6
				fp, _ := ref.forward(zi)
				zi[c] = orig - 1e-6
				fm, _ := ref.forward(zi)
				zi[c] = orig
				for a := range D {
					jac[a*D+c] = (fp[a] - fm[a]) / 2e-6
				}
			}
			want := logAbsDet(jac, D)
			if math.Abs(logdet[i]-want) > 1e-4*(1+math.Abs(want)) {
				t.Fatalf("%v row %d: log|det ∂f/∂z| = %v, numeric Jacobian %v", spec.Layers, i, logdet[i], want)
			}
		}
	}
}

// logAbsDet is log |det A| of a D×D matrix by Gaussian elimination with
// partial pivoting.
func logAbsDet(a []float64, D int) float64 {
	a = append([]float64(nil), a...)
	var s float64
	for c := range D {
		p := c
		for r := c + 1; r < D; r++ {
			if math.Abs(a[r*D+c]) > math.Abs(a[p*D+c]) {
				p = r
			}
		}
		for k := range D {
			a[c*D+k], a[p*D+k] = a[p*D+k], a[c*D+k]
		}
		s += math.Log(math.Abs(a[c*D+c]))
		for r := c + 1; r < D; r++ {
			f := a[r*D+c] / a[c*D+c]
			for k := c; k < D; k++ {
				a[r*D+k] -= f * a[c*D+k]
			}
		}
	}
	return s
}

// TestFlowLogDensity: LogDensity against the float64 reference, and a
// density that integrates to 1 over a grid (2-D).
func TestFlowLogDensity(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, spec := range flowCases() {
		net, _ := New(spec, rng)
		D, n := spec.In(), 7
		x := randomBatch(rng, n, D)
		got := make([]float64, n)
		net.LogDensity(x, n, got)
		ref := newRef64(net)
		for i := range n {
			if want := -ref.nll64(row64(x, i, D)); math.Abs(got[i]-want) > 1e-4*(1+math.Abs(want)) {
				t.Fatalf("%v row %d: log q = %v, reference %v", spec.Layers, i, got[i], want)
			}
		}
	}
	net, _ := New(Coupling(2, 4, 8), rng)
	const h, lim = 0.05, 8.0
	var grid []float32
	for a := -lim; a < lim; a += h {
		for b := -lim; b < lim; b += h {
			grid = append(grid, float32(a+h/2), float32(b+h/2))
		}
	}
	lq := make([]float64, len(grid)/2)
	net.LogDensity(grid, len(lq), lq)
	var mass float64
	for _, v := range lq {
		mass += math.Exp(v) * h * h
	}
	if math.Abs(mass-1) > 0.01 {
		t.Fatalf("∫ q over [-8, 8]² = %v, want 1", mass)
	}
}

// TestFlowNLLGrad: the maximum-likelihood gradient against central
// differences of the reference's negative log-likelihood.
func TestFlowNLLGrad(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, spec := range flowCases() {
		net, _ := New(spec, rng)
		D, n := spec.In(), 5
		x := randomBatch(rng, n, D)
		net.ZeroGrad()
		nll := net.NLLGrad(x, n)
		ref := newRef64(net)
		loss := func() float64 {
			var s float64
			for i := range n {
				s += ref.nll64(row64(x, i, D))
			}
			return s / float64(n)
		}
		if want := loss(); math.Abs(nll-want) > 1e-4*(1+math.Abs(want)) {
			t.Fatalf("%v: NLL %v, reference %v", spec.Layers, nll, want)
		}
		checkParams(t, fmt.Sprintf("NLL %d layers", len(spec.Layers)), net, ref, loss)
	}
}

func TestFlowSpec(t *testing.T) {
	if err := Coupling(3, 2, 4).FlowError(); err != nil {
		t.Fatal(err)
	}
	if MLP(2, []int{3}, 2, Activation(KindTanh, 0), "", false).IsFlow() {
		t.Fatal("an MLP is not a flow")
	}
	bad := []LayerSpec{
		{Kind: KindCoupling, In: 1, Out: 1, Hidden: 3},
		{Kind: KindCoupling, In: 2, Out: 3, Hidden: 3},
		{Kind: KindCoupling, In: 2, Out: 2},
		{Kind: KindCoupling, In: 2, Out: 2, Hidden: 3, Parity: 2},
		{Kind: KindCoupling, In: 2, Out: 2, Hidden: 3, SpectralNorm: true},
	}
	for _, l := range bad {
		if err := (Spec{Layers: []LayerSpec{l}}).Validate(); err == nil {
			t.Errorf("%+v: no error", l)
		}
	}
	if err := (Spec{Layers: []LayerSpec{{Kind: KindLinear, In: 2, Out: 2, Hidden: 3}}}).Validate(); err == nil {
		t.Error("linear with a hidden width: no error")
	}
	if err := Coupling(2, 2, 3).TangentError(); err == nil {
		t.Error("a flow has no tangent pass, TangentError is nil")
	}
}
