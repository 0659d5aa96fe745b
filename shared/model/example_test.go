package model_test

import (
	"fmt"
	"math/rand/v2"

	"github.com/gebm/gebm/shared/ckpt"
	"github.com/gebm/gebm/shared/model"
	"github.com/gebm/gebm/shared/sample"
)

// A GEBM's life outside training: build one, write its model file and load it
// back, draw from the generator, x = B(z) with z ~ N(0, I), and from the
// model tempered at β, by MCMC on the latent potential
// U(z) = |z|²/2 + β E(B(z)).
func Example() {
	rng := rand.New(rand.NewPCG(1, 2))
	g, err := model.New(model.Config{
		Latent: 2, Data: ckpt.DataInfo{Name: "toy", Dim: 3, Scale: 1},
		BaseHidden: []int{16}, EnergyHidden: []int{16}, EnergySlope: 0.2,
	}, rng)
	if err != nil {
		fmt.Println(err)
		return
	}
	file, err := g.Encode() // what gebm train writes as model.gebm
	if err != nil {
		fmt.Println(err)
		return
	}
	g, err = model.Load(file)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("latent %d, data %d\n", g.Latent(), g.Dim())

	// The generator: 5 latents, 5 samples, 5 energies.
	const n = 5
	z := make([]float32, n*g.Latent())
	model.SampleLatents(rng, z)
	x := g.Generate(z, n, nil)
	e := g.Energies(x, n, nil)
	fmt.Println("samples:", len(x)/g.Dim(), "energies:", len(e))

	// The model at β = 100: 200 chains of MALA on U, started at the
	// generator's latents, move towards the energy's low regions.
	p := g.BlockedPotential(100, 1)
	chains, err := p.NewChains(rng, 200)
	if err != nil {
		fmt.Println(err)
		return
	}
	before := meanEnergy(g, chains.Z())
	res, err := chains.Run(sample.Config{Method: sample.MALA, StepSize: 0.01, Warmup: 100, Steps: 100}, rng, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("MALA acceptance within 0.4..0.95:", res.MeanAccept() > 0.4 && res.MeanAccept() < 0.95)
	fmt.Println("mean energy lower after MCMC:", meanEnergy(g, chains.Z()) < before)
	// Output:
	// latent 2, data 3
	// samples: 5 energies: 5
	// MALA acceptance within 0.4..0.95: true
	// mean energy lower after MCMC: true
}

// meanEnergy is the mean of E(B(z)) over the latents z.
func meanEnergy(g *model.GEBM, z []float32) float64 {
	n := len(z) / g.Latent()
	var sum float64
	for _, e := range g.Energies(g.Generate(z, n, nil), n, nil) {
		sum += float64(e)
	}
	return sum / float64(n)
}
