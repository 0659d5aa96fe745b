package data

import (
	"bytes"
	"image"
	"image/png"
	"os"
	"testing"
)

// writePNG writes img as a PNG file at path.
func writePNG(t testing.TB, path string, img image.Image) {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// greyImage returns a w×h grey image with the given pixels, row by row.
func greyImage(w, h int, pix ...uint8) *image.Gray {
	g := image.NewGray(image.Rect(0, 0, w, h))
	copy(g.Pix, pix)
	return g
}

// px is the stored value of pixel value p (PixelNorm), as the readers compute it.
func px(p float64) float32 { return float32(p/127.5 - 1) }
