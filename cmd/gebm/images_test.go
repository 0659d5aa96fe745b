package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gebm/gebm/shared/model"
)

// writeImageFolder writes n colour PNG images into a new folder, image i
// (i+5)×(i%3+4) pixels, so that their sizes differ.
func writeImageFolder(t *testing.T, n int) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "imgs")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for i := range n {
		img := image.NewRGBA(image.Rect(0, 0, i%4+5, i%3+4))
		for y := range img.Bounds().Dy() {
			for x := range img.Bounds().Dx() {
				img.Set(x, y, color.RGBA{uint8(40 * x), uint8(40 * y), uint8(20 * i), 255})
			}
		}
		var b bytes.Buffer
		if err := png.Encode(&b, img); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("img%02d.png", i)), b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestTrainOnImageFolder: gebm train reads a folder of colour images of
// different sizes resampled by --image-size, records the image shape and
// the size in the model, resumes with them, refuses to change the size,
// and gebm sample and gebm eval use the model on the same folder. Without
// --image-size the folder's mixed sizes are refused, naming a file.
func TestTrainOnImageFolder(t *testing.T) {
	imgs := writeImageFolder(t, 14)
	run := filepath.Join(t.TempDir(), "run")
	args := []string{"train", "--data", imgs, "--out", run, "--hidden", "8,8", "--batch", "8", "--warmup", "2", "--burst-every", "0",
		"--final-energy-steps", "2", "--a-init-batches", "2", "--test-fraction", "0.3", "--quiet"}
	code, _, errOut := gebm(t, append(args, "--steps", "20")...)
	if code != 1 || !strings.Contains(errOut, "img01.png: image 6 pixels wide and 5 high, but "+filepath.Join(imgs, "img00.png")+" is 5 wide and 4 high") {
		t.Fatalf("mixed sizes without --image-size: code %d, %q", code, errOut)
	}
	if code, _, errOut := gebm(t, append(args, "--steps", "20", "--image-size", "4")...); code != 0 {
		t.Fatalf("gebm train: %s", errOut)
	}
	load := func() *model.GEBM { return loadModelFile(t, filepath.Join(run, "model.gebm")) }
	m := load()
	if m.Dim() != 48 || !slices.Equal(m.Data.Shape, []int{3, 4, 4}) || m.Data.Scale != 1/127.5 || m.Training.Options["image_size"] != "4" || m.Training.Steps != 20 {
		t.Fatalf("model: dim %d, data %+v, options %v, steps %d", m.Dim(), m.Data, m.Training.Options, m.Training.Steps)
	}
	if st, err := os.Stat(filepath.Join(run, "samples.png")); err != nil || st.Size() == 0 {
		t.Fatalf("samples.png: %v", err)
	}
	code, _, errOut = gebm(t, "train", "--out", run, "--resume", "--steps", "22", "--image-size", "8", "--quiet")
	if code != 1 || !strings.Contains(errOut, "--image-size 8 contradicts the run's --image-size 4") {
		t.Fatalf("--resume --image-size 8: code %d, %q", code, errOut)
	}
	if code, _, errOut := gebm(t, "train", "--out", run, "--resume", "--steps", "22", "--quiet"); code != 0 || load().Training.Steps != 22 {
		t.Fatalf("--resume: code %d, %q", code, errOut)
	}

	if img := sampleGrid(t, run); !isRGBA(img) {
		t.Errorf("the sample grid is a %T, want colour", img)
	}

	code, stdout, errOut := gebm(t, "eval", "--model", filepath.Join(run, "model.gebm"), "--data", imgs, "--n", "20", "--steps", "2",
		"--kale-points", "0", "--quiet", "--json")
	if code != 0 {
		t.Fatalf("gebm eval: %s", errOut)
	}
	var r evalReport
	if err := json.Unmarshal([]byte(stdout), &r); err != nil {
		t.Fatal(err)
	}
	// 30% of 14 images are held out: eval compares with those 4.
	if r.SubsetData != 4 || r.Data != imgs {
		t.Errorf("eval: %d data rows, data %q", r.SubsetData, r.Data)
	}
}

// TestTrainOnCIFARFile: a CIFAR-10 binary file trains as 3×32×32 images,
// and a truncated one is refused naming the file and the record, the run
// already in --out kept even with --force.
func TestTrainOnCIFARFile(t *testing.T) {
	dir := t.TempDir()
	var recs []byte
	for i := range 10 {
		recs = append(recs, byte(i))
		for k := range 3072 {
			recs = append(recs, byte(i*7+k))
		}
	}
	bin := filepath.Join(dir, "data_batch_1.bin")
	if err := os.WriteFile(bin, recs, 0o644); err != nil {
		t.Fatal(err)
	}
	run := filepath.Join(dir, "run")
	args := []string{"train", "--data", bin, "--out", run, "--steps", "3", "--hidden", "8,8", "--batch", "4", "--warmup", "2",
		"--burst-every", "0", "--final-energy-steps", "0", "--a-init-batches", "1", "--quiet"}
	if code, _, errOut := gebm(t, args...); code != 0 {
		t.Fatalf("gebm train: %s", errOut)
	}
	b, err := os.ReadFile(filepath.Join(run, "model.gebm"))
	if err != nil {
		t.Fatal(err)
	}
	m, err := model.Load(b)
	if err != nil {
		t.Fatal(err)
	}
	if m.Dim() != 3072 || !slices.Equal(m.Data.Shape, []int{3, 32, 32}) || m.Training.Options["image_size"] != "0" {
		t.Fatalf("model: dim %d, data %+v, options %v", m.Dim(), m.Data, m.Training.Options)
	}
	if err := os.WriteFile(bin, recs[:len(recs)-1], 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := gebm(t, append(args, "--force")...)
	if code != 1 || !strings.Contains(errOut, bin+": record 9: truncated") {
		t.Fatalf("truncated file: code %d, %q", code, errOut)
	}
	// --force deletes the earlier run only once the data have loaded.
	if after, err := os.ReadFile(filepath.Join(run, "model.gebm")); err != nil || !bytes.Equal(after, b) {
		t.Fatalf("the run refused with --force lost its model: %v", err)
	}
}

// isRGBA reports whether img is a colour image as gebm writes them.
func isRGBA(img image.Image) bool {
	_, ok := img.(*image.RGBA)
	return ok
}

// sampleGrid runs gebm sample on run/model.gebm (4 samples, 2 steps) into
// run/grid.png and returns the decoded image grid.
func sampleGrid(t *testing.T, run string) image.Image {
	t.Helper()
	grid := filepath.Join(run, "grid.png")
	if code, _, errOut := gebm(t, "sample", "--model", filepath.Join(run, "model.gebm"), "--n", "4", "--steps", "2", "--out", grid); code != 0 {
		t.Fatalf("gebm sample: %s", errOut)
	}
	f, err := os.Open(grid)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("%s: %v", grid, err)
	}
	return img
}
