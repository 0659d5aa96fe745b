package plots

import (
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"math"
	"os"
)

// ImageGrid writes n images (rows of x, values in [-1, 1], each of the
// given shape: [H W] grey, or [C H W] channel-major with C = 1 grey or
// C = 3 red, green, blue) as a square grid PNG, scaled up 2x.
func ImageGrid(path string, x []float32, n int, shape []int) error {
	dim := len(x) / max(n, 1)
	c, h, w, err := checkShape(shape, dim)
	if err != nil {
		return err
	}
	cols := int(math.Ceil(math.Sqrt(float64(n))))
	rows := (n + cols - 1) / cols
	const scale, gap = 2, 2
	rect := image.Rect(0, 0, cols*(w*scale+gap)+gap, rows*(h*scale+gap)+gap)
	var img draw.Image = image.NewGray(rect)
	if c == 3 {
		img = image.NewRGBA(rect)
	}
	draw.Draw(img, rect, image.NewUniform(color.Gray{Y: 60}), image.Point{}, draw.Src)
	level := func(v float32) uint8 { return uint8(math.Max(0, math.Min(255, (float64(v)+1)/2*255))) }
	for k := 0; k < n; k++ {
		ox, oy := gap+(k%cols)*(w*scale+gap), gap+(k/cols)*(h*scale+gap)
		for r := 0; r < h; r++ {
			for q := 0; q < w; q++ {
				at := k*dim + r*w + q
				var col color.Color = color.Gray{Y: level(x[at])}
				if c == 3 {
					col = color.RGBA{level(x[at]), level(x[at+h*w]), level(x[at+2*h*w]), 255}
				}
				for dy := 0; dy < scale; dy++ {
					for dx := 0; dx < scale; dx++ {
						img.Set(ox+q*scale+dx, oy+r*scale+dy, col)
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
