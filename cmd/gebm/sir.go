package main

import (
	"fmt"
	"math/rand/v2"

	"github.com/gebm/gebm/shared/model"
	"github.com/gebm/gebm/shared/sample"
)

// defaultSIRPool is the default SIR pool per sample (--sir-pool): the pool
// has 20·n generator samples. With weights as flat as the bundled models'
// at β = 1 (ESS above 90% of the pool) the n samples are then nearly all
// distinct; where the ESS is small next to the pool, the pool must grow
// with it.
const defaultSIRPool = 20

// maxSIRPoolPer bounds --sir-pool.
const maxSIRPoolPer = 10000

// sirSampler draws samples of a model's latent posterior at inverse
// temperature beta, ν(z) ∝ N(z; 0, I) exp(−β E(B(z))), by
// sampling–importance–resampling (sample.SIR): a pool of poolPer·n
// generator latents, weighted by exp(−β E(B(z))), from which n are
// resampled; the samples are x = B(z).
type sirSampler struct {
	m       *model.GEBM
	beta    float64
	poolPer int
}

// pool returns the pool size for n samples, or an error that names the
// flags to change.
func (s sirSampler) pool(n int) (int, error) {
	if s.poolPer < 1 || s.poolPer > maxSIRPoolPer {
		return 0, fmt.Errorf("--sir-pool %d must be in 1..%d (the pool is --sir-pool × --n generator samples)", s.poolPer, maxSIRPoolPer)
	}
	if int64(s.poolPer)*int64(n) > sample.MaxSIRPool {
		return 0, fmt.Errorf("--sir-pool %d × --n %d = %d generator samples, more than SIR's limit of %d (it keeps 8 bytes of weight for each): lower --n or --sir-pool",
			s.poolPer, n, int64(s.poolPer)*int64(n), sample.MaxSIRPool)
	}
	return s.poolPer * n, nil
}

// run draws n samples. The pool is evaluated in batches of chainBatch(m)
// latents (progress, if not nil, sees the number of pool latents evaluated
// so far), then visit sees the samples in order, in chunks: the first row
// lo, the number of rows and x = B(z) (rows × D, valid only during the call).
func (s sirSampler) run(n int, rng *rand.Rand, progress func(done int), visit func(lo, rows int, x []float32) error) (sample.SIRStats, error) {
	pool, err := s.pool(n)
	if err != nil {
		return sample.SIRStats{}, err
	}
	t := &countingTilt{Tilt: s.m.Tilt(s.beta), progress: progress}
	d := s.m.Latent()
	lo := 0
	st, err := sample.SIR(t, sample.SIRConfig{N: n, Pool: pool, Batch: chainBatch(s.m)}, rng, func(z []float32) error {
		rows := len(z) / d
		if err := visit(lo, rows, generate(s.m, z, rows)); err != nil {
			return err
		}
		lo += rows
		return nil
	})
	if err != nil {
		return st, fmt.Errorf("SIR at β=%g: %w", s.beta, err)
	}
	return st, nil
}

// countingTilt reports the number of latents evaluated to a progress
// function.
type countingTilt struct {
	sample.Tilt
	done     int
	progress func(done int)
}

func (c *countingTilt) Eval(z []float32, v []float64) {
	c.Tilt.Eval(z, v)
	c.done += len(v)
	if c.progress != nil {
		c.progress(c.done)
	}
}

// sirSummary describes an SIR draw of n samples: the pool, the effective
// sample size of its weights, the distinct samples and, at β = 1, the log
// mean weight beside the model's A, which both estimate log Z =
// log E_z[exp(−E(B(z)))].
func sirSummary(st sample.SIRStats, n int, s sirSampler) string {
	out := fmt.Sprintf("SIR at β=%g: pool %d×%d = %d generator samples, importance-weight ESS %.1f (%.1f%% of the pool), %d distinct of %d samples",
		s.beta, s.poolPer, n, st.Pool, st.ESS, 100*st.ESSFraction(), st.Distinct, n)
	if st.Zero > 0 {
		out += fmt.Sprintf("; %d pool samples had a non-finite energy (weight 0)", st.Zero)
	}
	if s.beta == 1 {
		out += fmt.Sprintf("; log mean weight %.4g (estimates log Z; the model's A is %.4g)", st.LogMeanWeight(), s.m.A)
	}
	if st.ESS < float64(n) {
		out += fmt.Sprintf("\nwarning: the ESS %.1f is below the %d samples, which repeat a few pool samples; raise --sir-pool", st.ESS, n)
		if s.beta > 1 {
			out += " or lower --beta"
		}
	}
	return out
}
