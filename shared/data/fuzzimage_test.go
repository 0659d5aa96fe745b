//go:build !js

package data

import (
	"bytes"
	"image/png"
	"testing"
)

// FuzzDecodeImage decodes an image file's bytes as ReadImageFolder does,
// at its own size (size 0) or resampled to size×size.
func FuzzDecodeImage(f *testing.F) {
	var b bytes.Buffer
	png.Encode(&b, greyImage(3, 2, 0, 50, 100, 150, 200, 250))
	f.Add(b.Bytes(), uint8(0))
	f.Add(b.Bytes(), uint8(5))
	f.Fuzz(func(t *testing.T, in []byte, size uint8) {
		n := int(size % 17)
		im, err := decodeImage(in, "fuzz.png", n)
		if err != nil {
			if _, ok := err.(*ParseError); !ok {
				t.Fatalf("error of type %T: %v", err, err)
			}
			return
		}
		if im.C != 1 && im.C != 3 || im.H < 1 || im.W < 1 || len(im.X) != im.Dim() || n > 0 && (im.H != n || im.W != n) {
			t.Fatalf("image %v with %d values at size %d", im.ImageShape, len(im.X), n)
		}
		for _, v := range im.X {
			if !(v >= -1 && v <= 1) {
				t.Fatalf("stored value %g outside [-1, 1]", v)
			}
		}
	})
}
