//go:build cuda

// Package cuda runs gebm's training iteration on an NVIDIA GPU through the
// CUDA driver API (gorgonia.org/cu). It is the device side of native/train's
// Backend: native/train/backend_cuda.go registers it for --device cuda, and
// the trainer keeps the schedule, the random draws, the checks, checkpoints
// and logs.
//
// Every Go file carries the build tag cuda. gorgonia.org/cu's package init
// calls cuInit and exits the process when it fails, so a binary that links
// this package dies at start-up on a machine without a GPU; nothing in the
// default build imports it.
//
// # Layout
//
// The package mirrors shared/nn and native/train/cpu.go file for file, each
// Go file beside the .cu file of its kernels (llm.c's way): linear.go and
// linear.cu (bias, bias gradient), activation.go and activation.cu
// (LeakyReLU/ReLU, tanh, logistic: forward, backward, tangent, backward
// tangent), penalty.go and penalty.cu (the gradient penalty in forward mode
// over the backward pass, as shared/nn/penalty.go), spectral.go and
// spectral.cu (power iteration, W/σ and its chain rule, on the device),
// conv.go and conv.cu (conv2d and conv_transpose2d lowered as shared/nn
// lowers them: per chunk of samples, im2col or col2im and one matrix product; the
// bias and its gradient over NCHW images; spectral normalisation of the
// weight read as the matrix the product uses), batchnorm.go and
// batchnorm.cu (batch statistics in training mode, Network.SetTraining,
// with the running statistics' update; running statistics otherwise),
// adam.go and adam.cu, kale.go and kale.cu (kale.EnergyLoss and the base
// step's importance weights, tilted by --base-tilt, in double), reduce.cu
// (deterministic two-pass sums in double), gemm.go, gemm_cublas.go and gemm.cu (the matrix
// products), network.go (the sequential network) and backend.go (the two
// training steps). `make kernels` compiles each .cu file to one PTX file for
// sm_80 (scripts/cuda-kernels.sh), which the driver JIT-compiles for newer
// GPUs too; the PTX is committed in ptx/ and embedded, so building needs no
// nvcc, and `make test-cuda` checks it is current.
//
// # Arithmetic
//
// float32 tensors, float64 reductions, as on the CPU. The elementwise
// kernels are compiled without fused multiply-adds and follow the CPU's
// order of operations, so given the same inputs they give the CPU's bits
// (bias, activations' derivatives, interpolation, the Adam update, the
// power iteration's matrix-vector products); tanh, exp and log come from
// CUDA's library and may differ from the CPU's in the last place (the CPU's
// tanh is nn.Tanh32, a rational function within one unit in the last place
// of the correctly rounded tanh; the kernel keeps CUDA's). The matrix
// products and reductions add in another order than the CPU, so a training
// step agrees with the CPU's to float32 rounding, not bit for bit; the tests
// state the tolerances. All kernels are deterministic (no atomics), and so
// is cuBLAS's SGEMM: the same run gives the same bits every time, and a run
// resumed from a checkpoint continues exactly.
//
// # Matrix products
//
// With cuBLAS (the default) or with gemm.cu's tiled kernel: the build tag
// nocublas leaves cuBLAS out, giving a binary that needs only the driver's
// libcuda (the one scripts/gpu-check.sh carries to the GPU machine);
// Config.Gemm (gebm train --cuda-gemm kernel) selects the kernel in a cuBLAS
// build. TF32 is not used.
//
// # Testing without a GPU
//
// The tests compare each kernel, whole networks and a full training
// iteration with the CPU (shared/nn, shared/kale, native/train's CPU
// backend). With the tags cuda,cudaemu they run on any machine: the driver
// calls (driver_cu.go) are replaced by driver_emu.go, which runs the same
// .cu sources compiled as C++ (emu.cc, emu_cuda.h), every GPU thread a
// fiber, blocks one after another. That checks the kernels' indexing,
// reductions, shuffles and barriers and all the Go around them, but not
// what only a GPU shows: concurrency between blocks and streams, the
// memory model, the PTX compiler, cuBLAS, and speed.
//
// # Data movement
//
// Parameters, gradients, Adam's moments and every buffer of a step live on
// the device. A step uploads its batch (the data rows from page-locked
// memory on a second stream, overlapping the base's forward pass, which
// needs only the latents) and brings back one small vector of statistics;
// the update is skipped on the device when the loss or a gradient norm is
// not finite, as the CPU backend stops before updating. The host model and
// optimisers are brought up to date by Sync (before every checkpoint and
// model file), so the files are the CPU backend's in every byte of format.
package cuda
