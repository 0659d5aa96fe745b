package plots

import (
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
)

// ImageGrid writes n images (rows of x, values in [-1, 1], each of the
// given shape) as a square grid PNG, scaled up 2x.
func ImageGrid(path string, x []float32, n int, shape []int) error {
	dim := len(x) / max(n, 1)
	h, w, err := checkShape(shape, dim)
	if err != nil {
		return err
	}
	cols := int(math.Ceil(math.Sqrt(float64(n))))
	rows := (n + cols - 1) / cols
	const scale, gap = 2, 2
	img := image.NewGray(image.Rect(0, 0, cols*(w*scale+gap)+gap, rows*(h*scale+gap)+gap))
	for i := range img.Pix {
		img.Pix[i] = 60
	}
	for k := 0; k < n; k++ {
		ox, oy := gap+(k%cols)*(w*scale+gap), gap+(k/cols)*(h*scale+gap)
		for r := 0; r < h; r++ {
			for c := 0; c < w; c++ {
				v := float64(x[k*dim+r*w+c])
				g := uint8(math.Max(0, math.Min(255, (v+1)/2*255)))
				for dy := 0; dy < scale; dy++ {
					for dx := 0; dx < scale; dx++ {
						img.SetGray(ox+c*scale+dx, oy+r*scale+dy, color.Gray{Y: g})
					}
				}
			}
		}
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := png.Encode(f, img); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
