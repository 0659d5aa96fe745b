package data

import "fmt"

// ImageShape is the shape of one image row: C channels of H×W pixels,
// stored channel-major, the NCHW convention of gebm's convolutional layers:
// value (c, y, x) of a row is at index (c·H + y)·W + x, so a row holds
// C·H·W values.
type ImageShape struct{ C, H, W int }

// Dim returns C·H·W, the number of values in a row.
func (s ImageShape) Dim() int { return s.C * s.H * s.W }

// String writes the shape as C×H×W.
func (s ImageShape) String() string { return fmt.Sprintf("%d×%d×%d", s.C, s.H, s.W) }

// RowShape returns the shape a Normalization (and so a model file) records
// for rows of this shape: [H W] for one channel, as MNIST has always
// recorded it, and [C H W] for more.
func (s ImageShape) RowShape() []int {
	if s.C == 1 {
		return []int{s.H, s.W}
	}
	return []int{s.C, s.H, s.W}
}

// Image returns the image shape n.Shape records: [H W] is a one-channel
// image 1×H×W, [C H W] a C-channel one; false for nil (flat rows) or any
// other rank.
func (n Normalization) Image() (ImageShape, bool) {
	switch len(n.Shape) {
	case 2:
		return ImageShape{1, n.Shape[0], n.Shape[1]}, true
	case 3:
		return ImageShape{n.Shape[0], n.Shape[1], n.Shape[2]}, true
	}
	return ImageShape{}, false
}

// Image returns the shape of d's rows when they are images (MNIST is
// 1×28×28, a CIFAR-10 set 3×32×32), false when they are flat vectors.
func (d *Dataset) Image() (ImageShape, bool) { return d.Norm.Image() }

// PixelNorm is the normalisation of every image source whose pixels are
// bytes (MNIST, image folders, CIFAR-10, uint8 .npy arrays): a pixel value
// p ∈ [0, 255] is stored as p/127.5 − 1 ∈ [−1, 1], the scale a tanh output
// layer reaches; rows have shape s.
func PixelNorm(s ImageShape) Normalization {
	return Normalization{Shape: s.RowShape(), Scale: 1 / 127.5, Offset: -1, Bounded: true, Min: -1, Max: 1}
}

// pixelValue returns the stored value p/127.5 − 1 of a pixel value p in
// [0, 255] (PixelNorm).
func pixelValue(p float64) float32 { return float32(p/127.5 - 1) }

// pixelTable returns pixelValue of every byte.
func pixelTable() *[256]float32 {
	var lut [256]float32
	for p := range lut {
		lut[p] = pixelValue(float64(p))
	}
	return &lut
}
