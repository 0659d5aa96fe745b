//go:build !js && !wasip1

package main

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/gebm/gebm/shared/model/modeltest"
	"github.com/gebm/gebm/shared/nn"
)

// TestDCGANInputs: the benchmark's inputs for the dcgan model describe
// every layer TensorFlow.js needs: the base's linear layer writes the
// 2C×7×7 image its transposed convolution reads, the energy's reads the
// 2C×7×7 image of its last convolution, the convolutions carry their
// geometry, and a batchnorm's scale and shift are γ/√(var+ε) and
// β − scale·mean of the model's tensors.
func TestDCGANInputs(t *testing.T) {
	g, _, err := benchModel("dcgan", 4, "")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := writeInputs(dir, modeltest.File(g)); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "layers.json"))
	if err != nil {
		t.Fatal(err)
	}
	var nets map[string][]layer
	if err := json.Unmarshal(b, &nets); err != nil {
		t.Fatal(err)
	}
	base, energy := nets["base"], nets["energy"]
	if len(base) != len(g.Base.Spec().Layers) || len(energy) != len(g.Energy.Spec().Layers) {
		t.Fatalf("%d base and %d energy layers, want %d and %d", len(base), len(energy), len(g.Base.Spec().Layers), len(g.Energy.Spec().Layers))
	}
	if l := base[0]; l.Kind != nn.KindLinear || l.InImage != nil || !slices.Equal(l.OutImage, []int{8, 7, 7}) {
		t.Errorf("base linear layer %+v: want a flat input and an 8×7×7 output image", l)
	}
	if l := energy[len(energy)-1]; l.Kind != nn.KindLinear || !slices.Equal(l.InImage, []int{8, 7, 7}) || l.OutImage != nil {
		t.Errorf("energy linear layer %+v: want an 8×7×7 input image and a flat output", l)
	}
	if l := energy[0]; l.Kind != nn.KindConv2D || l.In != 1 || l.Out != 4 || l.Height != 28 || l.Kernel != 4 || l.Stride != 2 || l.Padding != 1 {
		t.Errorf("energy's first layer %+v: want conv2d 1→4 on 28×28, kernel 4, stride 2, padding 1", l)
	}
	w, err := os.ReadFile(filepath.Join(dir, "weights.bin"))
	if err != nil {
		t.Fatal(err)
	}
	params := map[string][]float32{}
	for _, p := range append(g.Base.Params(), g.Base.State()...) {
		params[p.Name] = p.Value
	}
	l := base[1]
	if l.Kind != nn.KindBatchNorm || l.Out != 8 {
		t.Fatalf("base layer 1 %+v: want batchnorm of 8 channels", l)
	}
	f32 := func(i int) float64 {
		b := w[4*i:]
		return float64(math.Float32frombits(uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24))
	}
	for c := range 8 {
		gamma, beta := float64(params["1.weight"][c]), float64(params["1.bias"][c])
		mean, variance := float64(params["1.running_mean"][c]), float64(params["1.running_var"][c])
		// x·scale + shift against γ(x − mean)/√(var + ε) + β at x = 0 and 1.
		for _, x := range []float64{0, 1} {
			want := gamma*(x-mean)/math.Sqrt(variance+batchNormEps) + beta
			if got := x*f32(l.WOffset+c) + f32(l.BOffset+c); math.Abs(got-want) > 1e-6*max(1, math.Abs(want)) {
				t.Errorf("batchnorm channel %d at x = %g: %g, want %g", c, x, got, want)
			}
		}
	}
}
