package kale_test

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/gebm/gebm/shared/kale"
)

// gauss returns n points of N(mean, I) in dimension len(mean).
func gauss(rng *rand.Rand, n int, mean ...float64) kale.Samples {
	d := len(mean)
	data := make([]float64, n*d)
	for i := range data {
		data[i] = mean[i%d] + rng.NormFloat64()
	}
	s, _ := kale.NewSamples(data, n, d)
	return s
}

// KALE between two 2-D Gaussians one unit apart (KL = 0.5), with the
// default λ = 0.1 and the median-heuristic bandwidth, then the witness
// evaluated at a point (for a contour plot, evaluate it on a grid).
func ExampleKALE() {
	rng := rand.New(rand.NewPCG(1, 2))
	x := gauss(rng, 300, 0, 0) // P
	y := gauss(rng, 300, 1, 0) // Q
	r, err := kale.KALE(x, y, kale.Options{})
	if err != nil {
		panic(err)
	}
	fmt.Printf("KALE %.2f, converged %v\n", r.Value, r.Converged)
	fmt.Printf("witness lower at P's mean: %v\n", r.Witness.Eval([]float64{0, 0}) < r.Witness.Eval([]float64{1, 0}))
	// Output:
	// KALE 0.23, converged true
	// witness lower at P's mean: true
}

// The loss the energy trainer minimises, with its gradients, at the A that
// minimises it for the current energies.
func ExampleEnergyLoss() {
	ep := []float32{-1, -0.5, -1.5} // energies on data: low
	eq := []float32{1, 2, 0.5, 1.5} // energies on generated samples: high
	a := kale.OptimalA(eq)
	gp, gq := make([]float32, len(ep)), make([]float32, len(eq))
	loss, dA := kale.EnergyLoss(ep, eq, a, gp, gq)
	fmt.Printf("KALE estimate −L = %.3f, dL/dA ≈ 0: %v, dL/de_p = %.3f\n", -loss, math.Abs(dA) < 1e-12, gp[0])
	// Output:
	// KALE estimate −L = 2.099, dL/dA ≈ 0: true, dL/de_p = 0.333
}

// An MMD gradient flow: 200 particles from N(0, I) move towards 200
// samples of N((3, 0), I) with noise injection β_n = 0.3/√(n+1); MMD²
// (unbiased, at the flow's fixed median-heuristic bandwidth) falls along
// the flow to the unbiased estimate's noise level (it can dip below 0) and
// the particles' mean moves to the targets' (≈ 3).
func ExampleMMDFlow() {
	rng := rand.New(rand.NewPCG(3, 4))
	x := gauss(rng, 200, 0, 0)
	y := gauss(rng, 200, 3, 0)
	f, err := kale.NewMMDFlow(x, y, kale.FlowOptions{Step: 3, Noise: 0.3, NoiseDecay: 0.5, Seed: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, steps := range []int{0, 100, 400} {
		for f.Steps() < steps {
			if err := f.Step(); err != nil {
				fmt.Println(err)
				return
			}
		}
		v, _ := f.MMD2()
		var mx float64
		p := f.Particles()
		for i := range p.Rows {
			mx += p.Row(i)[0] / float64(p.Rows)
		}
		fmt.Printf("step %3d: MMD² %.3f, particles' mean x %.1f\n", steps, v, mx)
	}
	// Output:
	// step   0: MMD² 0.684, particles' mean x -0.1
	// step 100: MMD² -0.001, particles' mean x 2.7
	// step 400: MMD² -0.002, particles' mean x 2.8
}
