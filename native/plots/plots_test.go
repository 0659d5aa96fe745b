package plots

import (
	"image/png"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/gebm/gebm/shared/ckpt"
	"github.com/gebm/gebm/shared/model"
)

// TestImageGrid: n images of h×w in a square grid, 2x scale with 2-pixel
// gaps; values -1 and 1 map to black and white.
func TestImageGrid(t *testing.T) {
	path := filepath.Join(t.TempDir(), "grid.png")
	x := make([]float32, 5*6)
	for i := range x {
		x[i] = -1
	}
	x[0] = 1 // first pixel of the first image
	if err := ImageGrid(path, x, 5, []int{2, 3}); err != nil {
		t.Fatal(err)
	}
	f, _ := os.Open(path)
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	// 5 images → 3 columns, 2 rows; each 3·2 wide + gap 2.
	if b := img.Bounds(); b.Dx() != 3*(3*2+2)+2 || b.Dy() != 2*(2*2+2)+2 {
		t.Fatalf("grid %v", b)
	}
	if r, _, _, _ := img.At(2, 2).RGBA(); r>>8 != 255 {
		t.Fatalf("pixel value 1 drawn as %d, want white", r>>8)
	}
	if r, _, _, _ := img.At(4, 2).RGBA(); r>>8 != 0 {
		t.Fatalf("pixel value -1 drawn as %d, want black", r>>8)
	}
	if err := ImageGrid(path, make([]float32, 7), 1, nil); err == nil {
		t.Fatal("7 values drawn as an image")
	}
}

// TestImageGridColour: rows of shape [3 H W] are drawn in colour from their
// red, green and blue planes.
func TestImageGridColour(t *testing.T) {
	path := filepath.Join(t.TempDir(), "colour.png")
	// One 1×2 image: pixel 0 red, pixel 1 (0, 1, -1) → (128, 255, 0).
	if err := ImageGrid(path, []float32{1, 0, -1, 1, -1, -1}, 1, []int{3, 1, 2}); err != nil {
		t.Fatal(err)
	}
	f, _ := os.Open(path)
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ x, r, g, b uint32 }{{2, 255, 0, 0}, {4, 127, 255, 0}} {
		if r, g, b, _ := img.At(int(tc.x), 2).RGBA(); r>>8 != tc.r || g>>8 != tc.g || b>>8 != tc.b {
			t.Errorf("pixel at x=%d: (%d, %d, %d), want (%d, %d, %d)", tc.x, r>>8, g>>8, b>>8, tc.r, tc.g, tc.b)
		}
	}
	if err := ImageGrid(path, make([]float32, 8), 1, []int{2, 2, 2}); err == nil {
		t.Fatal("2-channel images drawn")
	}
}

// TestSamplesAndCurves: the 2-D picture, the image grid and the curves are
// written as PNG files.
func TestSamplesAndCurves(t *testing.T) {
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(1, 1))
	m2, _ := model.New(model.Config{Latent: 2, Data: ckpt.DataInfo{Dim: 2}, BaseHidden: []int{8}, EnergyHidden: []int{8}}, rng)
	mi, _ := model.New(model.Config{Latent: 2, Data: ckpt.DataInfo{Dim: 16, Shape: []int{4, 4}}, BaseHidden: []int{8}, EnergyHidden: []int{8}, BaseOutput: "tanh"}, rng)
	for name, m := range map[string]*model.GEBM{"2d.png": m2, "img.png": mi} {
		if err := Samples(filepath.Join(dir, name), m, nil, 200, 1); err != nil {
			t.Fatal(err)
		}
	}
	if err := Curves(filepath.Join(dir, "c.png"), "t", "step", []float64{1, 2, 3}, map[string][]float64{"a": {3, 2, 1}}); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"2d.png", "img.png", "c.png"} {
		f, err := os.Open(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := png.Decode(f); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		f.Close()
	}
}
