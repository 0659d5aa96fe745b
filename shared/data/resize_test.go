package data

import (
	"slices"
	"strings"
	"testing"
)

// TestResizeImage checks ResizeImage against values computed by hand.
func TestResizeImage(t *testing.T) {
	seq := func(n int) []float32 {
		x := make([]float32, n)
		for i := range x {
			x[i] = float32(i)
		}
		return x
	}
	// 3x + 9y on a 3×3 grid.
	lin := []float32{0, 3, 6, 9, 12, 15, 18, 21, 24}
	for _, tc := range []struct {
		name string
		src  []float32
		s    ImageShape
		h, w int
		want []float32
	}{
		// Halving averages 2×2 blocks.
		{"4x4 to 2x2", seq(16), ImageShape{1, 4, 4}, 2, 2, []float32{2.5, 4.5, 10.5, 12.5}},
		// 3 → 2 pixels: out0 = (2·a + b)/3, out1 = (b + 2·c)/3 on each
		// axis, so 3x + 9y gives x: [1, 5] and y: [3, 15].
		{"3x3 to 2x2", lin, ImageShape{1, 3, 3}, 2, 2, []float32{4, 8, 16, 20}},
		// 2 → 4 pixels samples the source at u = −¼ (clamped to 0), ¼, ¾,
		// 1¼ (clamped to 1).
		{"1x2 to 1x4", []float32{0, 255}, ImageShape{1, 1, 2}, 1, 4, []float32{0, 63.75, 191.25, 255}},
		// 2 → 3 rows: u = −1/6 → 0, ½, 7/6 → 1.
		{"2x1 to 3x1", []float32{10, 20}, ImageShape{1, 2, 1}, 3, 1, []float32{10, 15, 20}},
		// Shrinking x (mean 4) while growing y (one source row, repeated).
		{"1x2 to 2x1", []float32{0, 8}, ImageShape{1, 1, 2}, 2, 1, []float32{4, 4}},
		// The same size copies; channels are resampled separately.
		{"copy", seq(12), ImageShape{3, 2, 2}, 2, 2, seq(12)},
		{"2 channels", []float32{0, 2, 4, 6, 10, 10, 30, 30}, ImageShape{2, 2, 2}, 1, 1, []float32{3, 20}},
	} {
		got := make([]float32, tc.s.C*tc.h*tc.w)
		ResizeImage(got, tc.h, tc.w, tc.src, tc.s)
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestResizeImagePanicsOnSizes(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("no panic for a source of the wrong length")
		}
	}()
	ResizeImage(make([]float32, 4), 2, 2, make([]float32, 5), ImageShape{1, 2, 2})
}

// TestResizeImages: a Dataset keeps its labels and normalisation, takes the
// new shape, and flat data are refused.
func TestResizeImages(t *testing.T) {
	s := ImageShape{3, 2, 2}
	d := &Dataset{Name: "imgs", Dim: s.Dim(), X: make([]float32, 2*s.Dim()), Labels: []int{1, 0}, Classes: 2, Norm: PixelNorm(s)}
	for i := range d.X {
		d.X[i] = float32(i%4)/4 - 0.5
	}
	r, err := ResizeImages(d, 1, 1)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Validate(); err != nil {
		t.Fatal(err)
	}
	if got, _ := r.Image(); got != (ImageShape{3, 1, 1}) || !slices.Equal(r.X, []float32{-0.125, -0.125, -0.125, -0.125, -0.125, -0.125}) ||
		!slices.Equal(r.Labels, d.Labels) || r.Norm.Scale != d.Norm.Scale || !r.Norm.Bounded {
		t.Fatalf("got %v %v %v %+v", got, r.X, r.Labels, r.Norm)
	}
	flat := &Dataset{Name: "pts", Dim: 2, X: []float32{1, 2}, Norm: Identity()}
	if _, err := ResizeImages(flat, 2, 2); err == nil || !strings.Contains(err.Error(), "pts: cannot resize: its rows are flat vectors") {
		t.Errorf("flat data: %v", err)
	}
	if _, err := ResizeImages(d, 0, 2); err == nil || !strings.Contains(err.Error(), "cannot resize to 0×2") {
		t.Errorf("size 0: %v", err)
	}
}
