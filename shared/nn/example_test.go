package nn_test

import (
	"fmt"
	"math/rand/v2"

	"github.com/gebm/gebm/shared/nn"
)

// A small energy network: build it from a Spec, evaluate f and ∇_x f on a
// batch, and add the gradient penalty's parameter gradient.
func Example() {
	spec := nn.MLP(2, []int{8}, 1, nn.Activation(nn.KindLeakyReLU, 0.2), "", true)
	net, err := nn.New(spec, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		panic(err)
	}
	fmt.Println("widths", spec.Widths(), "parameters", net.ParamCount(), "FLOPs per row", spec.FLOPs())
	for _, t := range spec.Tensors() {
		fmt.Println(t.Name, t.Shape, t.Trainable)
	}

	x := []float32{0.5, -1, 2, 0.25} // two rows of two values
	f, grad := net.InputGrad(x, 2)
	fmt.Println("rows", len(f), "gradient values", len(grad))

	net.ZeroGrad()
	p := net.GradPenalty(x, 2, 1) // mean ||∇_x f||², its gradient added into Grad
	net.FinishGrads()
	fmt.Println("penalty positive:", p > 0)
	// Output:
	// widths [2 8 8 1] parameters 33 FLOPs per row 48
	// 0.weight [8 2] true
	// 0.bias [8] true
	// 2.weight [1 8] true
	// 2.bias [1] true
	// 0.sn_u [8] false
	// 0.sn_v [2] false
	// 2.sn_u [1] false
	// 2.sn_v [8] false
	// rows 2 gradient values 4
	// penalty positive: true
}

// Every layer kind a Spec may name, by the name model files record (a
// kind's name never changes: files written before must still load).
func ExampleKinds() {
	fmt.Println(nn.Kinds())
	// Output: [batchnorm conv2d conv_transpose2d coupling floor leakyrelu linear relu sigmoid tanh]
}

// A DCGAN-like pair for 28×28 images: a generator from 100 latents through
// a linear layer read as 128 channels of 7×7, two transposed convolutions
// with batch normalisation, and a spectrally normalised convolutional
// energy. Batch normalisation uses batch statistics only inside a training
// step; the energy takes the gradient penalty, the generator cannot.
func Example_convolutional() {
	up := func(in, out, hw int) nn.LayerSpec {
		return nn.LayerSpec{Kind: nn.KindConvTranspose2D, In: in, Out: out, Height: hw, Width: hw, Kernel: 4, Stride: 2, Padding: 1}
	}
	down := func(in, out, hw int) nn.LayerSpec {
		return nn.LayerSpec{Kind: nn.KindConv2D, In: in, Out: out, Height: hw, Width: hw, Kernel: 4, Stride: 2, Padding: 1, SpectralNorm: true}
	}
	relu, leaky := nn.Activation(nn.KindReLU, 0), nn.Activation(nn.KindLeakyReLU, 0.2)
	base := nn.Spec{Layers: []nn.LayerSpec{
		{Kind: nn.KindLinear, In: 100, Out: 128 * 7 * 7}, {Kind: nn.KindBatchNorm, Channels: 128}, relu,
		up(128, 64, 7), {Kind: nn.KindBatchNorm, Channels: 64}, relu,
		up(64, 1, 14), {Kind: nn.KindTanh},
	}}
	energy := nn.Spec{Layers: []nn.LayerSpec{
		down(1, 64, 28), leaky, down(64, 128, 14), leaky,
		{Kind: nn.KindLinear, In: 128 * 7 * 7, Out: 1, SpectralNorm: true},
	}}
	for _, s := range []nn.Spec{base, energy} {
		fmt.Println("widths", s.Widths(), "MFLOPs per row", s.FLOPs()/1e6, "penalty:", s.TangentError() == nil)
	}

	g, err := nn.New(base, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		panic(err)
	}
	z := make([]float32, 8*100)
	g.SetTraining(true) // a training step: batch statistics, running ones updated
	g.Forward(z, 8)
	g.SetTraining(false) // sampling: running statistics, x = B(z) row by row
	x := g.Forward(z, 8)
	fmt.Println("images", len(x)/784, "state tensors", len(g.State()))
	// Output:
	// widths [100 6272 6272 6272 12544 12544 12544 784 784] MFLOPs per row 14 penalty: false
	// widths [784 12544 12544 6272 6272 1] MFLOPs per row 13 penalty: true
	// images 8 state tensors 4
}
