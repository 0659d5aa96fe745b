//go:build cuda

package cuda

// spectral is the spectral normalisation of one weight W (out×in) on the
// device (shared/nn/spectral.go): persistent unit vectors u (out) and v
// (in), σ = uᵀ W v, the normalised weight weff = W/σ and geff, where the
// backward passes accumulate the gradient with respect to weff.
//
// It runs on the device, not on the host: W changes on the device at every
// energy update, and the power iteration costs two matrix-vector products,
// far less than bringing W back to the host each step.
type spectral struct {
	d          *Device
	out, in    int
	u, v       Buffer // views into the network's state buffer
	weff, geff Buffer
	t          Buffer  // W v
	sigma      Doubles // σ
	inner      Doubles // Σ geff·weff
}

func newSpectral(d *Device, out, in int, u, v Buffer) *spectral {
	s := &spectral{d: d, out: out, in: in, u: u, v: v,
		weff: d.Alloc(out * in), geff: d.Alloc(out * in), t: d.Alloc(out)}
	st := d.allocDoubles(2)
	s.sigma, s.inner = st.At(0), st.At(1)
	return s
}

func (s *spectral) free() {
	s.d.Free(s.weff)
	s.d.Free(s.geff)
	s.d.Free(s.t)
	s.d.freeDoubles(Doubles{s.sigma.ptr, 2})
}

// refresh runs powerIters steps of power iteration (v = normalize(Wᵀu),
// u = normalize(W v)), then sets σ = uᵀ W v and weff = W/σ.
func (s *spectral) refresh(w Buffer, powerIters int) {
	d := s.d
	for range powerIters {
		d.elementwise("sn_wt_u", s.in, ptr(w), ptr(s.u), ptr(s.v), i64(s.out), i64(s.in))
		d.launch("sn_normalize", 1, 1024, ptr(s.v), i64(s.in))
		// u = normalize(W v), and σ with it: the u after the last step is
		// the one that σ = uᵀ W v uses.
		d.elementwise("sn_w_v", 32*s.out, ptr(w), ptr(s.v), ptr(s.t), i64(s.out), i64(s.in))
		d.launch("sn_sigma", 1, 1024, ptr(s.t), ptr(s.u), i64(s.out), boolArg(true), dptr(s.sigma))
	}
	if powerIters == 0 {
		d.elementwise("sn_w_v", 32*s.out, ptr(w), ptr(s.v), ptr(s.t), i64(s.out), i64(s.in))
		d.launch("sn_sigma", 1, 1024, ptr(s.t), ptr(s.u), i64(s.out), boolArg(false), dptr(s.sigma))
	}
	d.elementwise("sn_scale", s.out*s.in, ptr(w), ptr(s.weff), i64(s.out*s.in), dptr(s.sigma))
}

// finishGrad adds into gw the gradient with respect to W, treating u and v
// as constants: dL/dW = geff/σ - (Σ geff·weff)/σ · u vᵀ; then clears geff.
func (s *spectral) finishGrad(gw Buffer) {
	s.d.dot(s.geff, s.weff, s.inner)
	s.d.elementwise("sn_finish", s.out*s.in, ptr(gw), ptr(s.geff), ptr(s.u), ptr(s.v), i64(s.out), i64(s.in),
		dptr(s.sigma), dptr(s.inner))
}
