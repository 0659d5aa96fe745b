package nn

import (
	"fmt"
	"math/rand/v2"
)

// KindLinear is y = x Wᵀ + b, with In and Out from its LayerSpec and, when
// SpectralNorm is set, W/σ(W) in place of W.
const KindLinear Kind = "linear"

func init() {
	register(KindLinear, &kindDesc{
		fields: fieldSizes,
		in:     func(l LayerSpec) int { return l.In },
		check: func(i int, l LayerSpec, in int) error {
			if l.In < 1 || l.Out < 1 || l.In > MaxDim || l.Out > MaxDim {
				return fmt.Errorf("nn: layer %d: linear %d→%d: sizes must be in 1..%d", i, l.In, l.Out, MaxDim)
			}
			if i > 0 && l.In != in {
				return fmt.Errorf("nn: layer %d: linear takes %d inputs but the layer before gives %d", i, l.In, in)
			}
			return nil
		},
		out:   func(l LayerSpec, _ int) int { return l.Out },
		flops: func(l LayerSpec, _ int) int { return 2 * l.In * l.Out },
		tensors: func(i int, l LayerSpec, _ int) (params, state []TensorInfo) {
			return []TensorInfo{{paramName(i, "weight"), []int{l.Out, l.In}, true},
				{paramName(i, "bias"), []int{l.Out}, true}}, snTensors(i, l.SpectralNorm, l.Out, l.In)
		},
		build:   func(i int, l LayerSpec, _ int) layer { return newLinear(i, l) },
		example: func(in int) LayerSpec { return LayerSpec{Kind: KindLinear, In: in, Out: 3, SpectralNorm: true} },
	})
}

// linear is y = x W^T + b with W of shape [out, in]. With spectral
// normalisation the layer uses W/σ(W) instead of W, σ estimated by power
// iteration with persistent vectors u, v (Miyato et al. 2018).
type linear struct {
	in, out int
	weightMatrix
	b  *Param
	ep epilogue // forwardAct's and backwardAct's, reused (fused.go)
}

func newLinear(idx int, s LayerSpec) *linear {
	return &linear{in: s.In, out: s.Out,
		weightMatrix: newWeightMatrix(idx, s.SpectralNorm, []int{s.Out, s.In}, s.Out, s.In),
		b:            newParam(paramName(idx, "bias"), s.Out)}
}

// init draws W and b from U(-1/sqrt(in), 1/sqrt(in)) (PyTorch's default for
// linear layers). Only uniform draws are used, so the same seed gives the
// same bits on every platform.
func (l *linear) init(rng *rand.Rand) { l.initUniform(rng, l.in, l.b) }

func (l *linear) forward(g Gemm, x, y []float32, n int) {
	g.Sgemm(false, true, n, l.out, l.in, 1, x, l.in, l.weight(), l.in, 0, y, l.out)
	b := l.b.Value
	for i := 0; i < n; i++ {
		row := y[i*l.out : (i+1)*l.out]
		for j := range row {
			row[j] += b[j]
		}
	}
}

func (l *linear) backward(g Gemm, x, _, dy, dx []float32, n int, params bool) {
	if dx != nil {
		g.Sgemm(false, false, n, l.in, l.out, 1, dy, l.out, l.weight(), l.in, 0, dx, l.in)
	}
	if params {
		g.Sgemm(true, false, l.out, l.in, n, 1, dy, l.out, x, l.in, 1, l.weightGrad(), l.in)
		addColumnSums(l.b.Grad, dy, n, l.out)
	}
}

func (l *linear) tangent(g Gemm, _, _, rx, ry []float32, n int) {
	g.Sgemm(false, true, n, l.out, l.in, 1, rx, l.in, l.weight(), l.in, 0, ry, l.out)
}

// backwardTangent: dx = dy W is linear in dy and does not depend on x, so
// rdx = rdy W; the weight gradient dy^T x has tangent rdy^T x + dy^T rx.
func (l *linear) backwardTangent(g Gemm, x, _, rx, dy, rdy, rdx []float32, n int) {
	if rdx != nil {
		g.Sgemm(false, false, n, l.in, l.out, 1, rdy, l.out, l.weight(), l.in, 0, rdx, l.in)
	}
	gw := l.weightGrad()
	g.Sgemm(true, false, l.out, l.in, n, 1, rdy, l.out, x, l.in, 1, gw, l.in)
	g.Sgemm(true, false, l.out, l.in, n, 1, dy, l.out, rx, l.in, 1, gw, l.in)
	addColumnSums(l.b.Grad, rdy, n, l.out)
}

// backwardTangentZero: with rdy = 0, rdx = 0 and the weight gradient's
// tangent is dy^T rx alone (zeroTangentLayer).
func (l *linear) backwardTangentZero(g Gemm, _, _, rx, dy, _ []float32, n int) bool {
	g.Sgemm(true, false, l.out, l.in, n, 1, dy, l.out, rx, l.in, 1, l.weightGrad(), l.in)
	return true
}

func (l *linear) params() []*Param { return []*Param{l.w, l.b} }

// addColumnSums adds the column sums of the n×cols matrix m into dst.
func addColumnSums(dst, m []float32, n, cols int) {
	for i := 0; i < n; i++ {
		row := m[i*cols : (i+1)*cols]
		for j, v := range row {
			dst[j] += v
		}
	}
}
