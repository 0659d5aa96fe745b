package nn

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
)

// Kind is a layer kind. Its string is the name a model file records
// ("linear", "tanh", ...), so it must never change for a kind that has been
// written to a file.
type Kind string

// A kind's fields of LayerSpec: the descriptor names the ones it reads, and
// Validate refuses a spec that sets any other.
const (
	fieldSizes = 1 << iota // In, Out, SpectralNorm
	fieldSlope
	fieldFloor
	fieldCoupling // Hidden, Parity
	fieldConv     // Height, Width, Kernel, Stride, Padding
	fieldChannels // Channels
)

// kindDesc is everything gebm knows about one layer kind, in one place:
// the rest of the package (Spec.Validate, Out, FLOPs, Tensors, the
// Network) and the other backends read it through Spec and Network instead
// of switching on the kind.
type kindDesc struct {
	// fields are the LayerSpec fields the kind reads (fieldSizes, ...).
	fields int
	// in is the input width the layer states itself (linear's In), or 0
	// for a layer that takes the width of the layer before.
	in func(l LayerSpec) int
	// check validates the kind's own fields for a layer whose input is in
	// values wide; the error names the layer by its index i.
	check func(i int, l LayerSpec, in int) error
	// out is the output width for an input in values wide.
	out func(l LayerSpec, in int) int
	// image gives the image shape of the layer's output from that of its
	// input (zero when the input is flat values), refusing an input shape
	// the layer cannot read; nil for a layer whose output is flat values
	// (linear, coupling). Validate carries the shape through a network
	// with it.
	image func(i int, l LayerSpec, in imageShape) (imageShape, error)
	// flops is the floating-point operations of one forward pass for one
	// sample (a multiply-add counts two; matrix products only).
	flops func(l LayerSpec, in int) int
	// tensors lists the parameters (in Network.Params order) and the state
	// (in Network.State order) of layer i.
	tensors func(i int, l LayerSpec, in int) (params, state []TensorInfo)
	// build makes the layer, its tensors allocated with zero values; its
	// passes, init and spectral hooks are the methods of the layer
	// interface (layer.go).
	build func(i int, l LayerSpec, in int) layer
	// noTangent marks a kind without the tangent passes of the gradient
	// penalty (Spec.TangentError names it).
	noTangent bool
	// example is a valid layer of the kind for an input in values wide,
	// used by the tests that walk every kind through every backend.
	example func(in int) LayerSpec
}

// imageShape is the shape of an NCHW image, C channels of H×W values; the
// zero value stands for flat values with no image shape.
type imageShape struct{ c, h, w int }

func (s imageShape) String() string { return fmt.Sprintf("%d×%d×%d", s.c, s.h, s.w) }

// keepShape is the image hook of a layer that keeps its input's layout
// (elementwise activations).
func keepShape(_ int, _ LayerSpec, in imageShape) (imageShape, error) { return in, nil }

// kinds holds the descriptor of every kind; each layer file registers its
// own kinds with register.
var kinds = map[Kind]*kindDesc{}

func register(k Kind, d *kindDesc) {
	if kinds[k] != nil {
		panic("nn: layer kind " + string(k) + " registered twice")
	}
	kinds[k] = d
}

// Kinds lists every registered layer kind, sorted by name.
func Kinds() []Kind { return slices.Sorted(maps.Keys(kinds)) }

// Known reports whether k is a registered layer kind.
func (k Kind) Known() bool { return kinds[k] != nil }

// SpecWithKind returns a small valid network in → 5 → ... → out with a
// layer of kind k in the middle (its descriptor's example), for the tests
// that walk every registered kind through a backend. It panics for an
// unknown kind.
func SpecWithKind(k Kind, in, out int) Spec {
	d := kinds[k]
	if d == nil {
		panic(fmt.Sprintf("nn: unknown layer kind %q", k))
	}
	mid := d.example(5)
	s := Spec{Layers: []LayerSpec{{Kind: KindLinear, In: in, Out: 5, SpectralNorm: true}, mid}}
	w := s.Widths()
	return Spec{Layers: append(s.Layers, LayerSpec{Kind: KindLinear, In: w[len(w)-1], Out: out})}
}

// UnsupportedKindError is what a backend returns for a layer kind it has no
// implementation of.
type UnsupportedKindError struct {
	Backend string // "cuda", ...
	Kind    Kind
}

func (e *UnsupportedKindError) Error() string {
	return fmt.Sprintf("%s: layer kind %q is not supported", e.Backend, e.Kind)
}

// noParams gives the hooks of a layer without parameters: nothing to
// initialise, refresh or finish.
type noParams struct{}

func (noParams) params() []*Param       { return nil }
func (noParams) state() []*Param        { return nil }
func (noParams) init(*rand.Rand)        {}
func (noParams) refresh(powerIters int) {}
func (noParams) finishGrads()           {}
