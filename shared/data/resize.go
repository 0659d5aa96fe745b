package data

import (
	"fmt"
	"math"
)

// MaxImageSide bounds the height and width of an image gebm reads or resizes
// to (4096 pixels).
const MaxImageSide = 4096

// ResizeImage resamples src, one image of shape s (channel-major), to h×w
// pixels per channel and writes the s.C·h·w values to dst. Each axis is
// resampled on its own (the filter is separable):
//
//   - shrinking an axis (n source pixels to m < n) averages areas: output
//     pixel j covers the source interval [j·n/m, (j+1)·n/m) and is the mean
//     of the source pixels over it, each weighted by the length of its
//     overlap (a box filter; n/m = 2 averages pairs);
//   - growing an axis (m > n) interpolates linearly between pixel centres:
//     output pixel j samples the source at u = (j + ½)·n/m − ½, clamped to
//     [0, n−1], as (1 − f)·src[⌊u⌋] + f·src[⌊u⌋+1] with f = u − ⌊u⌋
//     (bilinear over both axes);
//   - an axis of the same size is copied.
//
// Both are convex combinations, so the output stays within the input's
// range. It panics if len(src) != s.Dim() or len(dst) != s.C·h·w.
func ResizeImage(dst []float32, h, w int, src []float32, s ImageShape) {
	if h < 0 || w < 0 || len(src) != s.Dim() || len(dst) != s.C*h*w {
		panic(fmt.Sprintf("data: ResizeImage: %d source values for %v, %d destination values for %d×%d×%d", len(src), s, len(dst), s.C, h, w))
	}
	newResampler(s, h, w).resize(dst, src)
}

// resampler resizes images of one shape to h×w (ResizeImage), its taps
// computed once for all the images of a data set.
type resampler struct {
	s      ImageShape
	h, w   int
	wx, wy [][]tap
	tmp    []float64 // one channel resampled along x
}

func newResampler(s ImageShape, h, w int) *resampler {
	return &resampler{s: s, h: h, w: w, wx: axisTaps(s.W, w), wy: axisTaps(s.H, h), tmp: make([]float64, s.H*w)}
}

// resize writes the image src, resampled, to dst; their lengths are the
// caller's to check.
func (r *resampler) resize(dst, src []float32) {
	s, h, w := r.s, r.h, r.w
	for c := 0; c < s.C; c++ {
		plane := src[c*s.H*s.W : (c+1)*s.H*s.W]
		for y := 0; y < s.H; y++ {
			in := plane[y*s.W : (y+1)*s.W]
			for x, taps := range r.wx {
				var v float64
				for _, t := range taps {
					v += t.w * float64(in[t.i])
				}
				r.tmp[y*w+x] = v
			}
		}
		out := dst[c*h*w : (c+1)*h*w]
		for y, taps := range r.wy {
			for x := 0; x < w; x++ {
				var v float64
				for _, t := range taps {
					v += t.w * r.tmp[t.i*w+x]
				}
				out[y*w+x] = float32(v)
			}
		}
	}
}

// tap is one source pixel i with its weight w in an output pixel.
type tap struct {
	i int
	w float64
}

// axisTaps returns, for each of the m output pixels of an axis of n source
// pixels, the source pixels and weights ResizeImage combines.
func axisTaps(n, m int) [][]tap {
	taps := make([][]tap, m)
	switch {
	case m == n:
		for j := range taps {
			taps[j] = []tap{{j, 1}}
		}
	case m < n:
		// Output pixel j covers [j·n, (j+1)·n) and source pixel i covers
		// [i·m, (i+1)·m), both in units of 1/m source pixels: exact integers.
		for j := range taps {
			lo, hi := j*n, (j+1)*n
			for i := lo / m; i*m < hi; i++ {
				if ov := min(hi, (i+1)*m) - max(lo, i*m); ov > 0 {
					taps[j] = append(taps[j], tap{i, float64(ov) / float64(n)})
				}
			}
		}
	default:
		for j := range taps {
			u := (float64(j)+0.5)*float64(n)/float64(m) - 0.5
			u = math.Max(0, math.Min(float64(n-1), u))
			i := int(u)
			f := u - float64(i)
			taps[j] = []tap{{i, 1 - f}}
			if f > 0 {
				taps[j] = append(taps[j], tap{i + 1, f})
			}
		}
	}
	return taps
}

// ResizeImages returns a copy of d with every image resampled to h×w by
// ResizeImage, its labels and normalisation kept (the range too: resampling
// mixes values, it never leaves their range). It is an error if d's rows are
// not images or h, w are outside 1..MaxImageSide.
func ResizeImages(d *Dataset, h, w int) (*Dataset, error) {
	s, ok := d.Image()
	if !ok {
		return nil, fmt.Errorf("data: %s: cannot resize: its rows are flat vectors of %d values, not images", d.Name, d.Dim)
	}
	if h < 1 || w < 1 || h > MaxImageSide || w > MaxImageSide {
		return nil, fmt.Errorf("data: %s: cannot resize to %d×%d: want sides in 1..%d", d.Name, h, w, MaxImageSide)
	}
	to := ImageShape{s.C, h, w}
	r := &Dataset{Name: d.Name, Dim: to.Dim(), Labels: d.Labels, Classes: d.Classes, Norm: d.Norm}
	r.Norm.Shape = to.RowShape()
	r.X = make([]float32, d.Rows()*r.Dim)
	rs := newResampler(s, h, w)
	for i := 0; i < d.Rows(); i++ {
		rs.resize(r.X[i*r.Dim:(i+1)*r.Dim], d.Row(i))
	}
	return r, nil
}
