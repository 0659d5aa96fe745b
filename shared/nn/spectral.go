package nn

import (
	"math"
	"math/rand/v2"
)

// spectral holds the spectral normalisation of one weight W (out×in): unit
// vectors u (out) and v (in) with σ = u^T W v ≈ the largest singular value,
// the normalised weight weff = W/σ, and geff, the gradient with respect to
// weff that backward passes accumulate.
type spectral struct {
	u, v       *Param // persistent power-iteration vectors (not trained)
	sigma      float64
	weff, geff []float32
	// wv is W v for the current v, before normalisation made it u (set by
	// powerIteration, read by the refresh that follows): σ = u^T W v
	// needs it, and W is a megabyte or more to read again.
	wv []float32
}

func newSpectral(idx, out, in int) *spectral {
	return &spectral{
		u:    newParam(paramName(idx, "sn_u"), out),
		v:    newParam(paramName(idx, "sn_v"), in),
		weff: make([]float32, out*in),
		geff: make([]float32, out*in),
		wv:   make([]float32, out),
	}
}

func (s *spectral) init(rng *rand.Rand) {
	for i := range s.u.Value {
		s.u.Value[i] = float32(2*rng.Float64() - 1)
	}
	normalize(s.u.Value)
}

// powerIteration performs one step: v = normalize(W^T u), u = normalize(W v).
func (s *spectral) powerIteration(w []float32) {
	out, in := len(s.u.Value), len(s.v.Value)
	u, v := s.u.Value, s.v.Value
	clear(v)
	for i := 0; i < out; i++ {
		ui := u[i]
		row := w[i*in : (i+1)*in]
		for j, x := range row {
			v[j] += ui * x
		}
	}
	normalize(v)
	s.multiplyV(w)
	copy(u, s.wv)
	normalize(u)
}

// multiplyV sets wv = W v, each entry a dot4 of a row of W with v.
func (s *spectral) multiplyV(w []float32) {
	in := len(s.v.Value)
	for i := range s.wv {
		s.wv[i] = dot4(w[i*in:(i+1)*in], s.v.Value)
	}
}

// refresh sets σ = u^T W v and weff = W/σ for the current u, v. Right
// after a power iteration (haveWV) W v is at hand in wv; otherwise (a model
// just loaded) it is computed, with the same operations, so a loaded model
// has the σ of the run that saved it.
func (s *spectral) refresh(w []float32, haveWV bool) {
	if !haveWV {
		s.multiplyV(w)
	}
	var sigma float64
	for i, x := range s.wv {
		sigma += float64(s.u.Value[i]) * float64(x)
	}
	if !(math.Abs(sigma) > 1e-12) {
		sigma = 1e-12
	}
	s.sigma = sigma
	inv := float32(1 / sigma)
	for i, x := range w {
		s.weff[i] = x * inv
	}
}

// finishGrad adds into gw the gradient with respect to W of a loss whose
// gradient with respect to weff = W/σ(W) is geff, treating u and v as
// constants (as PyTorch does): with σ = u^T W v,
//
//	dL/dW = geff/σ - (Σ_ij geff_ij weff_ij)/σ · u v^T.
//
// It then clears geff.
func (s *spectral) finishGrad(gw []float32) {
	out, in := len(s.u.Value), len(s.v.Value)
	inner := dot64(s.geff, s.weff)
	inv := 1 / s.sigma
	c := inner * inv
	v := s.v.Value[:in]
	for i := 0; i < out; i++ {
		cu := c * float64(s.u.Value[i])
		ge, gr := s.geff[i*in:(i+1)*in], gw[i*in:(i+1)*in]
		for j, vj := range v {
			gr[j] += float32(float64(ge[j])*inv - cu*float64(vj))
			ge[j] = 0
		}
	}
}

// dot4 returns Σ x_i y_i in float32, summed in four interleaved partial
// sums (i mod 4) added as (s0+s1)+(s2+s3): one chain of additions waits for
// each sum's previous value, four keep the adder busy. The order is part of
// the definition: every platform sums the same way, so the same bits.
func dot4(x, y []float32) float32 {
	y = y[:len(x)]
	var s0, s1, s2, s3 float32
	i := 0
	for ; i+4 <= len(x); i += 4 {
		s0 += x[i] * y[i]
		s1 += x[i+1] * y[i+1]
		s2 += x[i+2] * y[i+2]
		s3 += x[i+3] * y[i+3]
	}
	for ; i < len(x); i++ {
		s0 += x[i] * y[i]
	}
	return (s0 + s1) + (s2 + s3)
}

// dot64 returns Σ x_i y_i with the products and sums in float64, in four
// interleaved partial sums as dot4.
func dot64(x, y []float32) float64 {
	y = y[:len(x)]
	var s0, s1, s2, s3 float64
	i := 0
	for ; i+4 <= len(x); i += 4 {
		s0 += float64(x[i]) * float64(y[i])
		s1 += float64(x[i+1]) * float64(y[i+1])
		s2 += float64(x[i+2]) * float64(y[i+2])
		s3 += float64(x[i+3]) * float64(y[i+3])
	}
	for ; i < len(x); i++ {
		s0 += float64(x[i]) * float64(y[i])
	}
	return (s0 + s1) + (s2 + s3)
}

// normalize scales x to unit Euclidean norm (leaves a zero vector alone).
func normalize(x []float32) {
	var s float64
	for _, v := range x {
		s += float64(v) * float64(v)
	}
	if s == 0 {
		return
	}
	inv := float32(1 / math.Sqrt(s))
	for i := range x {
		x[i] *= inv
	}
}

// weightMatrix is a layer's weight W, read by its passes as a rows×cols
// matrix (linear: out×in; the convolutions: see conv.go), with optional
// spectral normalisation of that matrix. The passes multiply by weight()
// and accumulate into weightGrad(); refresh and finishGrads map between W
// and W/σ.
type weightMatrix struct {
	w  *Param
	sn *spectral // nil without spectral normalisation
}

// newWeightMatrix makes the weight of layer idx with the given shape (as
// the model file records it) read as a rows×cols matrix.
func newWeightMatrix(idx int, sn bool, shape []int, rows, cols int) weightMatrix {
	m := weightMatrix{w: newParam(paramName(idx, "weight"), shape...)}
	if sn {
		m.sn = newSpectral(idx, rows, cols)
	}
	return m
}

// snTensors lists spectral normalisation's state of layer i (u: rows, v:
// cols), or nothing without it: the descriptors' tensors use it.
func snTensors(i int, sn bool, rows, cols int) []TensorInfo {
	if !sn {
		return nil
	}
	return []TensorInfo{{paramName(i, "sn_u"), []int{rows}, false}, {paramName(i, "sn_v"), []int{cols}, false}}
}

// initUniform draws W and the bias b from U(-1/sqrt(fanIn), 1/sqrt(fanIn))
// (PyTorch's default for linear and convolution layers), then spectral
// normalisation's u. Only uniform draws are used, so the same seed gives
// the same bits on every platform.
func (m *weightMatrix) initUniform(rng *rand.Rand, fanIn int, b *Param) {
	bound := 1 / math.Sqrt(float64(fanIn))
	for i := range m.w.Value {
		m.w.Value[i] = float32((2*rng.Float64() - 1) * bound)
	}
	for i := range b.Value {
		b.Value[i] = float32((2*rng.Float64() - 1) * bound)
	}
	if m.sn != nil {
		m.sn.init(rng)
	}
}

// weight is the matrix the layer multiplies by: W, or W/σ.
func (m *weightMatrix) weight() []float32 {
	if m.sn != nil {
		return m.sn.weff
	}
	return m.w.Value
}

// weightGrad is where gradients of the used weight accumulate: W's Grad, or
// a buffer that finishGrads maps back through the normalisation.
func (m *weightMatrix) weightGrad() []float32 {
	if m.sn != nil {
		return m.sn.geff
	}
	return m.w.Grad
}

func (m *weightMatrix) state() []*Param {
	if m.sn == nil {
		return nil
	}
	return []*Param{m.sn.u, m.sn.v}
}

func (m *weightMatrix) refresh(powerIters int) {
	if m.sn == nil {
		return
	}
	for range powerIters {
		m.sn.powerIteration(m.w.Value)
	}
	m.sn.refresh(m.w.Value, powerIters > 0)
}

func (m *weightMatrix) finishGrads() {
	if m.sn != nil {
		m.sn.finishGrad(m.w.Grad)
	}
}
