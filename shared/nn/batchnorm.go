package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// KindBatchNorm is batch normalisation (Ioffe & Szegedy 2015) over
// Channels channels: the layer's input, a sample's width values, is read as
// Channels × P values (NCHW, P = width/Channels: an image's H·W, or 1 after
// a linear layer with Channels = its width), and each channel c is
// normalised over the M = n·P values it holds in a batch of n:
//
//	y = γ_c · (x − μ_c) / sqrt(σ²_c + ε) + β_c,   ε = 1e-5,
//
// with trainable γ ("weight", initially 1) and β ("bias", initially 0).
// Which μ and σ² depends on the network's mode (Network.SetTraining):
//
//   - training: the batch's own mean and (biased) variance over its M
//     values per channel, differentiated through (every output depends on
//     every row of the batch); each forward pass also updates the running
//     statistics, m = (1 − 0.1)·m + 0.1·μ and v = (1 − 0.1)·v + 0.1·σ²·M/(M−1)
//     (PyTorch's momentum 0.1 and unbiased variance; with M = 1 there is no
//     variance estimate and v is left as it is);
//   - otherwise (the default, and always when sampling): the running mean m
//     and variance v, so the layer is a fixed affine map per channel and
//     B(z) a fixed function of z, as the latent posterior needs.
//
// The model file stores γ and β with the parameters and m and v as the
// layer's state tensors ("running_mean", "running_var", initially 0 and 1),
// because sampling uses them and nothing else: a batch's statistics exist
// only inside a training step. PyTorch's batch counter is not stored: the
// momentum is fixed.
//
// The layer has no tangent pass and an energy cannot hold it
// (Spec.TangentError): with batch statistics E(x_i) depends on the other
// rows, so the per-sample gradient ∇x E(x_i) that the gradient penalty
// squares does not exist, and with running statistics only, nothing would
// ever update them and the layer would be a per-channel affine map. The
// energies gebm follows (the reference's SN-ConvNet) normalise by spectral
// normalisation instead; batch normalisation is for the generator.
const KindBatchNorm Kind = "batchnorm"

// Batch normalisation's constants (PyTorch's defaults).
const (
	batchNormEps      = 1e-5
	batchNormMomentum = 0.1
)

func init() {
	register(KindBatchNorm, &kindDesc{
		fields: fieldChannels,
		in:     func(LayerSpec) int { return 0 },
		check: func(i int, l LayerSpec, in int) error {
			if l.Channels < 1 || l.Channels > MaxDim {
				return fmt.Errorf("nn: layer %d: batchnorm channels %d must be in 1..%d", i, l.Channels, MaxDim)
			}
			if in%l.Channels != 0 {
				return fmt.Errorf("nn: layer %d: batchnorm of %d channels cannot split the %d values of the layer before", i, l.Channels, in)
			}
			return nil
		},
		out: func(_ LayerSpec, in int) int { return in },
		image: func(i int, l LayerSpec, in imageShape) (imageShape, error) {
			if in != (imageShape{}) && in.c != l.Channels {
				return in, fmt.Errorf("nn: layer %d: batchnorm of %d channels after an image of %v", i, l.Channels, in)
			}
			return in, nil
		},
		flops: func(LayerSpec, int) int { return 0 },
		tensors: func(i int, l LayerSpec, _ int) (params, state []TensorInfo) {
			c := []int{l.Channels}
			return []TensorInfo{{paramName(i, "weight"), c, true}, {paramName(i, "bias"), c, true}},
				[]TensorInfo{{paramName(i, "running_mean"), c, false}, {paramName(i, "running_var"), c, false}}
		},
		build:     func(i int, l LayerSpec, in int) layer { return newBatchNorm(i, l.Channels, in) },
		noTangent: true,
		example:   func(in int) LayerSpec { return LayerSpec{Kind: KindBatchNorm, Channels: in} },
	})
}

// batchnorm is the layer. mu and inv hold, per channel, the μ and
// 1/sqrt(σ² + ε) of the last forward pass (the batch's in training, the
// running ones otherwise), which backward reads: it must follow the
// forward pass of the same batch.
type batchnorm struct {
	c, plane          int // channels, values per channel in one sample
	gamma, beta       *Param
	runMean, runVar   *Param
	training, batched bool // the mode, and the mode of the last forward pass
	mu, inv           []float64
}

func newBatchNorm(idx, channels, in int) *batchnorm {
	return &batchnorm{c: channels, plane: in / channels,
		gamma: newParam(paramName(idx, "weight"), channels), beta: newParam(paramName(idx, "bias"), channels),
		runMean: newParam(paramName(idx, "running_mean"), channels), runVar: newParam(paramName(idx, "running_var"), channels),
		mu: make([]float64, channels), inv: make([]float64, channels)}
}

func (l *batchnorm) params() []*Param       { return []*Param{l.gamma, l.beta} }
func (l *batchnorm) state() []*Param        { return []*Param{l.runMean, l.runVar} }
func (l *batchnorm) refresh(powerIters int) {}
func (l *batchnorm) finishGrads()           {}
func (l *batchnorm) setTraining(on bool)    { l.training = on }

// init sets γ = 1, β = 0 and the running statistics to 0 and 1 (PyTorch's
// initial values); it draws nothing.
func (l *batchnorm) init(*rand.Rand) {
	for i := range l.c {
		l.gamma.Value[i], l.beta.Value[i] = 1, 0
		l.runMean.Value[i], l.runVar.Value[i] = 0, 1
	}
}

func (l *batchnorm) forward(_ Gemm, x, y []float32, n int) {
	l.batched = l.training
	M := float64(n * l.plane)
	w := l.c * l.plane
	for c := range l.c {
		if l.training {
			var sum, ss float64
			for s := range n {
				for _, a := range x[s*w+c*l.plane:][:l.plane] {
					sum += float64(a)
				}
			}
			mu := sum / M
			for s := range n {
				for _, a := range x[s*w+c*l.plane:][:l.plane] {
					d := float64(a) - mu
					ss += d * d
				}
			}
			variance := ss / M
			l.mu[c], l.inv[c] = mu, 1/math.Sqrt(variance+batchNormEps)
			rm, rv := &l.runMean.Value[c], &l.runVar.Value[c]
			*rm = float32((1-batchNormMomentum)*float64(*rm) + batchNormMomentum*mu)
			if M > 1 {
				*rv = float32((1-batchNormMomentum)*float64(*rv) + batchNormMomentum*ss/(M-1))
			}
		} else {
			l.mu[c], l.inv[c] = float64(l.runMean.Value[c]), 1/math.Sqrt(float64(l.runVar.Value[c])+batchNormEps)
		}
		scale := float64(l.gamma.Value[c]) * l.inv[c]
		shift := float64(l.beta.Value[c]) - scale*l.mu[c]
		for s := range n {
			off := s*w + c*l.plane
			xs, ys := x[off:][:l.plane], y[off:][:l.plane]
			for j, a := range xs {
				ys[j] = float32(scale*float64(a) + shift)
			}
		}
	}
}

// backward: with x̂ = (x − μ)·inv, ∂L/∂γ = Σ dy·x̂ and ∂L/∂β = Σ dy over the
// channel's M values. With running statistics dx = γ·inv·dy; with the
// batch's, μ and σ² depend on x too, and
//
//	dx = γ·inv·(dy − Σdy/M − x̂·Σ(dy·x̂)/M).
func (l *batchnorm) backward(_ Gemm, x, _, dy, dx []float32, n int, params bool) {
	M := float64(n * l.plane)
	w := l.c * l.plane
	for c := range l.c {
		mu, inv := l.mu[c], l.inv[c]
		var s1, s2 float64
		for s := range n {
			off := s*w + c*l.plane
			for j, d := range dy[off:][:l.plane] {
				s1 += float64(d)
				s2 += float64(d) * (float64(x[off+j]) - mu) * inv
			}
		}
		if params {
			l.gamma.Grad[c] += float32(s2)
			l.beta.Grad[c] += float32(s1)
		}
		if dx == nil {
			continue
		}
		g := float64(l.gamma.Value[c]) * inv
		if !l.batched {
			s1, s2 = 0, 0
		}
		for s := range n {
			off := s*w + c*l.plane
			for j, d := range dy[off:][:l.plane] {
				xh := (float64(x[off+j]) - mu) * inv
				dx[off+j] = float32(g * (float64(d) - s1/M - xh*s2/M))
			}
		}
	}
}

func (l *batchnorm) tangent(Gemm, []float32, []float32, []float32, []float32, int) {
	panic("nn: batchnorm has no tangent pass (Spec.TangentError)")
}

func (l *batchnorm) backwardTangent(Gemm, []float32, []float32, []float32, []float32, []float32, []float32, int) {
	panic("nn: batchnorm has no tangent pass (Spec.TangentError)")
}
