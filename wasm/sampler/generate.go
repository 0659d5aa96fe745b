package sampler

import "github.com/gebm/gebm/shared/model"

// Generate draws n samples from the generator alone, x_i = B(z_i) with
// z_i ~ N(0, I) from seed (the starting latents of NewChains(m, n, seed, β)),
// into dst (n×D, row-major).
func (s *Sampler) Generate(m Handle, n int, seed uint64, dst []float32) (out []float32, err error) {
	err = s.call("generate", func() error {
		om, err := s.model(m)
		if err != nil {
			return err
		}
		if err := om.checkBatch(n); err != nil {
			return err
		}
		z := make([]float32, n*om.g.Latent())
		model.SampleLatents(newRand(seed), z)
		out = om.g.Generate(z, n, grow(dst, n*om.g.Dim()))
		return nil
	})
	return out, err
}
