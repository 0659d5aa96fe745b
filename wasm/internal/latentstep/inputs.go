//go:build !js && !wasip1

package main

import (
	"encoding/binary"
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"

	"github.com/gebm/gebm/shared/model"
	"github.com/gebm/gebm/shared/nn"
)

// layer is one layer of a network as the Node script reads it: a linear
// layer's effective weight W (out×in, row-major, spectral normalisation
// applied) and bias at float32 offsets into weights.bin; a convolution's
// effective weight in the model file's layout ([Out, In, k, k] for conv2d,
// [In, Out, k, k] for conv_transpose2d) and bias, with its input's
// Height×Width, kernel, stride and padding; a batchnorm's per-channel
// scale γ/√(running var + ε) at w and shift β − scale·(running mean) at b
// (the sampler's running statistics); or an activation, or the floor.
// InImage and OutImage are the [C, H, W] image a linear layer reads or
// writes where its neighbours are images (the script keeps images as
// NHWC and reorders the weight once to match).
type layer struct {
	Kind     nn.Kind `json:"kind"`
	In       int     `json:"in"`
	Out      int     `json:"out"`
	WOffset  int     `json:"w"`
	BOffset  int     `json:"b"`
	Slope    float64 `json:"slope,omitempty"`
	Floor    float64 `json:"floor,omitempty"`
	Height   int     `json:"height,omitempty"`
	Width    int     `json:"width,omitempty"`
	Kernel   int     `json:"kernel,omitempty"`
	Stride   int     `json:"stride,omitempty"`
	Padding  int     `json:"padding,omitempty"`
	InImage  []int   `json:"inImage,omitempty"`
	OutImage []int   `json:"outImage,omitempty"`
}

// tfjsKinds are the layer kinds scripts/bench/tfstep.mjs implements; a
// model with any other kind is refused by name rather than benchmarked
// wrongly.
var tfjsKinds = map[nn.Kind]bool{nn.KindLinear: true, nn.KindReLU: true, nn.KindLeakyReLU: true, nn.KindTanh: true,
	nn.KindFloor: true, nn.KindConv2D: true, nn.KindConvTranspose2D: true, nn.KindBatchNorm: true}

// keepsShape are the kinds whose output is their input's shape, value by
// value (per channel for batchnorm).
var keepsShape = map[nn.Kind]bool{nn.KindBatchNorm: true, nn.KindReLU: true, nn.KindLeakyReLU: true, nn.KindTanh: true,
	nn.KindSigmoid: true, nn.KindFloor: true}

// batchNormEps is package nn's ε of batch normalisation (batchnorm.go).
const batchNormEps = 1e-5

// images returns, for each layer of spec, the [C, H, W] image its input
// is (nil for a flat vector) and the image its output is. A convolution's
// input and output are images; a batchnorm or an activation keeps its
// input's; a linear layer's output is an image when the next layer that
// is not a batchnorm or an activation is a convolution reading exactly its
// Out values.
func images(spec nn.Spec) (in, out [][]int) {
	in, out = make([][]int, len(spec.Layers)), make([][]int, len(spec.Layers))
	var cur []int
	for i, l := range spec.Layers {
		in[i] = cur
		switch l.Kind {
		case nn.KindConv2D, nn.KindConvTranspose2D:
			g := l.ConvGeometry()
			if l.Kind == nn.KindConv2D {
				cur = []int{l.Out, g.OH, g.OW}
			} else {
				cur = []int{l.Out, g.H, g.W}
			}
		case nn.KindLinear:
			cur = nil
			for _, next := range spec.Layers[i+1:] {
				if keepsShape[next.Kind] {
					continue
				}
				if (next.Kind == nn.KindConv2D || next.Kind == nn.KindConvTranspose2D) && next.In*next.Height*next.Width == l.Out {
					cur = []int{next.In, next.Height, next.Width}
				}
				break
			}
		}
		out[i] = cur
	}
	return in, out
}

// check is a batch of latents with U and ∇U computed by the Go model, for
// the Node script to compare TensorFlow.js's gradient with.
type check struct {
	N    int       `json:"n"`
	Z    []float32 `json:"z"`
	U    []float64 `json:"u"`
	Grad []float32 `json:"grad"`
}

// writeInputs writes, for the Node script: model.gebm (the model file),
// weights.bin and layers.json (the effective weights of both networks) and
// check.json.
func writeInputs(dir string, file []byte) error {
	g, err := model.Load(file)
	if err != nil {
		return err
	}
	var floats []float32
	nets := map[string][]layer{}
	for name, net := range map[string]*nn.Network{"base": g.Base, "energy": g.Energy} {
		params := map[string][]float32{}
		for _, p := range append(net.Params(), net.State()...) {
			params[p.Name] = p.Value
		}
		imgIn, imgOut := images(net.Spec())
		for i, ls := range net.Spec().Layers {
			if !tfjsKinds[ls.Kind] {
				return &nn.UnsupportedKindError{Backend: "the TensorFlow.js benchmark", Kind: ls.Kind}
			}
			pre := itoa(i) + "."
			l := layer{Kind: ls.Kind, In: ls.In, Out: ls.Out, Slope: ls.Slope, Floor: ls.Floor}
			switch ls.Kind {
			case nn.KindLinear, nn.KindConv2D, nn.KindConvTranspose2D:
				w := params[pre+"weight"]
				if ls.SpectralNorm {
					w = spectralNormalised(w, params[pre+"sn_u"], params[pre+"sn_v"])
				}
				l.WOffset = len(floats)
				floats = append(floats, w...)
				l.BOffset = len(floats)
				floats = append(floats, params[pre+"bias"]...)
				if ls.Kind == nn.KindLinear {
					l.InImage, l.OutImage = imgIn[i], imgOut[i]
				} else {
					l.Height, l.Width, l.Kernel, l.Stride, l.Padding = ls.Height, ls.Width, ls.Kernel, ls.Stride, ls.Padding
				}
			case nn.KindBatchNorm:
				gamma, beta := params[pre+"weight"], params[pre+"bias"]
				mean, variance := params[pre+"running_mean"], params[pre+"running_var"]
				l.In, l.Out = ls.Channels, ls.Channels
				scale, shift := make([]float32, ls.Channels), make([]float32, ls.Channels)
				for c := range scale {
					inv := 1 / math.Sqrt(float64(variance[c])+batchNormEps)
					scale[c] = float32(float64(gamma[c]) * inv)
					shift[c] = float32(float64(beta[c]) - float64(gamma[c])*inv*float64(mean[c]))
				}
				l.WOffset = len(floats)
				floats = append(floats, scale...)
				l.BOffset = len(floats)
				floats = append(floats, shift...)
			}
			nets[name] = append(nets[name], l)
		}
	}
	b := make([]byte, 4*len(floats))
	for i, v := range floats {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(v))
	}
	const n = 4
	c := check{N: n, Z: make([]float32, n*g.Latent()), U: make([]float64, n), Grad: make([]float32, n*g.Latent())}
	model.SampleLatents(rand.New(rand.NewPCG(7, 7)), c.Z)
	g.Potential(1).Eval(c.Z, c.U, c.Grad)
	for name, v := range map[string]any{"layers.json": nets, "check.json": c} {
		j, err := json.Marshal(v)
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, name), j, 0o644); err != nil {
			return err
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "weights.bin"), b, 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "model.gebm"), file, 0o644)
}

// spectralNormalised returns W/σ with σ = uᵀWv, computed as package nn does
// (float32 row dot products, summed in float64).
func spectralNormalised(w, u, v []float32) []float32 {
	in := len(v)
	var sigma float64
	for i, ui := range u {
		var d float32
		for j, x := range w[i*in : (i+1)*in] {
			d += x * v[j]
		}
		sigma += float64(ui) * float64(d)
	}
	if !(math.Abs(sigma) > 1e-12) {
		sigma = 1e-12
	}
	inv := float32(1 / sigma)
	out := make([]float32, len(w))
	for i, x := range w {
		out[i] = x * inv
	}
	return out
}

func itoa(i int) string {
	b, _ := json.Marshal(i)
	return string(b)
}
