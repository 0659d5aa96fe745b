//go:build !js

package data

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestReadImageFolderGrey: a folder of grey PNGs gives one channel, rows in
// the order of the file names, pixels scaled as MNIST's; other files and
// subfolders are skipped.
func TestReadImageFolderGrey(t *testing.T) {
	dir := t.TempDir()
	writePNG(t, filepath.Join(dir, "b.png"), greyImage(3, 2, 0, 255, 10, 20, 30, 40))
	writePNG(t, filepath.Join(dir, "a.PNG"), greyImage(3, 2, 1, 2, 3, 4, 5, 6))
	// RGB pixels with R = G = B are grey too.
	rgb := image.NewRGBA(image.Rect(0, 0, 3, 2))
	for i := range 6 {
		rgb.Set(i%3, i/3, color.RGBA{uint8(100 + i), uint8(100 + i), uint8(100 + i), 255})
	}
	writePNG(t, filepath.Join(dir, "c.png"), rgb)
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("not an image"), 0o644)
	os.Mkdir(filepath.Join(dir, "sub.png"), 0o755)
	d, err := ReadImageFolder(dir, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Validate(); err != nil {
		t.Fatal(err)
	}
	s, ok := d.Image()
	if !ok || s != (ImageShape{1, 2, 3}) || d.Rows() != 3 || d.Name != dir || !slices.Equal(d.Norm.Shape, []int{2, 3}) {
		t.Fatalf("shape %v %t, %d rows, name %q, norm %+v", s, ok, d.Rows(), d.Name, d.Norm)
	}
	want := []float32{px(1), px(2), px(3), px(4), px(5), px(6), -1, 1, px(10), px(20), px(30), px(40),
		px(100), px(101), px(102), px(103), px(104), px(105)}
	if !slices.Equal(d.X, want) {
		t.Fatalf("got %v\nwant %v", d.X, want)
	}
	if n := d.Norm; n.Scale != 1/127.5 || n.Offset != -1 || !n.Bounded || n.Min != -1 || n.Max != 1 {
		t.Fatalf("norm %+v", d.Norm)
	}
}

// TestReadImageFolderColour: colour PNGs give three channel-major planes; a
// grey image among them is repeated in all three; transparency is
// composited onto black; 16-bit values are scaled to 0..255 as v/257; JPEG
// decodes too.
func TestReadImageFolderColour(t *testing.T) {
	dir := t.TempDir()
	c := image.NewNRGBA(image.Rect(0, 0, 2, 1))
	c.SetNRGBA(0, 0, color.NRGBA{255, 0, 10, 255})
	c.SetNRGBA(1, 0, color.NRGBA{200, 100, 50, 0}) // fully transparent: black
	writePNG(t, filepath.Join(dir, "1.png"), c)
	writePNG(t, filepath.Join(dir, "2.png"), greyImage(2, 1, 7, 8))
	g16 := image.NewGray16(image.Rect(0, 0, 2, 1))
	g16.SetGray16(0, 0, color.Gray16{257 * 100})
	g16.SetGray16(1, 0, color.Gray16{65535})
	writePNG(t, filepath.Join(dir, "3.png"), g16)
	d, err := ReadImageFolder(dir, 0)
	if err != nil {
		t.Fatal(err)
	}
	if s, _ := d.Image(); s != (ImageShape{3, 1, 2}) || !slices.Equal(d.Norm.Shape, []int{3, 1, 2}) {
		t.Fatalf("shape %v", s)
	}
	want := []float32{
		1, -1, -1, -1, px(10), -1, // R, G, B planes of 1.png
		px(7), px(8), px(7), px(8), px(7), px(8), // 2.png, grey, three times
		px(100), 1, px(100), 1, px(100), 1, // 3.png
	}
	if !slices.Equal(d.X, want) {
		t.Fatalf("got %v\nwant %v", d.X, want)
	}

	jdir := t.TempDir()
	img := image.NewRGBA(image.Rect(0, 0, 8, 8))
	for i := range img.Pix {
		img.Pix[i] = 255 // white
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 95}); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(jdir, "w.jpeg"), b.Bytes(), 0o644)
	d, err = ReadImageFolder(jdir, 0)
	if err != nil {
		t.Fatal(err)
	}
	if s, _ := d.Image(); d.Rows() != 1 || s.H != 8 || s.W != 8 {
		t.Fatalf("jpeg: %v, %d rows", s, d.Rows())
	}
	for _, v := range d.X {
		if v < 0.98 {
			t.Fatalf("white JPEG pixel stored as %g", v)
		}
	}
}

// TestReadImageFolderResize: with a size, images of different sizes are
// resampled to size×size: a 4×2 grey image shrinks by area averaging, a 1×1
// grows by repetition.
func TestReadImageFolderResize(t *testing.T) {
	dir := t.TempDir()
	writePNG(t, filepath.Join(dir, "a.png"), greyImage(4, 2, 0, 10, 20, 30, 40, 50, 60, 70))
	writePNG(t, filepath.Join(dir, "b.png"), greyImage(1, 1, 90))
	d, err := ReadImageFolder(dir, 2)
	if err != nil {
		t.Fatal(err)
	}
	// a.png: columns averaged in pairs (4 → 2), rows kept (2 → 2).
	want := []float32{px(5), px(25), px(45), px(65), px(90), px(90), px(90), px(90)}
	if s, _ := d.Image(); s != (ImageShape{1, 2, 2}) || !slices.Equal(d.X, want) {
		t.Fatalf("shape %v: got %v, want %v", s, d.X, want)
	}
}

// TestReadImageFolderErrors: every problem names the file (or folder) and says what is wrong.
func TestReadImageFolderErrors(t *testing.T) {
	mk := func(files map[string][]byte) string {
		dir := t.TempDir()
		for name, b := range files {
			os.WriteFile(filepath.Join(dir, name), b, 0o644)
		}
		return dir
	}
	enc := func(img image.Image) []byte {
		var b bytes.Buffer
		png.Encode(&b, img)
		return b.Bytes()
	}
	good := enc(greyImage(2, 2, 1, 2, 3, 4))
	for _, tc := range []struct {
		name  string
		files map[string][]byte
		size  int
		file  string
		want  string
	}{
		{"empty", nil, 0, "", "no images in the folder"},
		{"no images", map[string][]byte{"a.txt": []byte("x")}, 0, "", "no images in the folder"},
		{"undecodable", map[string][]byte{"a.png": good, "b.png": []byte("not a png")}, 0, "b.png", "not a PNG or JPEG image that decodes"},
		{"truncated", map[string][]byte{"a.png": good[:len(good)-20]}, 0, "a.png", "not a PNG or JPEG image that decodes"},
		{"mixed sizes", map[string][]byte{"a.png": good, "b.png": enc(greyImage(3, 2, 1, 2, 3, 4, 5, 6))}, 0, "b.png",
			"image 3 pixels wide and 2 high, but " + "%DIR%/a.png is 2 wide and 2 high: give an image size (--image-size N)"},
		{"bad size", map[string][]byte{"a.png": good}, MaxImageSide + 1, "", "image size 4097"},
	} {
		dir := mk(tc.files)
		_, err := ReadImageFolder(dir, tc.size)
		want := strings.ReplaceAll(tc.want, "%DIR%", dir)
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), filepath.Join(dir, tc.file)) {
			t.Errorf("%s: %v, want %q naming %s", tc.name, err, want, tc.file)
		}
	}
	if _, err := ReadImageFolder(filepath.Join(t.TempDir(), "missing"), 0); err == nil || !strings.Contains(err.Error(), "missing") {
		t.Errorf("missing folder: %v", err)
	}
}

// TestDecodeImageHugeHeader: a PNG header declaring a huge image is refused
// before any pixel memory is allocated.
func TestDecodeImageHugeHeader(t *testing.T) {
	var b bytes.Buffer
	png.Encode(&b, greyImage(1, 1, 0))
	in := b.Bytes()
	// The IHDR chunk: type at bytes 12..15, width at 16..19, CRC of type
	// and data at 29..32.
	in[16], in[17], in[18], in[19] = 0, 1, 0, 0 // 65536 pixels wide
	binary.BigEndian.PutUint32(in[29:], crc32.ChecksumIEEE(in[12:29]))
	_, err := decodeImage(in, "huge.png", 0)
	if err == nil || !strings.Contains(err.Error(), "huge.png: image 65536 pixels wide") {
		t.Fatalf("got %v", err)
	}
}
