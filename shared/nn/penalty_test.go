package nn

import (
	"math/rand/v2"
	"testing"
)

// productCounter counts the matrix products a network asks for.
type productCounter struct {
	Gemm
	n int
}

func (c *productCounter) Sgemm(tA, tB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, cc []float32, ldc int) {
	c.n++
	c.Gemm.Sgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, cc, ldc)
}

// TestGradPenaltySkipsZeroTangentProducts: for an energy of linear layers and
// piecewise-linear activations the output gradient's tangent stays zero
// down to the input, so GradPenalty asks for four products per linear layer
// (forward, input gradient, tangent, one weight-gradient tangent), not six;
// with tanh hidden activations (σ” ≠ 0) the tangent is not zero below the
// last hidden layer and the other products come back. The values are
// checked against finite differences by TestGradPenaltyGradient; this test
// guards the cost, which a lost shortcut would silently double.
func TestGradPenaltySkipsZeroTangentProducts(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, c := range []struct {
		act  LayerSpec
		want int
	}{
		{Activation(KindLeakyReLU, 0.2), 4 * 3},
		{Activation(KindReLU, 0), 4 * 3},
		// tanh: the last linear layer as above; the two below it add rdx
		// (the one above the input layer only) and rdy^T x.
		{Activation(KindTanh, 0), 4*3 + 1 + 2},
	} {
		net, err := New(MLP(7, []int{9, 5}, 1, c.act, "", true), rng)
		if err != nil {
			t.Fatal(err)
		}
		counter := &productCounter{Gemm: TiledGemm{}}
		net.SetGemm(counter)
		net.GradPenalty(randomBatch(rng, 6, 7), 6, 1)
		if counter.n != c.want {
			t.Errorf("%s energy: GradPenalty made %d products, want %d", c.act.Kind, counter.n, c.want)
		}
	}
}
