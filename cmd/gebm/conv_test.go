package main

import (
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/gebm/gebm/shared/data"
	"github.com/gebm/gebm/shared/model/modeltest"
)

// writeConvModel writes modeltest.Conv(seed, channels, side), a DCGAN-like
// convolutional GEBM (batchnorm with running statistics, transposed and
// spectrally normalised convolutions), to dir/name.
func writeConvModel(t *testing.T, dir, name string, seed uint64, channels, side int) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, modeltest.File(modeltest.Conv(seed, channels, side)), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestSampleConv: gebm sample runs every sampler (none, ula, mala, hmc,
// kla, mh, imh, sir) on a grey 1×16×16 and a colour 3×12×12 convolutional
// model: the .npy holds n rows of C·H·W finite values in the tanh output's
// [−1, 1]; every MCMC kernel moves the samples away from the generator's
// (same seed, --sampler none). The .png is an image grid of the samples
// with the same seed: grey for one channel, colour for three, its size
// that of the grid, and its first image's top-left pixel that of the
// first sample's values (channel-major: R, G, B planes).
func TestSampleConv(t *testing.T) {
	dir := t.TempDir()
	const n = 6
	for _, md := range []struct {
		name           string
		seed           uint64
		channels, side int
	}{{"grey", 41, 1, 16}, {"colour", 42, 3, 12}} {
		m := writeConvModel(t, dir, md.name+".gebm", md.seed, md.channels, md.side)
		D := md.channels * md.side * md.side
		sample := func(sampler, ext string) (string, []float32) {
			out := filepath.Join(dir, md.name+"-"+sampler+ext)
			code, _, errOut := gebm(t, "sample", "--model", m, "--sampler", sampler, "--n", fmt.Sprint(n), "--steps", "3",
				"--warmup", "0", "--step-size", "0.02", "--sir-pool", "4", "--seed", "5", "--quiet", "--out", out)
			if code != 0 {
				t.Fatalf("%s %s %s: %s", md.name, sampler, ext, errOut)
			}
			if ext != ".npy" {
				return out, nil
			}
			d, err := data.ReadFile(out, D)
			if err != nil || d.Rows() != n {
				t.Fatalf("%s %s: %v", md.name, sampler, err)
			}
			return out, d.X
		}
		_, gen := sample("none", ".npy")
		for _, s := range []string{"none", "ula", "mala", "hmc", "kla", "mh", "imh", "sir"} {
			_, x := sample(s, ".npy")
			for i, v := range x {
				if !(v >= -1 && v <= 1) {
					t.Fatalf("%s %s: value %d is %v", md.name, s, i, v)
				}
			}
			if s != "none" && s != "sir" && slices.Equal(x, gen) {
				t.Errorf("%s %s: the samples are the generator's: the chains did not move", md.name, s)
			}
		}
		_, x := sample("mala", ".npy")
		path, _ := sample("mala", ".png")
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		const cols, rows, scale, gap = 3, 2, 2, 2 // ImageGrid's layout of 6 images
		if want := image.Rect(0, 0, cols*(md.side*scale+gap)+gap, rows*(md.side*scale+gap)+gap); img.Bounds() != want {
			t.Fatalf("%s: grid of %v, want %v", md.name, img.Bounds(), want)
		}
		if grey := img.ColorModel() == color.GrayModel; grey != (md.channels == 1) {
			t.Fatalf("%s: the grid's colour model is %T-like (grey %v)", md.name, img.ColorModel(), grey)
		}
		level := func(v float32) uint32 { return uint32(math.Max(0, math.Min(255, (float64(v)+1)/2*255))) }
		r, g, b, _ := img.At(gap, gap).RGBA()
		plane := md.side * md.side
		want := [3]uint32{level(x[0]), level(x[0]), level(x[0])}
		if md.channels == 3 {
			want = [3]uint32{level(x[0]), level(x[plane]), level(x[2*plane])}
		}
		if got := [3]uint32{r >> 8, g >> 8, b >> 8}; got != want {
			t.Errorf("%s: first pixel %v, the first sample's values give %v", md.name, got, want)
		}
	}
}
