package train_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/gebm/gebm/native/train"
	"github.com/gebm/gebm/shared/model"
)

// The defaults: the paper's procedure, with the departures issue 13's
// experiments chose for 2-D sets; every choice is a field of Options (and a
// flag of gebm train).
func ExampleDefaults() {
	o := train.Defaults("8gaussians")
	fmt.Printf("Adam betas %v/%v; %d energy steps per base step; %d warm-up energy steps; bursts of %d every %d base steps; gradient penalty %v\n",
		o.Beta1, o.Beta2, o.NCritic, o.Warmup, o.BurstLen, o.BurstEvery, o.GP)
	fmt.Printf("2-D: %d base steps, energy clamped at %v, base weights softmax(-%vE), then %d energy-only steps at %v of the rate, the last %v of them averaged\n",
		o.Steps, o.EnergyFloor, o.BaseTilt, o.FinalEnergySteps, o.FinalLRScale, o.FinalAverage)
	m := train.Defaults("mnist")
	fmt.Printf("MNIST: %d base steps, gradient penalty %v, spectral norm %v, then %d energy-only steps\n",
		m.Steps, m.GP, m.SpectralNorm, m.FinalEnergySteps)
	// Output:
	// Adam betas 0.5/0.999; 5 energy steps per base step; 100 warm-up energy steps; bursts of 100 every 500 base steps; gradient penalty 0.1
	// 2-D: 32000 base steps, energy clamped at -10, base weights softmax(-0.5E), then 5000 energy-only steps at 1 of the rate, the last 0.8 of them averaged
	// MNIST: 10000 base steps, gradient penalty 1, spectral norm true, then 4000 energy-only steps
}

// A short run on 8gaussians, stopped after 20 base steps and resumed to 30:
// what gebm train and gebm train --resume do. The run's folder holds the
// model for sampling, the checkpoint that resumes it, the log and the plots;
// the resumed run ends bit-identical to one that was never stopped
// (TestResumeMatchesUninterrupted checks it).
func Example() {
	dir, err := os.MkdirTemp("", "gebm-train-example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)

	o := train.Defaults("8gaussians")
	o.Out, o.Steps, o.Quiet = dir, 20, true
	o.BaseHidden, o.EnergyHidden, o.Batch = []int{16, 16}, []int{16, 16}, 32 // small and quick
	o.Warmup, o.BurstEvery, o.BurstLen = 10, 7, 5
	o.CheckpointEvery, o.LogEvery = 10, 10
	if err := runTo(o); err != nil {
		fmt.Println(err)
		return
	}
	names, _ := filepath.Glob(filepath.Join(dir, "*"))
	for _, name := range names {
		fmt.Println(filepath.Base(name))
	}

	o.Steps, o.Resume = 30, true
	if err := runTo(o); err != nil {
		fmt.Println(err)
		return
	}
	b, err := os.ReadFile(filepath.Join(dir, train.ModelFile))
	if err != nil {
		fmt.Println(err)
		return
	}
	g, err := model.Load(b)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%s: %d base steps, seed %d\n", g.Training.Dataset, g.Training.Steps, g.Training.Seed)
	// Output:
	// checkpoint.gebm
	// curves.png
	// log.csv
	// model.gebm
	// samples.png
	// 8gaussians: 30 base steps, seed 1
}

func runTo(o train.Options) error {
	t, err := train.New(o)
	if err != nil {
		return err
	}
	return t.Run(context.Background())
}
