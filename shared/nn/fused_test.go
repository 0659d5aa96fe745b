package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// TestFusedMatchesLayers: Network's passes, which run each linear layer and
// the activation after it as one product with an epilogue (fused.go), give
// the bits of the layers run one after the other: outputs, every layer's
// input (the activations' inputs kept for the backward pass included), every
// gradient buffer and the parameter gradients, with and without the input
// gradient. Natively the epilogue is the Go pass; in a -tags wasmsimd build
// it is the SIMD128 kernel's, against the kernel's plain products.
func TestFusedMatchesLayers(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	fused := 0
	for trial := range 40 {
		spec := randomSpec(rng, 1+rng.IntN(3), trial%2 == 0)
		if trial%5 == 0 { // wide enough for the kernel's blocks and leftovers
			spec = Spec{Layers: []LayerSpec{{Kind: KindLinear, In: 37, Out: 300}, {Kind: KindTanh},
				{Kind: KindLinear, In: 300, Out: 19}, {Kind: KindLeakyReLU, Slope: 0.2},
				{Kind: KindLinear, In: 19, Out: 9}, {Kind: KindFloor, Floor: -0.1}, {Kind: KindLinear, In: 9, Out: 1}}}
		}
		net, err := New(spec, rng)
		if err != nil {
			t.Fatal(err)
		}
		for l := range net.layers {
			if lin, _ := fusedPair(net.layers, l); lin != nil {
				fused++
			}
		}
		n := 1 + rng.IntN(9)
		x, dy := randomBatch(rng, n, net.In()), randomBatch(rng, n, net.Out())
		for _, input := range []bool{true, false} {
			what := fmt.Sprintf("trial %d (%v), input gradient %v", trial, spec, input)
			net.ZeroGrad()
			net.reserve(n)
			for l := range net.h {
				if l > 0 {
					fill(net.h[l], float32(math.NaN()))
				}
				fill(net.dh[l], float32(math.NaN()))
			}
			net.Forward(x, n)
			net.backward(dy, true, input)
			got := snapshot(net, input)

			// The layers one by one, on the same buffers.
			net.ZeroGrad()
			net.reserve(n)
			net.h[0] = x[:n*net.In()]
			for l, ly := range net.layers {
				fill(net.h[l+1], float32(math.NaN()))
				ly.forward(net.gemm, net.h[l], net.h[l+1], n)
			}
			L := len(net.layers)
			copy(net.dh[L], dy)
			for l := L - 1; l >= 0; l-- {
				dx := net.dh[l]
				if l == 0 && !input {
					dx = nil
				}
				fill(dx, float32(math.NaN()))
				net.layers[l].backward(net.gemm, net.h[l], net.h[l+1], net.dh[l+1], dx, n, true)
			}
			want := snapshot(net, input)
			for i := range want {
				if !sameBits(got[i], want[i]) {
					t.Fatalf("%s: value %d of the passes' buffers: fused %v, layer by layer %v", what, i, got[i], want[i])
				}
			}
		}
	}
	if fused == 0 {
		t.Fatal("no linear layer with a fused activation in the trials")
	}
}

// snapshot copies every buffer a pass writes: h[1:], dh (dh[0] only with
// input) and the parameter gradients.
func snapshot(net *Network, input bool) []float32 {
	var s []float32
	for l := 1; l < len(net.h); l++ {
		s = append(s, net.h[l]...)
	}
	for l, d := range net.dh {
		if l > 0 || input {
			s = append(s, d...)
		}
	}
	for _, p := range net.params {
		s = append(s, p.Grad...)
	}
	return s
}

func fill(x []float32, v float32) {
	for i := range x {
		x[i] = v
	}
}

func sameBits(a, b float32) bool {
	return math.Float32bits(a) == math.Float32bits(b) || (a != a && b != b)
}
