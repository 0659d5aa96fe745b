package ckpt

import "github.com/gebm/gebm/shared/nn"

// Header is the JSON part of a model file.
type Header struct {
	// Base is the generator's architecture: latent → data.
	Base nn.Spec `json:"base"`
	// Energy is the energy's architecture: data → 1.
	Energy nn.Spec `json:"energy"`
	// Latent is the size d of z ~ N(0, I_d).
	Latent int `json:"latent"`
	// Data describes the space the model generates in.
	Data DataInfo `json:"data"`
	// A is the learned log-normaliser of the energy.
	A float64 `json:"a"`
	// Training records how the model was made.
	Training Training `json:"training"`
	// Tensors lists the float32 tensors stored after the header, in order.
	Tensors []TensorInfo `json:"tensors"`
	// Resume holds what a resumed training run needs beyond the tensors
	// (absent in files written for sampling only).
	Resume *ResumeState `json:"resume,omitempty"`
}

// DataInfo is the data space: its dimension, an optional image shape, and
// the normalisation that maps raw values to the model's space
// (model = raw·Scale + Offset).
type DataInfo struct {
	Name   string  `json:"name"`
	Dim    int     `json:"dim"`
	Shape  []int   `json:"shape,omitempty"` // e.g. [28, 28] for MNIST
	Scale  float64 `json:"scale"`
	Offset float64 `json:"offset"`
}

// Training is metadata: the data set, steps done, seed, wall time, and
// free-form hyper-parameters.
type Training struct {
	Dataset string            `json:"dataset"`
	Steps   int               `json:"steps"`
	Seed    uint64            `json:"seed"`
	Seconds float64           `json:"seconds"`
	Time    string            `json:"time"` // RFC 3339, when the file was written
	Device  string            `json:"device,omitempty"`
	Options map[string]string `json:"options,omitempty"`
}

// ResumeState is the optimiser and random-stream state of a checkpoint.
type ResumeState struct {
	EnergyAdamStep int64  `json:"energy_adam_step"`
	BaseAdamStep   int64  `json:"base_adam_step"`
	RNG            []byte `json:"rng"` // the generator's marshalled state
	// Schedule is the trainer's position in its schedule (iteration
	// counters), opaque to this package.
	Schedule map[string]int64 `json:"schedule,omitempty"`
}

// TensorInfo names a tensor and gives its shape.
type TensorInfo struct {
	Name  string `json:"name"`
	Shape []int  `json:"shape"`
}

// Tensor is a named float32 tensor.
type Tensor struct {
	Name  string
	Shape []int
	Data  []float32
}

// File is a decoded model file: the header and its tensors, by name.
type File struct {
	Header
	// Version is the format version the file was written in.
	Version int
	tensors map[string][]float32
}
