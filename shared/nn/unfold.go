package nn

// unfolder moves values between an image of a convolution's geometry and
// its column matrix (see convGeom): im2col reads every kernel tap's values
// into a row of the matrix, col2im adds them back. Both go through a
// zero-padded copy of the image, (h + 2p) × (w + 2p) per channel, so that
// every tap reads or writes the same pattern of offsets, pos, with no
// bounds to test: for kernel position q = (a, b), pos[q] is the padded
// offset of its tap (0, 0), and tap (i, j) of channel c is pos[q] plus
// c·(h + 2p)·(w + 2p) + i·(w + 2p) + j. The padded copy is the unfolder's
// own, so one unfolder serves one pass at a time (as a layer does).
type unfolder struct {
	g      convGeom
	hp, wp int       // the padded image's height and width
	pos    []int     // cols offsets, see above
	padded []float32 // c × hp × wp
}

func newUnfolder(g convGeom) *unfolder {
	u := &unfolder{g: g, hp: g.h + 2*g.p, wp: g.w + 2*g.p, pos: make([]int, g.cols())}
	u.padded = make([]float32, g.c*u.hp*u.wp)
	for a := range g.oh {
		for b := range g.ow {
			u.pos[a*g.ow+b] = a*g.s*u.wp + b*g.s
		}
	}
	return u
}

// pad copies img into the padded image's interior and zeros its border.
func (u *unfolder) pad(img []float32) {
	g := u.g
	clear(u.padded)
	for c := range g.c {
		for y := range g.h {
			copy(u.padded[(c*u.hp+y+g.p)*u.wp+g.p:][:g.w], img[(c*g.h+y)*g.w:][:g.w])
		}
	}
}

// im2col writes the column matrix of img (rows × cols) into col, row r at
// col[r·ld:][:cols]: with ld = cols the matrix alone, with ld = nb·cols
// and col offset by s·cols, the block of sample s in the column matrix of
// a chunk of nb samples.
func (u *unfolder) im2col(img, col []float32, ld int) {
	g := u.g
	u.pad(img)
	for c := range g.c {
		for i := range g.k {
			j := 0
			for ; j+4 <= g.k; j += 4 {
				gather4(col[((c*g.k+i)*g.k+j)*ld:], ld, u.padded[(c*u.hp+i)*u.wp+j:], u.pos)
			}
			for ; j < g.k; j++ {
				gather(col[((c*g.k+i)*g.k+j)*ld:], u.padded[(c*u.hp+i)*u.wp+j:], u.pos)
			}
		}
	}
}

// col2im adds every entry of the column matrix col (rows × cols, row r at
// col[r·ld:], as im2col writes it) into the image value it was read from
// (the adjoint of im2col; padding entries are dropped). Each image value
// receives its entries in the order of the rows, as plain additions into
// its value: the padded image starts as img.
func (u *unfolder) col2im(col []float32, ld int, img []float32) {
	g := u.g
	u.pad(img)
	for c := range g.c {
		for i := range g.k {
			j := 0
			// Taps j and j + 1 < j + s add into disjoint image values (every
			// offset in pos is a multiple of s), so adding both in one pass
			// leaves each value's order of additions as it is.
			for ; g.s >= 2 && j+2 <= g.k; j += 2 {
				scatterAdd2(u.padded[(c*u.hp+i)*u.wp+j:], col[((c*g.k+i)*g.k+j)*ld:], ld, u.pos)
			}
			for ; j < g.k; j++ {
				scatterAdd(u.padded[(c*u.hp+i)*u.wp+j:], col[((c*g.k+i)*g.k+j)*ld:], u.pos)
			}
		}
	}
	for c := range g.c {
		for y := range g.h {
			copy(img[(c*g.h+y)*g.w:][:g.w], u.padded[(c*u.hp+y+g.p)*u.wp+g.p:][:g.w])
		}
	}
}

// gather sets dst[q] = src[pos[q]] for every q. A function of its own, so
// that the loop keeps its few values in registers.
//
//go:noinline
func gather(dst, src []float32, pos []int) {
	dst = dst[:len(pos)]
	for q, o := range pos {
		dst[q] = src[o]
	}
}

// gather4 is gather for four rows of taps side by side, dst's rows ld
// apart and their sources one value apart: dst[t·ld + q] = src[pos[q] + t]
// for t < 4 (one read of pos and one loop for four rows).
//
//go:noinline
func gather4(dst []float32, ld int, src []float32, pos []int) {
	n := len(pos)
	d0, d1, d2, d3 := dst[:n], dst[ld:][:n], dst[2*ld:][:n], dst[3*ld:][:n]
	for q, o := range pos {
		s := src[o : o+4]
		d0[q], d1[q], d2[q], d3[q] = s[0], s[1], s[2], s[3]
	}
}

// scatterAdd adds src[q] into dst[pos[q]] for every q, in order of q.
//
//go:noinline
func scatterAdd(dst, src []float32, pos []int) {
	src = src[:len(pos)]
	for q, o := range pos {
		dst[o] += src[q]
	}
}

// scatterAdd2 is scatterAdd for two rows of taps side by side, src's rows
// ld apart and their destinations one value apart: it adds src[t·ld + q]
// into dst[pos[q] + t] for t < 2.
//
//go:noinline
func scatterAdd2(dst, src []float32, ld int, pos []int) {
	n := len(pos)
	s0, s1 := src[:n], src[ld:][:n]
	for q, o := range pos {
		d := dst[o : o+2]
		d[0] += s0[q]
		d[1] += s1[q]
	}
}
