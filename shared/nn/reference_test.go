package nn

import "math"

// ref64 is an independent float64 implementation of a Network's forward
// pass and input gradient, written as plainly as possible. The tests
// differentiate it by finite differences in float64 and compare with the
// float32 analytic passes.
type ref64 struct {
	spec Spec
	w    [][]float64 // per layer: effective weight (out×in) or nil
	b    [][]float64
	// spectral normalisation: raw weights plus fixed u, v
	raw  [][]float64
	u, v [][]float64
	// coupling layers: the reference of the scale-and-shift network
	sub []*ref64
	// batchnorm layers: γ, β, running mean, running variance
	bn [][4][]float64
}

func newRef64(net *Network) *ref64 {
	r := &ref64{spec: net.spec}
	for _, l := range net.layers {
		var sub *ref64
		if c, ok := l.(*coupling); ok {
			sub = newRef64(c.net)
		}
		r.sub = append(r.sub, sub)
		var bn [4][]float64
		if b, ok := l.(*batchnorm); ok {
			bn = [4][]float64{to64(b.gamma.Value), to64(b.beta.Value), to64(b.runMean.Value), to64(b.runVar.Value)}
		}
		r.bn = append(r.bn, bn)
		var wm *weightMatrix
		var b *Param
		switch l := l.(type) {
		case *linear:
			wm, b = &l.weightMatrix, l.b
		case *conv2d:
			wm, b = &l.weightMatrix, l.b
		case *convTranspose2d:
			wm, b = &l.weightMatrix, l.b
		}
		r.w = append(r.w, nil)
		if wm == nil {
			r.b, r.raw, r.u, r.v = append(r.b, nil), append(r.raw, nil), append(r.u, nil), append(r.v, nil)
			continue
		}
		r.raw = append(r.raw, to64(wm.w.Value))
		r.b = append(r.b, to64(b.Value))
		if wm.sn != nil {
			r.u, r.v = append(r.u, to64(wm.sn.u.Value)), append(r.v, to64(wm.sn.v.Value))
		} else {
			r.u, r.v = append(r.u, nil), append(r.v, nil)
		}
	}
	return r
}

func to64(x []float32) []float64 {
	y := make([]float64, len(x))
	for i, v := range x {
		y[i] = float64(v)
	}
	return y
}

// effective recomputes W/σ with σ = uᵀ M v for normalised layers, M the
// weight read row-major as a len(u) × len(v) matrix.
func (r *ref64) effective() {
	for i, ls := range r.spec.Layers {
		if r.raw[i] == nil {
			continue
		}
		w := append([]float64(nil), r.raw[i]...)
		if ls.SpectralNorm {
			var sigma float64
			rows := ls.Out // the matrix is Out × (In·k·k) for conv2d (Out × In for linear)
			if ls.Kind == KindConvTranspose2D {
				rows = ls.In // In × (Out·k·k): the weight [In, Out, k, k] as stored
			}
			cols := len(w) / rows
			for a := 0; a < rows; a++ {
				for c := 0; c < cols; c++ {
					sigma += r.u[i][a] * w[a*cols+c] * r.v[i][c]
				}
			}
			for k := range w {
				w[k] /= sigma
			}
		}
		r.w[i] = w
	}
}

// convTaps64 calls f(yi, xi, wi) for every product W[wi]·x[xi] that the
// convolution layer ls adds into y[yi], written from the definitions of
// KindConv2D and KindConvTranspose2D, and returns the output's channels and
// values per channel.
func convTaps64(ls LayerSpec, f func(yi, xi, wi int)) (channels, plane int) {
	k, s, pad, H, W := ls.Kernel, ls.Stride, ls.Padding, ls.Height, ls.Width
	if ls.Kind == KindConv2D {
		oh, ow := (H+2*pad-k)/s+1, (W+2*pad-k)/s+1
		for o := 0; o < ls.Out; o++ {
			for p := 0; p < oh; p++ {
				for q := 0; q < ow; q++ {
					for c := 0; c < ls.In; c++ {
						for i := 0; i < k; i++ {
							for j := 0; j < k; j++ {
								hi, wi := p*s+i-pad, q*s+j-pad
								if hi >= 0 && hi < H && wi >= 0 && wi < W {
									f((o*oh+p)*ow+q, (c*H+hi)*W+wi, ((o*ls.In+c)*k+i)*k+j)
								}
							}
						}
					}
				}
			}
		}
		return ls.Out, oh * ow
	}
	oh, ow := (H-1)*s-2*pad+k, (W-1)*s-2*pad+k
	for c := 0; c < ls.In; c++ {
		for p := 0; p < H; p++ {
			for q := 0; q < W; q++ {
				for o := 0; o < ls.Out; o++ {
					for i := 0; i < k; i++ {
						for j := 0; j < k; j++ {
							hi, wi := p*s+i-pad, q*s+j-pad
							if hi >= 0 && hi < oh && wi >= 0 && wi < ow {
								f((o*oh+hi)*ow+wi, (c*H+p)*W+q, ((c*ls.Out+o)*k+i)*k+j)
							}
						}
					}
				}
			}
		}
	}
	return ls.Out, oh * ow
}

// conv64 is the convolution layer i on one row h.
func (r *ref64) conv64(i int, h []float64) []float64 {
	ls := r.spec.Layers[i]
	var taps [][3]int
	channels, plane := convTaps64(ls, func(yi, xi, wi int) { taps = append(taps, [3]int{yi, xi, wi}) })
	y := make([]float64, channels*plane)
	for o := range channels {
		for p := range plane {
			y[o*plane+p] = r.b[i][o]
		}
	}
	for _, t := range taps {
		y[t[0]] += r.w[i][t[2]] * h[t[1]]
	}
	return y
}

func act64(ls LayerSpec, x float64) (y, d float64) {
	kind, slope := ls.Kind, ls.Slope
	switch kind {
	case KindLeakyReLU, KindReLU:
		if kind == KindReLU {
			slope = 0
		}
		if x > 0 {
			return x, 1
		}
		return slope * x, slope
	case KindTanh:
		t := math.Tanh(x)
		return t, 1 - t*t
	case KindSigmoid:
		s := 1 / (1 + math.Exp(-x))
		return s, s * (1 - s)
	case KindFloor:
		if x > ls.Floor {
			return x, 1
		}
		return ls.Floor, 0
	}
	panic(kind)
}

// forward returns the outputs for one input row and keeps the activations
// for inputGrad.
func (r *ref64) forward(x []float64) (out []float64, hs [][]float64) {
	r.effective()
	h := x
	hs = append(hs, h)
	for i, ls := range r.spec.Layers {
		var next []float64
		if ls.Kind == KindCoupling {
			next = r.coupling64(i, h)
		} else if ls.Kind == KindConv2D || ls.Kind == KindConvTranspose2D {
			next = r.conv64(i, h)
		} else if ls.Kind == KindBatchNorm {
			next = make([]float64, len(h))
			plane := len(h) / ls.Channels
			for k, v := range h {
				c := k / plane
				next[k] = r.bn[i][0][c]*(v-r.bn[i][2][c])/math.Sqrt(r.bn[i][3][c]+1e-5) + r.bn[i][1][c]
			}
		} else if ls.Kind == KindLinear {
			next = make([]float64, ls.Out)
			for a := 0; a < ls.Out; a++ {
				s := r.b[i][a]
				for c := 0; c < ls.In; c++ {
					s += r.w[i][a*ls.In+c] * h[c]
				}
				next[a] = s
			}
		} else {
			next = make([]float64, len(h))
			for k, v := range h {
				next[k], _ = act64(ls, v)
			}
		}
		h = next
		hs = append(hs, h)
	}
	return h, hs
}

// inputGrad returns ∇_x f for a one-output network at x.
func (r *ref64) inputGrad(x []float64) []float64 {
	_, hs := r.forward(x)
	g := []float64{1}
	for i := len(r.spec.Layers) - 1; i >= 0; i-- {
		ls := r.spec.Layers[i]
		in := hs[i]
		if ls.Kind == KindCoupling {
			panic("ref64.inputGrad: coupling is checked through forward's finite differences only")
		}
		if ls.Kind == KindBatchNorm {
			ng := make([]float64, len(in))
			plane := len(in) / ls.Channels
			for k := range in {
				c := k / plane
				ng[k] = g[k] * r.bn[i][0][c] / math.Sqrt(r.bn[i][3][c]+1e-5)
			}
			g = ng
		} else if ls.Kind == KindConv2D || ls.Kind == KindConvTranspose2D {
			ng := make([]float64, len(in))
			convTaps64(ls, func(yi, xi, wi int) { ng[xi] += r.w[i][wi] * g[yi] })
			g = ng
		} else if ls.Kind == KindLinear {
			ng := make([]float64, ls.In)
			for a := 0; a < ls.Out; a++ {
				for c := 0; c < ls.In; c++ {
					ng[c] += g[a] * r.w[i][a*ls.In+c]
				}
			}
			g = ng
		} else {
			ng := make([]float64, len(in))
			for k, v := range in {
				_, d := act64(ls, v)
				ng[k] = g[k] * d
			}
			g = ng
		}
	}
	return g
}

// params returns pointers to every float64 parameter in the order of
// Network.Params (weight, bias per linear or convolution layer; γ, β per
// batchnorm layer).
func (r *ref64) params() [][]float64 {
	var ps [][]float64
	for i, ls := range r.spec.Layers {
		if r.raw[i] != nil {
			ps = append(ps, r.raw[i], r.b[i])
		}
		if ls.Kind == KindBatchNorm {
			ps = append(ps, r.bn[i][0], r.bn[i][1])
		}
		if ls.Kind == KindCoupling {
			ps = append(ps, r.sub[i].params()...)
		}
	}
	return ps
}

// splitParity64 splits the coordinates of h by a coupling's mask: keep holds
// the indices j with j%2 == parity, move the others, and xa the kept values.
func splitParity64(h []float64, parity int) (keep, move []int, xa []float64) {
	for j := range h {
		if j%2 == parity {
			keep = append(keep, j)
		} else {
			move = append(move, j)
		}
	}
	xa = make([]float64, len(keep))
	for a, j := range keep {
		xa[a] = h[j]
	}
	return keep, move, xa
}

// coupling64 is layer i, an affine coupling, on one row h, written from its
// definition: y_keep = h_keep, y_move = h_move·exp(tanh r) + t with
// (r, t) = NN(h_keep).
func (r *ref64) coupling64(i int, h []float64) []float64 {
	ls := r.spec.Layers[i]
	_, move, xa := splitParity64(h, ls.Parity)
	o, _ := r.sub[i].forward(xa)
	y := append([]float64(nil), h...)
	for b, j := range move {
		y[j] = h[j]*math.Exp(math.Tanh(o[b])) + o[len(move)+b]
	}
	return y
}
