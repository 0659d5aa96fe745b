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
