package sample_test

import (
	"fmt"
	"math/rand/v2"

	"github.com/gebm/gebm/shared/sample"
)

// A 2-D Gaussian with means (1, −1) and unit variances, as a Pointwise potential:
// U(z) = ||z − μ||²/2, ∇U(z) = z − μ.
var shifted = sample.Pointwise{D: 2, F: func(z, grad []float32) float64 {
	d0, d1 := float64(z[0])-1, float64(z[1])+1
	grad[0], grad[1] = float32(d0), float32(d1)
	return (d0*d0 + d1*d1) / 2
}}

// Sampling with MALA from 500 chains started at the origin, adapting the step size during
// warm-up, and reading the sample mean off the collected samples.
func Example() {
	ch, err := sample.NewChains(shifted, []float32{0, 0}, 500)
	if err != nil {
		panic(err)
	}
	cfg := sample.Config{Method: sample.MALA, StepSize: 0.1, Warmup: 200, Steps: 200, Thin: 10, Keep: true}
	res, err := ch.Run(cfg, rand.New(rand.NewPCG(1, 2)), nil)
	if err != nil {
		panic(err)
	}
	var m [2]float64
	for k, x := range res.Samples {
		m[k%2] += float64(x) / float64(len(res.Samples)/2)
	}
	fmt.Printf("records: %d, mean: (%.1f, %.1f), acceptance near 0.574: %v\n",
		len(res.Energy), m[0], m[1], res.MeanAccept() > 0.5 && res.MeanAccept() < 0.65)
	// Output: records: 20, mean: (1.0, -1.0), acceptance near 0.574: true
}

// Stepping by hand: one KLA step at a time, with an observer-free loop.
func ExampleChains_Step() {
	ch, err := sample.NewChains(shifted, []float32{0, 0}, 100)
	if err != nil {
		panic(err)
	}
	rng := rand.New(rand.NewPCG(3, 4))
	cfg := sample.Config{Method: sample.KLA, StepSize: 0.2, Friction: 1}
	for range 300 {
		if _, err := ch.Step(cfg, rng); err != nil {
			panic(err)
		}
	}
	var mean float64
	for i := range ch.N() {
		mean += float64(ch.Z()[2*i]) / float64(ch.N())
	}
	fmt.Printf("mean of the first coordinate: %.1f\n", mean)
	// Output: mean of the first coordinate: 1.0
}
