// Package nn is gebm's neural-network package: sequential networks built
// from a Spec, with the four passes training needs — forward, the input
// gradient, parameter gradients, and the tangent passes of the gradient
// penalty's double backward — written by hand for float32 batches, every
// matrix product going through one Gemm interface. The same code runs
// natively and compiled to WebAssembly; native/cuda copies its passes onto
// the GPU and is tested against it.
//
// # Layer kinds
//
// Each layer kind (a Kind: "linear", "tanh", ...) has one descriptor,
// registered by the file that implements it: its output width, tensors,
// FLOPs, validation, and a constructor whose layer has the passes, the
// initialisation and the spectral-normalisation hooks. Spec.Validate,
// Spec.Widths, Spec.Tensors, Spec.FLOPs and Network read the descriptor;
// so do the model file (through Spec.Tensors), the CUDA backend (through
// Spec.LayerTensors and Widths) and the WebAssembly sampler's memory bound
// (Spec.Widths). A backend without a kind refuses it with an
// UnsupportedKindError naming the kind.
//
// # Adding a layer kind
//
//  1. shared/nn/<kind>.go: the Kind constant (its string is what model files
//     record: never rename it), the layer type with its passes, and the
//     descriptor registered in an init function, with an example layer for
//     the tests. Beside it the float64 reference in reference_test.go (the
//     CPU tests compare every kind's gradients with it and fail on a kind
//     it lacks) and the kind's name in ExampleKinds's output.
//  2. native/cuda/<kind>.cu: the kernels of the four passes, with an
//     #include line in native/cuda/emu.cc (the CPU emulation compiles the
//     .cu files), then `make kernels` for the PTX.
//  3. native/cuda/<kind>.go: the Go wrapper, registered in builders. The
//     device tests walk every registered kind against this package
//     (native/cuda/network_test.go) and fail on a kind with no builder,
//     unless native/cuda's hostOnly lists it with the reason it has none
//     (coupling: flows train on the CPU); the WebAssembly sampler's test
//     (wasm/sampler/kinds_test.go) needs nothing.
//
// A kind without the gradient penalty's tangent passes sets noTangent in
// its descriptor (Spec.TangentError then names it, and an energy cannot
// hold it). A kind that model files of format version 1 could not hold
// makes its files version 2 (shared/ckpt's v1Kinds lists the old kinds).
//
// Nothing else switches on a layer kind, except the TensorFlow.js
// benchmark (wasm/internal/latentstep), which refuses kinds its script does
// not implement.
package nn
