package sampler_test

import (
	"fmt"

	"github.com/gebm/gebm/shared/model/modeltest"
	"github.com/gebm/gebm/wasm/sampler"
)

// A page's whole session: open a model file, run chains with two kernels,
// read the samples, and free everything.
func Example() {
	s := sampler.New()
	m, err := s.Open(modeltest.File(modeltest.Toy2D(1)))
	if err != nil {
		fmt.Println(err)
		return
	}
	d, _ := s.Describe(m)
	fmt.Printf("%s model: latent %d, data %d\n", d.Dataset, d.Latent, d.Dim)

	c, _ := s.NewChains(m, 100, 42, 1)
	// Burn in with the cheap unadjusted kernel, then sample exactly.
	s.Step(c, sampler.StepParams{Method: "ula", StepSize: 0.05, Steps: 50})
	acc, _ := s.Step(c, sampler.StepParams{Method: "mala", StepSize: 0.05, Steps: 50})
	fmt.Println("MALA acceptance above one half:", acc > 0.5)

	x, _ := s.Samples(c, nil) // 100 points in the plane, x = B(z)
	fmt.Println("samples:", len(x)/d.Dim)

	_, err = s.Step(c, sampler.StepParams{Method: "hmc", StepSize: 0.05, Steps: 10})
	fmt.Println(err)

	s.Free(m) // frees the chains too
	_, err = s.Latents(c, nil)
	fmt.Println(err)
	// Output:
	// 8gaussians model: latent 4, data 2
	// MALA acceptance above one half: true
	// samples: 100
	// sampler: step: invalid argument: leapfrog = 0 for hmc: must be in 1..1024
	// sampler: latents: invalid handle: no open chain set 2
}

// Inputs outside their ranges are errors that say what is wrong.
func ExampleSampler_Step_validation() {
	s := sampler.New()
	m, _ := s.Open(modeltest.File(modeltest.Toy2D(1)))
	c, _ := s.NewChains(m, 4, 1, 1)
	for _, p := range []sampler.StepParams{
		{Method: "langevin", StepSize: 0.1, Steps: 1},
		{Method: "mala", StepSize: -0.1, Steps: 1},
		{Method: "kla", StepSize: 0.1, Friction: -1, Steps: 1},
		{Method: "mh", StepSize: 0.1, Steps: 0},
	} {
		_, err := s.Step(c, p)
		fmt.Println(err)
	}
	// Output:
	// sampler: step: invalid argument: method "langevin": want one of ula, mala, hmc, kla, mh, imh
	// sampler: step: invalid argument: step size -0.1 for mala: must be a number in (0, 1e6)
	// sampler: step: invalid argument: friction -1 for kla: must be a number in [0, 1e6)
	// sampler: step: invalid argument: steps = 0: must be in 1..1048576
}

// A heat map of a 2-D model's energy: res × res values, row j at y_j.
func ExampleSampler_EnergyGrid() {
	s := sampler.New()
	m, _ := s.Open(modeltest.File(modeltest.Toy2D(1)))
	e, _ := s.EnergyGrid(m, sampler.Grid{XMin: -2, XMax: 2, YMin: -2, YMax: 2, Res: 64}, nil)
	fmt.Println(len(e))
	// Output: 4096
}

// A trainer fits a model to a toy set with gebm train's options, a few
// steps at a time; its model file opens like any other.
func ExampleSampler_NewTrainer() {
	s := sampler.New()
	o, err := sampler.ParseTrainOptions("8gaussians", []byte(`{"steps": 20, "final-energy-steps": 5, "warmup": 5,
		"base-hidden": [16], "energy-hidden": [16], "batch": 32}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	tr, err := s.NewTrainer(sampler.TrainData{Toy: "8gaussians"}, o)
	if err != nil {
		fmt.Println(err)
		return
	}
	st, _ := s.TrainSteps(tr, 10, nil)
	fmt.Println(len(st), "steps, base step", st[9].Step)
	st, _ = s.TrainSteps(tr, 100, nil) // the rest: 10 base steps, then the 5 of the final phase
	last := st[len(st)-1]
	fmt.Println(len(st), "steps, base step", last.Step, "final step", last.FinalStep)
	file, _ := s.TrainModel(tr)
	m, _ := s.Open(file)
	x, _ := s.Generate(m, 3, 1, nil)
	fmt.Println(len(x), "values: 3 samples of 2-D points")
	// Output:
	// 10 steps, base step 10
	// 15 steps, base step 20 final step 5
	// 6 values: 3 samples of 2-D points
}
