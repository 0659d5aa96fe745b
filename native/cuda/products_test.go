//go:build cuda

package cuda

import (
	"math/rand/v2"
	"testing"

	"github.com/gebm/gebm/shared/backend"
	"github.com/gebm/gebm/shared/ckpt"
	"github.com/gebm/gebm/shared/model"
	"github.com/gebm/gebm/shared/nn"
	core "github.com/gebm/gebm/shared/train"
)

// productTally counts matrix products and their arithmetic, 2mnk each.
type productTally struct {
	calls int
	flops float64
}

func (p *productTally) add(m, n, k int) {
	p.calls++
	p.flops += 2 * float64(m) * float64(n) * float64(k)
}

// countingGemm tallies the products it passes on to Gemm.
type countingGemm struct {
	Gemm
	productTally
}

func (g *countingGemm) Sgemm(tA, tB bool, m, n, k int, alpha float32, a Buffer, lda int, b Buffer, ldb int, beta float32, c Buffer, ldc int) {
	g.add(m, n, k)
	g.Gemm.Sgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// countingHostGemm tallies the products of shared/nn's networks.
type countingHostGemm struct {
	nn.Gemm
	productTally
}

func (g *countingHostGemm) Sgemm(tA, tB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	g.add(m, n, k)
	g.Gemm.Sgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// TestIterationProducts: one training iteration (an energy step with the
// gradient penalty, then a base step) does the same matrix-product
// arithmetic on the device as the CPU backend (shared/train), so the GPU
// does no product the CPU does not (which no parity test of values would
// notice). For the MLP model the products are the same in number too; the
// convolutions lower the batch in chunks of another size on each side
// (shared/nn's cache-sized budget against the device's 128 MiB), so the
// conv model is compared by arithmetic alone, with chunks of one sample on
// the device.
func TestIterationProducts(t *testing.T) {
	testDevice(t)
	mlp := model.Config{Latent: 4, Data: ckpt.DataInfo{Name: "test", Dim: 6, Scale: 1}, BaseHidden: []int{8, 7},
		EnergyHidden: []int{9, 5}, EnergySlope: 0.2, SpectralNorm: true, BaseOutput: nn.KindTanh}
	conv := model.Config{Latent: 4, Data: ckpt.DataInfo{Name: "test", Dim: 64, Scale: 1, Shape: []int{8, 8}},
		EnergyHidden: []int{9}, EnergySlope: 0.2, SpectralNorm: true, BaseOutput: nn.KindTanh,
		Arch: model.ArchDCGAN, Channels: 2}
	for _, c := range []struct {
		name      string
		cfg       model.Config
		sameCalls bool
	}{
		{"mlp", mlp, true},
		{"dcgan", conv, false},
		{"dcgan base, mlp energy", func() model.Config { c := conv; c.EnergyArch = model.ArchMLP; return c }(), false},
	} {
		t.Run(c.name, func(t *testing.T) {
			if !c.sameCalls {
				defer func(b int) { convColumnBudget = b }(convColumnBudget)
				convColumnBudget = 1 // chunks of one sample
			}
			cfg := backend.Config{Batch: 5, LREnergy: 1e-3, LRBase: 1e-3, GP: 1, BaseTilt: 1, CUDAGemm: "kernel"}
			build := func() (*model.GEBM, *nn.Param, *nn.Adam, *nn.Adam) {
				m, err := model.New(c.cfg, rand.New(rand.NewPCG(7, 8)))
				if err != nil {
					t.Fatal(err)
				}
				a := &nn.Param{Name: ckpt.NameA, Shape: []int{1}, Value: []float32{0.25}, Grad: make([]float32, 1)}
				optE := nn.NewAdam(append(append([]*nn.Param{}, m.Energy.Params()...), a), 1e-3, 0.5, 0.999, 1e-8)
				return m, a, optE, nn.NewAdam(m.Base.Params(), 1e-3, 0.5, 0.999, 1e-8)
			}
			rng := rand.New(rand.NewPCG(9, 10))
			D, Z := c.cfg.Data.Dim, c.cfg.Latent
			x, z, alpha := randn(rng, cfg.Batch*D, 0.5), randn(rng, cfg.Batch*Z, 1), randn(rng, cfg.Batch, 0.3)
			for i := range alpha {
				alpha[i] = 0.5 + alpha[i]*alpha[i]/(1+alpha[i]*alpha[i])/2 // in [0.5, 1)
			}
			check := func(_ any, err error) {
				if err != nil {
					t.Fatal(err)
				}
			}

			m, a, optE, optB := build()
			host := &countingHostGemm{Gemm: nn.DefaultGemm()}
			m.Energy.SetGemm(host)
			m.Base.SetGemm(host)
			cpu := core.NewCPU(m, cfg, a, optE, optB)
			check(cpu.EnergyStep(x, z, alpha, 1))
			check(cpu.BaseStep(z, 1))

			m, a, optE, optB = build()
			tr, err := NewTrainer(m, a, optE, optB, cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer tr.Close()
			dev := &countingGemm{Gemm: tr.g}
			tr.g, tr.energy.g, tr.base.g = dev, dev, dev
			check(tr.EnergyStep(x, z, alpha, 1))
			check(tr.BaseStep(z, 1))

			if host.calls == 0 || dev.flops != host.flops || c.sameCalls && dev.calls != host.calls {
				t.Errorf("device: %d products, %.0f FLOP; CPU: %d products, %.0f FLOP", dev.calls, dev.flops, host.calls, host.flops)
			}
			t.Logf("%d products on the device, %d on the CPU, %.0f FLOP", dev.calls, host.calls, dev.flops)
		})
	}
}
