package nn

import (
	"errors"
	"fmt"
)

// Limits that keep a Spec read from an untrusted file from asking for absurd
// amounts of memory.
const (
	MaxDim    = 1 << 16 // widest layer
	MaxParams = 1 << 27 // total parameters of one network (512 MiB of float32)
	MaxLayers = 256
)

// LayerSpec describes one layer of a sequential network. Linear layers give
// In and Out (and may ask for spectral normalisation); activations take their
// width from the layer before; LeakyReLU has a Slope for negative inputs,
// Floor its lower bound. The convolutions (conv.go) read In and Out as
// channel counts, their input's Height×Width, and Kernel, Stride and
// Padding; batch normalisation (batchnorm.go) has Channels. An image is
// stored channel by channel, row by row (NCHW): a sample's C×H×W values
// are one row of the batch.
type LayerSpec struct {
	Kind         Kind    `json:"kind"`
	In           int     `json:"in,omitempty"`
	Out          int     `json:"out,omitempty"`
	Slope        float64 `json:"slope,omitempty"`
	Floor        float64 `json:"floor,omitempty"`
	SpectralNorm bool    `json:"spectral_norm,omitempty"`
	Hidden       int     `json:"hidden,omitempty"`
	Parity       int     `json:"parity,omitempty"`
	Height       int     `json:"height,omitempty"`
	Width        int     `json:"width,omitempty"`
	Kernel       int     `json:"kernel,omitempty"`
	Stride       int     `json:"stride,omitempty"`
	Padding      int     `json:"padding,omitempty"`
	Channels     int     `json:"channels,omitempty"`
}

// Spec is the architecture of a sequential network: enough to rebuild it.
type Spec struct {
	Layers []LayerSpec `json:"layers"`
}

// MLP returns the spec of a multilayer perceptron in → hidden... → out with
// the activation act (e.g. LeakyReLU(0.2)) after every hidden layer and
// outAct (may be empty) after the last. sn asks for spectral normalisation
// of every linear layer.
func MLP(in int, hidden []int, out int, act LayerSpec, outAct Kind, sn bool) Spec {
	var s Spec
	prev := in
	for _, h := range hidden {
		s.Layers = append(s.Layers, LayerSpec{Kind: KindLinear, In: prev, Out: h, SpectralNorm: sn}, act)
		prev = h
	}
	s.Layers = append(s.Layers, LayerSpec{Kind: KindLinear, In: prev, Out: out, SpectralNorm: sn})
	if outAct != "" {
		s.Layers = append(s.Layers, LayerSpec{Kind: outAct})
	}
	return s
}

// Activation returns the spec of an activation layer by kind name; slope is
// used by LeakyReLU only.
func Activation(kind Kind, slope float64) LayerSpec {
	return LayerSpec{Kind: kind, Slope: slope}
}

// Validate checks that the layers chain (each layer that states its input
// width, such as linear's In, gets that width from the layer before, and a
// layer that reads an image, a convolution or batchnorm, reads the shape
// that the convolution before gives, through any activations), that kinds
// are known, that each layer sets only the fields its kind reads, and that
// sizes are within limits.
func (s Spec) Validate() error {
	if len(s.Layers) == 0 {
		return errors.New("nn: spec has no layers")
	}
	if len(s.Layers) > MaxLayers {
		return fmt.Errorf("nn: spec has %d layers, more than %d", len(s.Layers), MaxLayers)
	}
	width, params := 0, 0
	var img imageShape
	for i, l := range s.Layers {
		d := kinds[l.Kind]
		if d == nil {
			return fmt.Errorf("nn: layer %d: unknown kind %q", i, l.Kind)
		}
		err := d.check(i, l, width)
		if err != nil {
			return err
		}
		if i == 0 && d.in(l) == 0 {
			return fmt.Errorf("nn: layer 0 is %q; a network starts with a layer that states its input width (linear, a convolution)", l.Kind)
		}
		if d.fields&fieldSizes == 0 && (l.In != 0 || l.Out != 0 || l.SpectralNorm) {
			return fmt.Errorf("nn: layer %d: %s takes no sizes or spectral norm", i, l.Kind)
		}
		if d.fields&fieldSlope == 0 && l.Slope != 0 {
			return fmt.Errorf("nn: layer %d: %s takes no slope", i, l.Kind)
		}
		if d.fields&fieldFloor == 0 && l.Floor != 0 {
			return fmt.Errorf("nn: layer %d: %s takes no floor", i, l.Kind)
		}
		if d.fields&fieldCoupling == 0 && (l.Hidden != 0 || l.Parity != 0) {
			return fmt.Errorf("nn: layer %d: %s takes no hidden width or parity", i, l.Kind)
		}
		if d.fields&fieldConv == 0 && (l.Height != 0 || l.Width != 0 || l.Kernel != 0 || l.Stride != 0 || l.Padding != 0) {
			return fmt.Errorf("nn: layer %d: %s takes no image size, kernel, stride or padding", i, l.Kind)
		}
		if d.fields&fieldChannels == 0 && l.Channels != 0 {
			return fmt.Errorf("nn: layer %d: %s takes no channels", i, l.Kind)
		}
		if d.image == nil {
			img = imageShape{}
		} else if img, err = d.image(i, l, img); err != nil {
			return err
		}
		ps, _ := d.tensors(i, l, width)
		for _, t := range ps {
			params += t.Size()
		}
		if params > MaxParams {
			return fmt.Errorf("nn: more than %d parameters", MaxParams)
		}
		width = d.out(l, width)
		if width < 1 || width > MaxDim {
			return fmt.Errorf("nn: layer %d: %s gives width %d, outside 1..%d", i, l.Kind, width, MaxDim)
		}
	}
	return nil
}

// In is the network's input width (0 for a spec that does not start with a
// known kind).
func (s Spec) In() int {
	if len(s.Layers) == 0 || kinds[s.Layers[0].Kind] == nil {
		return 0
	}
	return kinds[s.Layers[0].Kind].in(s.Layers[0])
}

// Widths returns the network's input width followed by the output width of
// every layer. Meant for a valid spec: an unknown kind counts as keeping its
// input's width.
func (s Spec) Widths() []int {
	w := []int{s.In()}
	for _, l := range s.Layers {
		in := w[len(w)-1]
		if d := kinds[l.Kind]; d != nil {
			in = d.out(l, in)
		}
		w = append(w, in)
	}
	return w
}

// TangentError is nil when every layer of s has the tangent passes of the
// gradient penalty (Network.GradPenalty), and otherwise an error naming the
// first layer that lacks them: a network that must take the penalty (an
// energy) is refused with it.
func (s Spec) TangentError() error {
	for i, l := range s.Layers {
		if d := kinds[l.Kind]; d != nil && d.noTangent {
			return fmt.Errorf("nn: layer %d: %s has no tangent pass, so this network cannot take the gradient penalty (an energy cannot use it)", i, l.Kind)
		}
	}
	return nil
}

// Out is the network's output width.
func (s Spec) Out() int {
	w := s.Widths()
	return w[len(w)-1]
}

// FLOPs is the number of floating-point operations of one forward pass for
// one sample, counting a multiply-add as two (the matrix products only).
func (s Spec) FLOPs() int {
	f, w := 0, s.Widths()
	for i, l := range s.Layers {
		f += kinds[l.Kind].flops(l, w[i])
	}
	return f
}

// TensorInfo names one tensor of a network and gives its shape.
type TensorInfo struct {
	Name      string
	Shape     []int
	Trainable bool // a parameter (true) or state such as spectral norm's u, v (false)
}

// Size is the number of values of the tensor.
func (t TensorInfo) Size() int {
	n := 1
	for _, d := range t.Shape {
		n *= d
	}
	return n
}

// LayerTensors lists the parameters and the state of layer i, in the order
// the network holds them.
func (s Spec) LayerTensors(i int) (params, state []TensorInfo) {
	l := s.Layers[i]
	return kinds[l.Kind].tensors(i, l, s.Widths()[i])
}

// Tensors lists the tensors a network built from s holds, parameters in the
// order of Network.Params followed by state in the order of Network.State,
// without allocating them: a file reader checks a file against it before
// building anything.
func (s Spec) Tensors() []TensorInfo {
	var params, state []TensorInfo
	w := s.Widths()
	for i, l := range s.Layers {
		p, st := kinds[l.Kind].tensors(i, l, w[i])
		params, state = append(params, p...), append(state, st...)
	}
	return append(params, state...)
}
