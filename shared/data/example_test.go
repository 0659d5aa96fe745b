package data_test

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/gebm/gebm/shared/data"
)

// Draw samples from a toy distribution and evaluate its exact log-density.
func ExampleToyByName() {
	toy, err := data.ToyByName("8gaussians")
	if err != nil {
		panic(err)
	}
	x := make([]float32, 2*4) // 4 samples, row-major
	toy.Sample(rand.New(rand.NewPCG(1, 2)), x)
	// At a mode centre: log(1/8) − log(2π·0.02²) ≈ 3.907.
	lp, ok := toy.LogDensity([]float64{2, 0})
	fmt.Printf("%d modes, log p(2,0) = %.3f (%t)\n", len(toy.Modes()), lp, ok)
	// Output: 8 modes, log p(2,0) = 3.907 (true)
}

// Parse a data spec and build the training and test sets.
func ExampleLoad() {
	spec, err := data.ParseSpec("checkerboard")
	if err != nil {
		panic(err)
	}
	train, test, err := data.Load(spec, data.LoadOptions{Seed: 1, ToyTrain: 1000, ToyTest: 100})
	if err != nil {
		panic(err)
	}
	fmt.Println(spec.Kind, train.Name, train.Rows(), test.Name, test.Rows())
	// A path without an extension is a folder of images or CIFAR-10 files,
	// read by Load; unknown extensions are refused at once.
	folder, _ := data.ParseSpec("runs/cifar-10-batches-bin")
	_, err = data.ParseSpec("runs/x.npz")
	fmt.Println(folder.Kind, err != nil)
	// Output:
	// toy checkerboard-train 1000 checkerboard-test 100
	// folder true
}

// Draw minibatches into a caller-owned buffer.
func ExampleBatcher() {
	d := data.SampleDataset(data.Moons(), 1000, rand.New(rand.NewPCG(1, 2)))
	b, err := data.NewBatcher(d, rand.New(rand.NewPCG(3, 4)))
	if err != nil {
		panic(err)
	}
	batch := make([]float32, 64*d.Dim)
	for step := 0; step < 20; step++ {
		b.Next(batch, nil) // no allocation
	}
	fmt.Println("epochs completed:", b.Epoch())
	// Output: epochs completed: 1
}

// Errors name the file and the place.
func ExampleReadCSV() {
	_, err := data.ReadCSV(strings.NewReader("x,y\n1,2\n3,oops\n"), "points.csv", 2)
	fmt.Println(err)
	// Output: points.csv:3:3: field 2: non-numeric cell "oops"
}

// Write samples as .npy and read them back.
func ExampleWriteNPY() {
	var buf bytes.Buffer
	if err := data.WriteNPY(&buf, []float32{1, 2, 3, 4, 5, 6}, 2); err != nil {
		panic(err)
	}
	d, err := data.ReadNPY(&buf, "samples.npy", 2)
	fmt.Println(d.Rows(), d.Dim, d.X, err)
	// Output: 3 2 [1 2 3 4 5 6] <nil>
}
