//go:build !js

package data

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	_ "image/jpeg" // registers JPEG with image.Decode
	_ "image/png"  // registers PNG with image.Decode
	"os"
	"path/filepath"
	"strings"
)

// IsImageFile reports whether a file name ends in .png, .jpg or .jpeg (any
// case): the files ReadImageFolder reads.
func IsImageFile(name string) bool {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".png", ".jpg", ".jpeg":
		return true
	}
	return false
}

// ReadImageFolder reads the PNG and JPEG files of dir (IsImageFile; other
// files and subfolders are ignored, subfolders are not searched) in the
// order of their names (bytewise), one image per row, into a Dataset named
// dir with PixelNorm: each colour value p ∈ [0, 255] stored as p/127.5 − 1
// (16-bit PNG values v ∈ [0, 65535] as p = v/257; transparent pixels are
// composited onto black).
//
// The images must all have the same size unless size > 0, which resamples
// every image to size×size with ResizeImage (area averaging where it
// shrinks, bilinear where it grows; the aspect ratio is not kept). An image
// is grey when every pixel has R = G = B; a folder of grey images gives one
// channel, any other folder three (R, G, B; its grey images are converted
// to colour by repeating their value).
//
// Errors name the file: an image that does not decode, one of another size
// (without size), an image larger than MaxImageSide, or a folder without
// images. Nothing in dir is written.
func ReadImageFolder(dir string, size int) (*Dataset, error) {
	if size < 0 || size > MaxImageSide {
		return nil, fmt.Errorf("data: %s: image size %d: want 0 (the images' own) or 1..%d", dir, size, MaxImageSide)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("data: %w", err)
	}
	var imgs []decodedImage
	var first string
	colour := false
	for _, e := range entries {
		if e.IsDir() || !IsImageFile(e.Name()) {
			continue
		}
		path := filepath.Join(dir, e.Name())
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("data: %w", err)
		}
		im, err := decodeImage(b, path, size)
		if err != nil {
			return nil, err
		}
		if len(imgs) > 0 && (im.H != imgs[0].H || im.W != imgs[0].W) {
			return nil, &ParseError{File: path, Msg: fmt.Sprintf("image %d pixels wide and %d high, but %s is %d wide and %d high: give an image size (--image-size N) to resize them all to N×N",
				im.W, im.H, first, imgs[0].W, imgs[0].H)}
		}
		if len(imgs) == 0 {
			first = path
		}
		colour = colour || im.C == 3
		imgs = append(imgs, im)
	}
	if len(imgs) == 0 {
		return nil, fmt.Errorf("data: %s: no images in the folder (PNG or JPEG files ending in .png, .jpg or .jpeg)", dir)
	}
	s := ImageShape{C: 1, H: imgs[0].H, W: imgs[0].W}
	if colour {
		s.C = 3
	}
	d := &Dataset{Name: dir, Dim: s.Dim(), Norm: PixelNorm(s), X: make([]float32, 0, len(imgs)*s.Dim())}
	for _, im := range imgs {
		for range s.C / im.C { // a grey image in a colour folder: its plane three times
			d.X = append(d.X, im.X...)
		}
	}
	return d, nil
}

// decodedImage is one image in stored values (PixelNorm), channel-major:
// C (1 or 3) planes of H×W.
type decodedImage struct {
	ImageShape
	X []float32
}

// decodeImage decodes one PNG or JPEG image b (name is used in errors) into
// stored values as ReadImageFolder does: one plane when every pixel has
// R = G = B, else three, resampled to size×size when size > 0. The size the
// header declares is checked against MaxImageSide before any pixel is
// decoded, so a small file that declares a huge image costs at most the
// memory of a MaxImageSide² image, not what it declares.
func decodeImage(b []byte, name string, size int) (decodedImage, error) {
	cfg, _, err := image.DecodeConfig(bytes.NewReader(b))
	if err != nil {
		return decodedImage{}, &ParseError{File: name, Msg: fmt.Sprintf("not a PNG or JPEG image that decodes: %v", err)}
	}
	if cfg.Width < 1 || cfg.Height < 1 || cfg.Width > MaxImageSide || cfg.Height > MaxImageSide {
		return decodedImage{}, &ParseError{File: name, Msg: fmt.Sprintf("image %d pixels wide and %d high: want sides in 1..%d", cfg.Width, cfg.Height, MaxImageSide)}
	}
	img, _, err := image.Decode(bytes.NewReader(b))
	if err != nil {
		return decodedImage{}, &ParseError{File: name, Msg: fmt.Sprintf("not a PNG or JPEG image that decodes: %v", err)}
	}
	bounds := img.Bounds()
	w, h := bounds.Dx(), bounds.Dy()
	if w != cfg.Width || h != cfg.Height {
		return decodedImage{}, &ParseError{File: name, Msg: fmt.Sprintf("decodes to %d×%d pixels (width×height), its header says %d×%d", w, h, cfg.Width, cfg.Height)}
	}
	// Pixel values p = v/257 ∈ [0, 255] of the alpha-premultiplied 16-bit
	// colour, as three planes, and whether they are all grey.
	pix := make([]float32, 3*w*h)
	grey := true
	at := func(x, y int) color.RGBA64 {
		r, g, b, a := img.At(x, y).RGBA()
		return color.RGBA64{uint16(r), uint16(g), uint16(b), uint16(a)}
	}
	if fast, ok := img.(image.RGBA64Image); ok {
		at = fast.RGBA64At
	}
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			c := at(bounds.Min.X+x, bounds.Min.Y+y)
			k := y*w + x
			pix[k], pix[w*h+k], pix[2*w*h+k] = float32(c.R)/257, float32(c.G)/257, float32(c.B)/257
			grey = grey && c.R == c.G && c.G == c.B
		}
	}
	s := ImageShape{C: 3, H: h, W: w}
	if grey {
		s.C, pix = 1, pix[:w*h]
	}
	if size > 0 {
		r := make([]float32, s.C*size*size)
		ResizeImage(r, size, size, pix, s)
		s.H, s.W, pix = size, size, r
	}
	for k, p := range pix {
		pix[k] = pixelValue(float64(p))
	}
	return decodedImage{ImageShape: s, X: pix}, nil
}
