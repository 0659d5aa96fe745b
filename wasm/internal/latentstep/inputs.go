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
// applied) and bias at float32 offsets into weights.bin, or an activation.
type layer struct {
	Kind    nn.Kind `json:"kind"`
	In      int     `json:"in"`
	Out     int     `json:"out"`
	WOffset int     `json:"w"`
	BOffset int     `json:"b"`
	Slope   float64 `json:"slope,omitempty"`
}

// tfjsKinds are the layer kinds scripts/bench/tfstep.mjs implements; a
// model with any other kind is refused by name rather than benchmarked
// wrongly.
var tfjsKinds = map[nn.Kind]bool{nn.KindLinear: true, nn.KindReLU: true, nn.KindLeakyReLU: true, nn.KindTanh: true}

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
		for i, ls := range net.Spec().Layers {
			if !tfjsKinds[ls.Kind] {
				return &nn.UnsupportedKindError{Backend: "the TensorFlow.js benchmark", Kind: ls.Kind}
			}
			if ps, _ := net.Spec().LayerTensors(i); len(ps) == 0 {
				nets[name] = append(nets[name], layer{Kind: ls.Kind, Slope: ls.Slope})
				continue
			}
			pre := itoa(i) + "."
			w := params[pre+"weight"]
			if ls.SpectralNorm {
				w = spectralNormalised(w, params[pre+"sn_u"], params[pre+"sn_v"])
			}
			l := layer{Kind: ls.Kind, In: ls.In, Out: ls.Out, WOffset: len(floats)}
			floats = append(floats, w...)
			l.BOffset = len(floats)
			floats = append(floats, params[pre+"bias"]...)
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
