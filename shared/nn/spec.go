package nn

import (
	"errors"
	"fmt"
	"math"
)

// Layer kinds a Spec may name.
const (
	KindLinear    = "linear"
	KindLeakyReLU = "leakyrelu"
	KindReLU      = "relu"
	KindTanh      = "tanh"
	KindSigmoid   = "sigmoid"
	// KindFloor is y = max(x, Floor): the reference's lower clamp of the
	// energy, E = max(f, -10), which keeps the KALE objective bounded when
	// the data and the generator's samples are far apart.
	KindFloor = "floor"
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
// Floor its lower bound.
type LayerSpec struct {
	Kind         string  `json:"kind"`
	In           int     `json:"in,omitempty"`
	Out          int     `json:"out,omitempty"`
	Slope        float64 `json:"slope,omitempty"`
	Floor        float64 `json:"floor,omitempty"`
	SpectralNorm bool    `json:"spectral_norm,omitempty"`
}

// Spec is the architecture of a sequential network: enough to rebuild it.
type Spec struct {
	Layers []LayerSpec `json:"layers"`
}

// MLP returns the spec of a multilayer perceptron in → hidden... → out with
// the activation act (e.g. LeakyReLU(0.2)) after every hidden layer and
// outAct (may be empty) after the last. sn asks for spectral normalisation
// of every linear layer.
func MLP(in int, hidden []int, out int, act LayerSpec, outAct string, sn bool) Spec {
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
func Activation(kind string, slope float64) LayerSpec {
	return LayerSpec{Kind: kind, Slope: slope}
}

// Validate checks that the layers chain (each linear layer's In equals the
// width before it), that kinds are known and sizes are within limits.
func (s Spec) Validate() error {
	if len(s.Layers) == 0 {
		return errors.New("nn: spec has no layers")
	}
	if len(s.Layers) > MaxLayers {
		return fmt.Errorf("nn: spec has %d layers, more than %d", len(s.Layers), MaxLayers)
	}
	if s.Layers[0].Kind != KindLinear {
		return fmt.Errorf("nn: layer 0 is %q; a network starts with a linear layer", s.Layers[0].Kind)
	}
	width, params := 0, 0
	for i, l := range s.Layers {
		switch l.Kind {
		case KindLinear:
			if l.In < 1 || l.Out < 1 || l.In > MaxDim || l.Out > MaxDim {
				return fmt.Errorf("nn: layer %d: linear %d→%d: sizes must be in 1..%d", i, l.In, l.Out, MaxDim)
			}
			if i > 0 && l.In != width {
				return fmt.Errorf("nn: layer %d: linear takes %d inputs but the layer before gives %d", i, l.In, width)
			}
			params += l.In*l.Out + l.Out
			if params > MaxParams {
				return fmt.Errorf("nn: more than %d parameters", MaxParams)
			}
			width = l.Out
		case KindLeakyReLU:
			if !(l.Slope >= 0 && l.Slope < 1) {
				return fmt.Errorf("nn: layer %d: leakyrelu slope %v must be in [0, 1)", i, l.Slope)
			}
		case KindFloor:
			if math.IsNaN(l.Floor) || math.IsInf(l.Floor, 0) || math.Abs(l.Floor) > 1e6 {
				return fmt.Errorf("nn: layer %d: floor %v must be a number in [-1e6, 1e6]", i, l.Floor)
			}
		case KindReLU, KindTanh, KindSigmoid:
		default:
			return fmt.Errorf("nn: layer %d: unknown kind %q", i, l.Kind)
		}
		if l.Kind != KindLinear && (l.In != 0 || l.Out != 0 || l.SpectralNorm) {
			return fmt.Errorf("nn: layer %d: %s takes no sizes or spectral norm", i, l.Kind)
		}
		if l.Kind != KindLeakyReLU && l.Slope != 0 {
			return fmt.Errorf("nn: layer %d: %s takes no slope", i, l.Kind)
		}
		if l.Kind != KindFloor && l.Floor != 0 {
			return fmt.Errorf("nn: layer %d: %s takes no floor", i, l.Kind)
		}
	}
	return nil
}

// In is the network's input width.
func (s Spec) In() int { return s.Layers[0].In }

// Out is the network's output width.
func (s Spec) Out() int {
	for i := len(s.Layers) - 1; i >= 0; i-- {
		if s.Layers[i].Kind == KindLinear {
			return s.Layers[i].Out
		}
	}
	return 0
}

// FLOPs is the number of floating-point operations of one forward pass for
// one sample, counting a multiply-add as two (the matrix products only).
func (s Spec) FLOPs() int {
	f := 0
	for _, l := range s.Layers {
		if l.Kind == KindLinear {
			f += 2 * l.In * l.Out
		}
	}
	return f
}

// TensorInfo names one tensor of a network and gives its shape.
type TensorInfo struct {
	Name      string
	Shape     []int
	Trainable bool // a parameter (true) or state such as spectral norm's u, v (false)
}

// Tensors lists the tensors a network built from s holds, parameters in the
// order of Network.Params followed by state in the order of Network.State,
// without allocating them: a file reader checks a file against it before
// building anything.
func (s Spec) Tensors() []TensorInfo {
	var params, state []TensorInfo
	for i, l := range s.Layers {
		if l.Kind != KindLinear {
			continue
		}
		params = append(params, TensorInfo{paramName(i, "weight"), []int{l.Out, l.In}, true},
			TensorInfo{paramName(i, "bias"), []int{l.Out}, true})
		if l.SpectralNorm {
			state = append(state, TensorInfo{paramName(i, "sn_u"), []int{l.Out}, false},
				TensorInfo{paramName(i, "sn_v"), []int{l.In}, false})
		}
	}
	return append(params, state...)
}
