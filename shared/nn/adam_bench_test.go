package nn

import "testing"

// BenchmarkAdamUpdate times one Adam update of the MNIST energy's and
// base's parameter counts (about 1.08 million float32 values).
func BenchmarkAdamUpdate(b *testing.B) {
	var ps []*Param
	for _, n := range []int{784 * 512, 512, 512 * 256, 256, 256, 1, 64 * 256, 256, 256 * 512, 512, 512 * 784, 784} {
		p := newParam("p", n)
		for i := range p.Value {
			p.Value[i] = float32(i%7) * 0.1
			p.Grad[i] = float32(i%5)*0.01 - 0.02
		}
		ps = append(ps, p)
	}
	a := NewAdam(ps, 1e-4, 0.5, 0.999, 1e-8)
	b.ResetTimer()
	for range b.N {
		a.Update()
	}
}
