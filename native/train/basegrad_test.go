package train

import (
	core "github.com/gebm/gebm/shared/train"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gebm/gebm/shared/kale"
	"github.com/gebm/gebm/shared/model"
)

// TestBaseGradientMatchesFiniteDifferences: the gradient the CPU backend's
// base step hands to Adam is the gradient of the base loss
// L_B(θ) = −Â(θ) = −(logsumexp_i(−E(B_θ(z_i))) − log N) (the −mean E(x)
// term does not depend on θ), checked by central differences of L_B
// computed independently through model.Generate and model.Energies: along
// the gradient itself (the directional derivative must be |g|², which a
// wrong sign, unnormalised or stale weights, or weights of another batch
// would break) and for the largest entries one by one. With --base-tilt γ
// the loss is −(1/γ) log mean_i exp(−γ E(B(z_i))), and mean_i E(B(z_i))
// for γ = 0.
func TestBaseGradientMatchesFiniteDifferences(t *testing.T) {
	for _, c := range []struct{ floor, tilt float64 }{{0, 1}, {-1, 1}, {0, 0}, {0, 0.3}, {-1, 2}} {
		floor, tilt := c.floor, c.tilt
		o := small(t, 1)
		o.Batch = 16
		o.EnergyFloor = floor
		o.BaseTilt = tilt
		tr, err := New(o)
		if err != nil {
			t.Fatal(err)
		}
		cb, ok := tr.core.Back.(*core.CPU)
		if !ok {
			t.Fatalf("backend %T", tr.core.Back)
		}
		m := tr.Model
		B := o.Batch
		// A steeper energy than at initialisation, so that the weights
		// w = softmax(−E) are far from uniform.
		ep := m.Energy.Params()
		for _, v := range [][]float32{ep[len(ep)-2].Value, ep[len(ep)-1].Value} {
			for i := range v {
				v[i] *= 200
			}
		}
		z := make([]float32, B*m.Latent())
		model.SampleLatents(rand.New(rand.NewPCG(7, 7)), z)
		lossB := func() float64 {
			e := m.Energies(m.Generate(z, B, nil), B, nil)
			if tilt == 0 {
				var s float64
				for _, v := range e {
					s += float64(v)
				}
				return s / float64(B)
			}
			for i := range e {
				e[i] *= float32(tilt)
			}
			return -kale.OptimalA(e) / tilt
		}
		params := m.Base.Params()
		before := make([][]float32, len(params))
		for k, p := range params {
			before[k] = append([]float32(nil), p.Value...)
		}
		// lrScale 0: Adam steps by 0, so the weights stay where the gradient was taken.
		st, err := cb.BaseStep(z, 0)
		if err != nil {
			t.Fatal(err)
		}
		if st.ESS > 0.7*float64(B) {
			t.Fatalf("floor %v, tilt %v: ESS %v of %d: the weights are nearly uniform, the test would not see them", floor, tilt, st.ESS, B)
		}
		var g2 float64
		for k, p := range params {
			for i, v := range p.Value {
				if v != before[k][i] {
					t.Fatalf("BaseStep with lrScale 0 changed %s[%d]", p.Name, i)
				}
				g2 += float64(p.Grad[i]) * float64(p.Grad[i])
			}
		}
		if g2 == 0 {
			t.Fatal("zero base gradient")
		}
		// Directional derivative along g: (L(θ+hĝ) − L(θ−hĝ))/2h ≈ |g|.
		gn := math.Sqrt(g2)
		shift := func(s float64) {
			for k, p := range params {
				for i := range p.Value {
					p.Value[i] = before[k][i] + float32(s*float64(p.Grad[i])/gn)
				}
			}
		}
		h := 1e-2
		shift(h)
		lp := lossB()
		shift(-h)
		lm := lossB()
		shift(0)
		if fd := (lp - lm) / (2 * h); math.Abs(fd-gn) > 0.05*gn {
			t.Errorf("floor %v, tilt %v: directional derivative along the gradient %v, want |g| = %v", floor, tilt, fd, gn)
		}
		// The largest entries, one by one.
		type entry struct{ k, i int }
		var big []entry
		for k, p := range params {
			for i, g := range p.Grad {
				if math.Abs(float64(g)) > 0.3*gn/math.Sqrt(float64(len(params))) {
					big = append(big, entry{k, i})
				}
			}
		}
		if len(big) == 0 {
			t.Fatal("no large gradient entry")
		}
		for n, e := range big {
			if n == 20 {
				break
			}
			p := params[e.k]
			v := p.Value[e.i]
			// Small steps, two of them: a step that crosses a ReLU's kink
			// (the base's or the energy's) spoils its difference.
			g, best := float64(p.Grad[e.i]), math.Inf(1)
			var fds []float64
			for _, h := range []float64{5e-4, 2e-4} {
				p.Value[e.i] = v + float32(h)
				lp := lossB()
				p.Value[e.i] = v - float32(h)
				lm := lossB()
				p.Value[e.i] = v
				fd := (lp - lm) / (2 * h)
				fds = append(fds, fd)
				best = math.Min(best, math.Abs(fd-g))
			}
			if best > 0.03*math.Abs(g)+1e-3 {
				t.Errorf("floor %v, tilt %v: ∂L_B/∂%s[%d] = %v by differences, the base step has %v", floor, tilt, p.Name, e.i, fds, g)
			}
		}
	}
}
