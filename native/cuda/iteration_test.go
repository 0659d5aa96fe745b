//go:build cuda

package cuda_test

import (
	"context"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gebm/gebm/native/cuda"
	"github.com/gebm/gebm/native/train"
	"github.com/gebm/gebm/shared/ckpt"
	"github.com/gebm/gebm/shared/data/datatest"
	"github.com/gebm/gebm/shared/model"
	"github.com/gebm/gebm/shared/nn"
)

// setup is one model with its A parameter and optimisers, as native/train
// builds them.
type setup struct {
	m          *model.GEBM
	a          *nn.Param
	optE, optB *nn.Adam
}

func newSetup(t testing.TB, o *train.Options, dim int, seed uint64) *setup {
	t.Helper()
	cfg := model.Config{Latent: o.Latent, Data: ckpt.DataInfo{Name: "test", Dim: dim, Scale: 1}, BaseHidden: o.BaseHidden,
		EnergyHidden: o.EnergyHidden, EnergySlope: o.EnergySlope, SpectralNorm: o.SpectralNorm, BaseOutput: nn.KindTanh}
	m, err := model.New(cfg, rand.New(rand.NewPCG(seed, 1)))
	if err != nil {
		t.Fatal(err)
	}
	return setupFor(m, o)
}

// newConvSetup is a convolutional model of 1×8×6 images: a DCGAN-like base
// (linear, batchnorm, a transposed convolution, tanh) and an SN-ConvNet
// energy, the shapes of nn's Example_convolutional made small.
func newConvSetup(t testing.TB, o *train.Options, seed uint64) *setup {
	t.Helper()
	leaky := nn.Activation(nn.KindLeakyReLU, 0.2)
	return specSetup(t, o, seed, 48, nn.Spec{Layers: []nn.LayerSpec{
		{Kind: nn.KindLinear, In: o.Latent, Out: 3 * 4 * 3}, {Kind: nn.KindBatchNorm, Channels: 3}, nn.Activation(nn.KindReLU, 0),
		{Kind: nn.KindConvTranspose2D, In: 3, Out: 1, Height: 4, Width: 3, Kernel: 4, Stride: 2, Padding: 1},
		nn.Activation(nn.KindTanh, 0),
	}}, nn.Spec{Layers: []nn.LayerSpec{
		{Kind: nn.KindConv2D, In: 1, Out: 4, Height: 8, Width: 6, Kernel: 4, Stride: 2, Padding: 1, SpectralNorm: true}, leaky,
		{Kind: nn.KindConv2D, In: 4, Out: 3, Height: 4, Width: 3, Kernel: 3, Stride: 1, Padding: 1, SpectralNorm: true}, leaky,
		{Kind: nn.KindLinear, In: 3 * 4 * 3, Out: 1, SpectralNorm: true},
	}})
}

// dcganSetup is nn's Example_convolutional model for 28×28 images, with
// latent size o.Latent (BenchmarkIterationConv).
func dcganSetup(t testing.TB, o *train.Options, seed uint64) *setup {
	t.Helper()
	up := func(in, out, hw int) nn.LayerSpec {
		return nn.LayerSpec{Kind: nn.KindConvTranspose2D, In: in, Out: out, Height: hw, Width: hw, Kernel: 4, Stride: 2, Padding: 1}
	}
	down := func(in, out, hw int) nn.LayerSpec {
		return nn.LayerSpec{Kind: nn.KindConv2D, In: in, Out: out, Height: hw, Width: hw, Kernel: 4, Stride: 2, Padding: 1, SpectralNorm: true}
	}
	relu, leaky := nn.Activation(nn.KindReLU, 0), nn.Activation(nn.KindLeakyReLU, 0.2)
	return specSetup(t, o, seed, 784, nn.Spec{Layers: []nn.LayerSpec{
		{Kind: nn.KindLinear, In: o.Latent, Out: 128 * 7 * 7}, {Kind: nn.KindBatchNorm, Channels: 128}, relu,
		up(128, 64, 7), {Kind: nn.KindBatchNorm, Channels: 64}, relu,
		up(64, 1, 14), nn.Activation(nn.KindTanh, 0),
	}}, nn.Spec{Layers: []nn.LayerSpec{
		down(1, 64, 28), leaky, down(64, 128, 14), leaky,
		{Kind: nn.KindLinear, In: 128 * 7 * 7, Out: 1, SpectralNorm: true},
	}})
}

// specSetup is a model of the given base and energy for data of dim values.
func specSetup(t testing.TB, o *train.Options, seed uint64, dim int, base, energy nn.Spec) *setup {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 1))
	b, err := nn.New(base, rng)
	if err != nil {
		t.Fatal(err)
	}
	e, err := nn.New(energy, rng)
	if err != nil {
		t.Fatal(err)
	}
	return setupFor(&model.GEBM{Base: b, Energy: e, Data: ckpt.DataInfo{Name: "test", Dim: dim, Scale: 1}}, o)
}

// setupFor gives m, with A = 0.25, its A parameter and optimisers.
func setupFor(m *model.GEBM, o *train.Options) *setup {
	m.A = 0.25
	a := &nn.Param{Name: ckpt.NameA, Shape: []int{1}, Value: []float32{float32(m.A)}, Grad: make([]float32, 1)}
	return &setup{m: m, a: a,
		optE: nn.NewAdam(append(append([]*nn.Param{}, m.Energy.Params()...), a), o.LREnergy, o.Beta1, o.Beta2, 1e-8),
		optB: nn.NewAdam(m.Base.Params(), o.LRBase, o.Beta1, o.Beta2, 1e-8)}
}

func uniform(rng *rand.Rand, n int, lo, hi float64) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(lo + (hi-lo)*rng.Float64())
	}
	return x
}

func normal(rng *rand.Rand, n int) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(rng.NormFloat64())
	}
	return x
}

// Tolerances of one training iteration, GPU against CPU (float32, the
// differences coming only from the order of additions in the matrix
// products and reductions):
//   - the step statistics (losses, penalty, means, gradient norms, Â, ESS,
//     held-out KALE): relative 1e-4;
//   - the parameters after the Adam update: within 1e-6 absolute for at
//     least 99.9% of the elements and within 2·lr + 1e-6 for all. Adam's
//     first step moves each weight by lr·g/(|g|+ε), about ±lr whatever
//     |g|, so a gradient element that is zero up to rounding may take
//     either sign on the two devices; spectral normalisation's u and v
//     (unit vectors) within 1e-4;
//   - the Adam moments: m within 1e-4 and v within 2e-4 of each tensor's
//     largest element;
//   - A and the step counts: exactly.
const (
	tolStats = 1e-4
	tolParam = 1e-6
	tolSN    = 1e-4 // spectral normalisation's u and v, absolute
)

// steep multiplies the energy's last layer in the cases with a tilt.
const steep = 500

func maxDiff(a, b []float32) (float64, int) {
	var worst float64
	at := 0
	for i := range b {
		if e := math.Abs(float64(a[i]) - float64(b[i])); !(e <= worst) {
			worst, at = e, i
		}
	}
	return worst, at
}

// TestIterationMatchesCPU runs one full training iteration — an energy
// step (with gradient penalty, spectral normalisation and optionally the
// soft clip; MLPs, and a convolutional model whose base holds a batchnorm,
// which both backends run on the batch's statistics in the steps' forward
// passes of the base, folding them into the running statistics that Sync
// brings back, and on the running ones in the evaluation), a base step
// (with the model's weights, γ = 1, or tilted ones,
// γ = 0.5 and 0) and a held-out evaluation — through
// native/train's CPU backend and through the CUDA backend on copies of
// the same model, and compares everything that comes back and everything
// Sync brings to the host.
func TestIterationMatchesCPU(t *testing.T) {
	gemms := []string{"kernel"}
	if cuda.HaveCublas {
		gemms = append(gemms, "cublas")
	}
	for _, gemm := range gemms {
		for _, c := range []struct {
			name     string
			data     string
			dim      int
			softClip bool
			sn       bool    // spectral normalisation of the energy (mnist's default)
			tilt     float64 // BaseTilt γ: the base step's weights softmax(-γE)
			conv     bool    // newConvSetup's model (dim 48) instead of MLPs
			frozen   bool    // backend.Config.FrozenBase: no base step, samples by the running statistics
		}{
			{"mnist", "mnist", 784, false, true, 1, false, false},
			{"conv", "mnist", 48, false, true, 1, true, false},
			{"conv-frozen", "mnist", 48, false, true, 1, true, true},
			{"toy-softclip", "8gaussians", 2, true, false, 1, false, false},
			{"toy-sn", "8gaussians", 2, false, true, 1, false, false},
			{"toy-tilt0.5", "8gaussians", 2, false, false, 0.5, false, false},
			{"toy-tilt0", "8gaussians", 2, false, false, 0, false, false},
		} {
			t.Run(gemm+"/"+c.name, func(t *testing.T) {
				o := train.Defaults(c.data)
				o.CUDAGemm = gemm
				o.Out = t.TempDir()
				o.SoftClip = c.softClip
				o.SpectralNorm = c.sn
				o.BaseTilt = c.tilt
				o.FrozenBase = c.frozen
				cpuS, gpuS := newSetup(t, &o, c.dim, 3), newSetup(t, &o, c.dim, 3)
				if c.conv {
					cpuS, gpuS = newConvSetup(t, &o, 3), newConvSetup(t, &o, 3)
				}
				if c.tilt != 1 {
					// A steeper energy than at initialisation (its last
					// layer ×steep), so that the model's weights
					// softmax(-E(B(z))) are far from uniform and far from the
					// tilted ones the base step uses.
					for _, s := range []*setup{cpuS, gpuS} {
						ep := s.m.Energy.Params()
						for _, v := range [][]float32{ep[len(ep)-2].Value, ep[len(ep)-1].Value} {
							for i := range v {
								v[i] *= steep
							}
						}
					}
				}
				cpu, err := train.NewBackend("cpu", cpuS.m, o.Config, cpuS.a, cpuS.optE, cpuS.optB)
				if err != nil {
					t.Fatal(err)
				}
				gpu, err := train.NewBackend("cuda", gpuS.m, o.Config, gpuS.a, gpuS.optE, gpuS.optB)
				if err != nil {
					t.Fatal(err)
				}
				if !strings.HasPrefix(gpu.Name(), "cuda:0 ") {
					t.Fatalf("backend name %q", gpu.Name())
				}
				rng := rand.New(rand.NewPCG(4, 5))
				B, L := o.Batch, o.Latent
				x, z, alpha := uniform(rng, B*c.dim, -1, 1), normal(rng, B*L), uniform(rng, B, 0, 1)

				ce, err := cpu.EnergyStep(x, z, alpha, 0.8)
				if err != nil {
					t.Fatal(err)
				}
				ge, err := gpu.EnergyStep(x, z, alpha, 0.8)
				if err != nil {
					t.Fatal(err)
				}
				stat(t, "energy loss", ge.Loss, ce.Loss)
				stat(t, "penalty", ge.Penalty, ce.Penalty)
				stat(t, "mean E(x)", ge.EnergyData, ce.EnergyData)
				stat(t, "mean E(B(z))", ge.EnergyGen, ce.EnergyGen)
				stat(t, "energy gradient norm", ge.GradNorm, ce.GradNorm)

				if !c.frozen {
					z = normal(rng, B*L)
					cb, err := cpu.BaseStep(z, 0.8)
					if err != nil {
						t.Fatal(err)
					}
					gb, err := gpu.BaseStep(z, 0.8)
					if err != nil {
						t.Fatal(err)
					}
					if c.tilt != 1 && cb.ESS > 0.5*float64(B) {
						t.Fatalf("ESS %v of %d: the model's weights are nearly uniform, the tilt would not show", cb.ESS, B)
					}
					stat(t, "Â", gb.AHat, cb.AHat)
					stat(t, "ESS", gb.ESS, cb.ESS)
					stat(t, "base gradient norm", gb.GradNorm, cb.GradNorm)
				}

				x, z = uniform(rng, 3*B*c.dim, -1, 1), normal(rng, 2*B*L) // other sizes than the batch
				cv, err := cpu.Evaluate(x, z)
				if err != nil {
					t.Fatal(err)
				}
				gv, err := gpu.Evaluate(x, z)
				if err != nil {
					t.Fatal(err)
				}
				stat(t, "held-out KALE", gv.KALE, cv.KALE)
				stat(t, "held-out mean E(x)", gv.EnergyData, cv.EnergyData)

				if err := gpu.Sync(); err != nil {
					t.Fatal(err)
				}
				compareSetups(t, gpuS, cpuS, o.LREnergy*0.8, o.LRBase*0.8)
			})
		}
	}
}

func stat(t *testing.T, what string, got, want float64) {
	t.Helper()
	if math.IsNaN(got) || math.Abs(got-want) > tolStats*math.Max(1e-3, math.Abs(want)) {
		t.Errorf("%s: GPU %.9g, CPU %.9g (tolerance relative %g)", what, got, want, tolStats)
	}
}

func compareSetups(t *testing.T, gpu, cpu *setup, lrE, lrB float64) {
	t.Helper()
	if gpu.m.A != cpu.m.A || gpu.a.Value[0] != cpu.a.Value[0] {
		t.Errorf("A: GPU %v, CPU %v", gpu.m.A, cpu.m.A)
	}
	if gpu.optE.Step != cpu.optE.Step || gpu.optB.Step != cpu.optB.Step {
		t.Errorf("Adam steps: GPU %d/%d, CPU %d/%d", gpu.optE.Step, gpu.optB.Step, cpu.optE.Step, cpu.optB.Step)
	}
	gt, ct := gpu.m.Tensors(), cpu.m.Tensors()
	for i := range ct {
		lr := lrB
		if strings.HasPrefix(ct[i].Name, ckpt.PrefixEnergy) {
			lr = lrE
		}
		if strings.Contains(ct[i].Name, ".sn_") {
			// Power-iteration vectors (unit length, no Adam step) follow
			// the weights smoothly.
			if e, j := maxDiff(gt[i].Data, ct[i].Data); e > tolSN {
				t.Errorf("%s[%d]: GPU %v, CPU %v", ct[i].Name, j, gt[i].Data[j], ct[i].Data[j])
			}
			continue
		}
		var off int
		for j := range ct[i].Data {
			e := math.Abs(float64(gt[i].Data[j]) - float64(ct[i].Data[j]))
			if e > tolParam {
				off++
			}
			if !(e <= 2*lr+tolParam) {
				t.Errorf("%s[%d]: GPU %v, CPU %v", ct[i].Name, j, gt[i].Data[j], ct[i].Data[j])
				break
			}
		}
		if float64(off) > 1e-3*float64(len(ct[i].Data)) {
			t.Errorf("%s: %d of %d elements differ by more than %g", ct[i].Name, off, len(ct[i].Data), tolParam)
		}
	}
	for _, pair := range [][2]*nn.Adam{{gpu.optE, cpu.optE}, {gpu.optB, cpu.optB}} {
		gs, cs := pair[0].StateTensors(), pair[1].StateTensors()
		for i := range cs {
			tol := 1e-4
			if strings.HasSuffix(cs[i].Name, "adam_v") {
				tol = 2e-4
			}
			var scale, worst float64
			for _, v := range cs[i].Value {
				scale = math.Max(scale, math.Abs(float64(v)))
			}
			for j := range cs[i].Value {
				worst = math.Max(worst, math.Abs(float64(gs[i].Value[j])-float64(cs[i].Value[j])))
			}
			if !(worst <= tol*math.Max(scale, 1e-30)) {
				t.Errorf("%s: largest difference %g, %g relative to the largest element (tolerance %g)",
					cs[i].Name, worst, worst/scale, tol)
			}
		}
	}
}

// TestTrainerOnGPU trains two small models end to end with --device cuda
// semantics, an MLP on 8gaussians and a dcgan on a folder of 8×8 grey PNG
// images (the convolutions, batch norm and spectral norm of conv weights):
// each run finishes, the model file decodes, says which device trained it
// and samples finite values; and a run stopped at a checkpoint and resumed
// on the GPU ends with the same weights, bit for bit, as an uninterrupted
// one (no kernel uses atomics, the reductions are fixed-order, and the
// device state is rebuilt exactly from the checkpoint).
func TestTrainerOnGPU(t *testing.T) {
	archs := []struct {
		name string
		opts func(t *testing.T) train.Options
	}{
		{"mlp", func(t *testing.T) train.Options {
			o := train.Defaults("8gaussians")
			o.BaseHidden, o.EnergyHidden, o.Batch = []int{32, 32}, []int{32, 32}, 64
			return o
		}},
		{"dcgan", func(t *testing.T) train.Options {
			o := train.Defaults(datatest.GreyPNGFolder(t, 24, 8, 3))
			o.Arch, o.Channels, o.Latent, o.Batch = "dcgan", 4, 8, 8
			return o
		}},
	}
	for _, arch := range archs {
		t.Run(arch.name, func(t *testing.T) {
			base := arch.opts(t)
			opts := func(steps int) train.Options {
				o := base
				o.Out, o.Steps, o.Device, o.Quiet = t.TempDir(), steps, "cuda", true
				o.Warmup, o.BurstEvery, o.BurstLen = 10, 7, 5
				o.CheckpointEvery, o.LogEvery = 5, 5
				// No final energy-only phase: a run stopped at its last base step
				// has done it, so the resumed run would not match (and 5000 emulated
				// steps take minutes).
				o.FinalEnergySteps = 0
				return o
			}
			trainerRoundTrip(t, opts, 30, 17)
		})
	}
}

// trainerRoundTrip trains opts(total) uninterrupted, checks its model file,
// then trains opts(stop) and resumes it to total, and requires the same
// weights.
func trainerRoundTrip(t *testing.T, opts func(steps int) train.Options, total, stop int) {
	runT := func(o train.Options) *train.Trainer {
		tr, err := train.New(o)
		if err != nil {
			t.Fatal(err)
		}
		if err := tr.Run(context.Background()); err != nil {
			t.Fatal(err)
		}
		return tr
	}
	full := runT(opts(total))
	b, err := os.ReadFile(filepath.Join(full.Opts.Out, train.ModelFile))
	if err != nil {
		t.Fatal(err)
	}
	m, err := model.Load(b)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(m.Training.Device, "cuda:0") {
		t.Errorf("model file device %q", m.Training.Device)
	}
	z := make([]float32, 100*m.Latent())
	model.SampleLatents(rand.New(rand.NewPCG(1, 2)), z)
	for _, v := range m.Generate(z, 100, nil) {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			t.Fatal("the GPU-trained model generates non-finite samples")
		}
	}

	o := opts(stop)
	runT(o)
	o.Steps, o.Resume = total, true
	resumed := runT(o)
	if err := full.Model.Identical(resumed.Model); err != nil {
		t.Fatalf("uninterrupted vs resumed: %v", err)
	}
}
