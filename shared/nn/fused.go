package nn

import "fmt"

// A linear layer followed by an elementwise activation is run as one step
// (Network.Forward and Network.Backward): the bias and the activation, or in
// the backward pass the activation's derivative, are applied to each
// product as it is stored. The SIMD128 kernel (wasm/simd/src/gemm.c) does
// that in its epilogue, while each block of the product is in the L1 cache;
// any other Gemm does the product, then one pass of the Go loops below over
// its rows. Both compute the same values bit for bit as the two layers run
// one after the other: the same float32 (and, for tanh, float64) operations
// in the same order, defined once here and in activation.go (leaky,
// leakyDeriv, Tanh32, tanhDeriv, floorDeriv), which the kernel mirrors;
// TestEpilogueMatchesGo checks kernel against Go.

// Epilogue kinds, as the kernel numbers them (EP_* in gemm.c).
const (
	epNone  int32 = 0
	epLeaky int32 = 1 // leakyrelu and relu (slope 0)
	epTanh  int32 = 2
	epFloor int32 = 3
)

// tanhCoef holds Tanh32's clamp and coefficients in the order the kernel
// reads them (struct epilogue's coef): clamp, P1..P6, Q1..Q3.
var tanhCoef = [10]float64{tanhClamp, tanhP1, tanhP2, tanhP3, tanhP4, tanhP5, tanhP6, tanhQ1, tanhQ2, tanhQ3}

// TanhCoefficients returns Tanh32's clamp and coefficients, clamp, P1..P6,
// Q1..Q3, for kernels outside this package that mirror it (native/blas).
func TanhCoefficients() [10]float64 { return tanhCoef }

// epilogueKind returns the kernel's kind for a's activation and its
// parameter, and false for a kind with no epilogue (sigmoid, whose
// math.Exp is not mirrored in the kernel).
func (a *activation) epilogueKind() (kind int32, param float32, ok bool) {
	switch a.kind {
	case KindLeakyReLU, KindReLU:
		return epLeaky, a.slopeOf(), true
	case KindTanh:
		return epTanh, 0, true
	case KindFloor:
		return epFloor, a.floor, true
	}
	return epNone, 0, false
}

// fusedPair returns layers[l] and layers[l+1] when they are a linear layer
// and an activation that has an epilogue, and nils otherwise.
func fusedPair(layers []layer, l int) (*linear, *activation) {
	if l < 0 || l+1 >= len(layers) {
		return nil, nil
	}
	lin, ok := layers[l].(*linear)
	if !ok {
		return nil, nil
	}
	act, ok := layers[l+1].(*activation)
	if !ok {
		return nil, nil
	}
	if _, _, ok := act.epilogueKind(); !ok {
		return nil, nil
	}
	return lin, act
}

// actLinearPair returns layers[l] and layers[l+1] when they are an
// activation that has an epilogue and a linear layer, and nils otherwise:
// the backward pass runs them as one product.
func actLinearPair(layers []layer, l int) (*activation, *linear) {
	if l < 0 || l+1 >= len(layers) {
		return nil, nil
	}
	act, ok := layers[l].(*activation)
	if !ok {
		return nil, nil
	}
	lin, ok := layers[l+1].(*linear)
	if !ok {
		return nil, nil
	}
	if _, _, ok := act.epilogueKind(); !ok {
		return nil, nil
	}
	return act, lin
}

// epilogue is what a product ends with: forward (tB, C = x·Wᵀ), P = C + bias
// (bias nil: none), pre = P (pre nil: not kept) and C = σ(P); backward
// (C = dy·W), pre = C (nil: not kept) and C = σ'(aux)·C, where aux is the
// activation's input (leakyrelu, relu, floor) or output (tanh). pre and aux
// have C's shape and row stride.
type epilogue struct {
	act            *activation
	bias, pre, aux []float32
	words          epilogueWords // the kernel's copy (gemm_simd_wasm.go)
}

// epilogueWords is struct epilogue of gemm.c: 32-bit words, addresses as
// offsets into WebAssembly's linear memory; only the SIMD128 build fills
// it. The kernel finds it by its address, which must be 8-byte aligned.
type epilogueWords struct {
	_                     [0]uint64
	kind                  int32
	param                 float32
	bias, pre, aux, coefs uint32
}

// epilogueGemm is a Gemm that applies an epilogue in its kernel (SIMDGemm).
// sgemmEpilogue computes C = A·op(B) (A m×k not transposed, beta 0) with
// ep applied, and reports false, having written nothing, where it cannot.
type epilogueGemm interface {
	sgemmEpilogue(tB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int, ep *epilogue) bool
}

// gemmEpilogue computes C = A·op(B) (m×n, row stride ldc) followed by ep,
// in g's kernel where g can (epilogueGemm), otherwise as g.Sgemm then
// ep.apply.
func gemmEpilogue(g Gemm, tB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int, ep *epilogue) {
	if eg, ok := g.(epilogueGemm); ok && eg.sgemmEpilogue(tB, m, n, k, a, lda, b, ldb, c, ldc, ep) {
		return
	}
	g.Sgemm(false, tB, m, n, k, 1, a, lda, b, ldb, 0, c, ldc)
	ep.apply(tB, c, m, n, ldc)
}

// apply is the epilogue in Go, on C's m×n entries (row stride ldc) after
// the product: forward (fwd) P = C + bias, pre = P, C = σ(P); backward
// pre = C, C = σ'(aux)·C. Each row is one pass (applyForward,
// applyBackward).
func (ep *epilogue) apply(fwd bool, c []float32, m, n, ldc int) {
	kind, param, ok := ep.act.epilogueKind()
	if !ok {
		panic(fmt.Sprintf("nn: no epilogue for %s", ep.act.kind))
	}
	for i := 0; i < m; i++ {
		row := c[i*ldc : i*ldc+n]
		var pre []float32
		if ep.pre != nil {
			pre = ep.pre[i*ldc : i*ldc+n]
		}
		if fwd {
			var bias []float32
			if ep.bias != nil {
				bias = ep.bias[:n]
			}
			applyForward(kind, param, row, bias, pre)
			continue
		}
		applyBackward(kind, param, row, pre, ep.aux[i*ldc:i*ldc+n])
	}
}

// applyForward is the forward epilogue on one row, in one pass: for each
// element p = c + bias (bias nil: none), pre = p (pre nil: not kept), c =
// σ(p), σ of kind with parameter param.
func applyForward(kind int32, param float32, row, bias, pre []float32) {
	if bias != nil && pre != nil {
		bias, pre = bias[:len(row)], pre[:len(row)]
		switch kind {
		case epLeaky:
			for j, v := range row {
				v += bias[j]
				pre[j], row[j] = v, leaky(v, param)
			}
		case epTanh:
			for j, v := range row {
				v += bias[j]
				pre[j] = v
			}
			tanhKernel(row, pre)
		case epFloor:
			for j, v := range row {
				v += bias[j]
				pre[j], row[j] = v, max(v, param)
			}
		}
		return
	}
	if bias != nil {
		bias = bias[:len(row)]
		for j := range row {
			row[j] += bias[j]
		}
	}
	if pre != nil {
		copy(pre, row)
	}
	switch kind {
	case epLeaky:
		for j, v := range row {
			row[j] = leaky(v, param)
		}
	case epTanh:
		tanhKernel(row, row)
	case epFloor:
		for j, v := range row {
			row[j] = max(v, param)
		}
	}
}

// applyBackward is the backward epilogue on one row, in one pass: for each
// element pre = c (pre nil: not kept), c = σ'(aux)·c, with aux the
// activation's input (leaky, floor) or output (tanh).
func applyBackward(kind int32, param float32, row, pre, aux []float32) {
	aux = aux[:len(row)]
	if pre != nil {
		pre = pre[:len(row)]
		switch kind {
		case epLeaky:
			for j, v := range row {
				pre[j], row[j] = v, leakyDeriv(aux[j], param)*v
			}
		case epTanh:
			for j, v := range row {
				pre[j], row[j] = v, tanhDeriv(aux[j])*v
			}
		case epFloor:
			for j, v := range row {
				pre[j], row[j] = v, floorDeriv(aux[j], param)*v
			}
		}
		return
	}
	switch kind {
	case epLeaky:
		for j, v := range row {
			row[j] = leakyDeriv(aux[j], param) * v
		}
	case epTanh:
		for j, v := range row {
			row[j] = tanhDeriv(aux[j]) * v
		}
	case epFloor:
		for j, v := range row {
			row[j] = floorDeriv(aux[j], param) * v
		}
	}
}

// forwardAct runs this layer and the activation act after it: pre = x·Wᵀ +
// b (the activation's input, kept for the backward pass) and y = σ(pre).
func (l *linear) forwardAct(g Gemm, act *activation, x, pre, y []float32, n int) {
	l.ep = epilogue{act: act, bias: l.b.Value, pre: pre}
	gemmEpilogue(g, true, n, l.out, l.in, x, l.in, l.weight(), l.in, y, l.out, &l.ep)
	l.ep = epilogue{}
}

// backwardAct runs this layer's backward pass and that of the activation
// act before it (whose input is ax and output x, this layer's input): dx =
// dy·W, kept for backwardTangent, and dax = σ'·dx, the gradient with respect
// to the activation's input; with params, the parameter gradients as
// backward adds them.
func (l *linear) backwardAct(g Gemm, act *activation, ax, x, dy, dx, dax []float32, n int, params bool) {
	aux := ax
	if act.kind == KindTanh {
		aux = x
	}
	l.ep = epilogue{act: act, pre: dx, aux: aux}
	gemmEpilogue(g, false, n, l.in, l.out, dy, l.out, l.weight(), l.in, dax, l.in, &l.ep)
	l.ep = epilogue{}
	if params {
		l.backward(g, x, nil, dy, nil, n, true)
	}
}
