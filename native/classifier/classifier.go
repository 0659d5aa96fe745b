// Package classifier is gebm's MNIST classifier: a multilayer perceptron
// trained with softmax cross-entropy, whose penultimate hidden layer is the
// feature space of gebm's FID and KID ("FID on gebm's MNIST-classifier
// features", see package metrics).
//
// The network is two nn.Networks in sequence: Features (input → hidden
// layers, each followed by ReLU) and Head (last hidden layer → logits, linear).
// The features are the activations after the last ReLU.
//
// The file format is this package's own (see Encode): the layout of gebm's
// model file (package ckpt) with its own magic, since a ckpt file describes a
// base, an energy and A, not a classifier.
package classifier

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/gebm/gebm/shared/data"
	"github.com/gebm/gebm/shared/nn"
)

// Classifier is a trained (or training) MLP classifier.
type Classifier struct {
	Features *nn.Network // input → features (ReLU after every layer)
	Head     *nn.Network // features → logits
	// Info records the input space and what training achieved.
	Info Info
}

// Info is the classifier's metadata, stored in its file.
type Info struct {
	Data         string  `json:"data"`          // the data set, e.g. "mnist"
	Dim          int     `json:"dim"`           // input width
	Shape        []int   `json:"shape"`         // e.g. [28, 28]
	Scale        float64 `json:"scale"`         // input = raw·Scale + Offset
	Offset       float64 `json:"offset"`        //
	Classes      int     `json:"classes"`       //
	TestAccuracy float64 `json:"test_accuracy"` // on the data set's test split
	Epochs       int     `json:"epochs"`
	Seconds      float64 `json:"seconds"` // training wall time
	Seed         uint64  `json:"seed"`
	Time         string  `json:"time"` // RFC 3339, when written
}

// New returns an untrained classifier in → hidden... → classes.
func New(in int, hidden []int, classes int, rng *rand.Rand) (*Classifier, error) {
	if len(hidden) == 0 {
		return nil, fmt.Errorf("classifier: at least one hidden layer is needed (its activations are the features)")
	}
	if classes < 2 {
		return nil, fmt.Errorf("classifier: %d classes", classes)
	}
	fs := nn.MLP(in, hidden[:len(hidden)-1], hidden[len(hidden)-1], nn.Activation(nn.KindReLU, 0), nn.KindReLU, false)
	hs := nn.MLP(hidden[len(hidden)-1], nil, classes, nn.LayerSpec{}, "", false)
	f, err := nn.New(fs, rng)
	if err != nil {
		return nil, fmt.Errorf("classifier: %w", err)
	}
	h, err := nn.New(hs, rng)
	if err != nil {
		return nil, fmt.Errorf("classifier: %w", err)
	}
	return &Classifier{Features: f, Head: h, Info: Info{Dim: in, Classes: classes}}, nil
}

// FeatureDim is the width of the feature layer.
func (c *Classifier) FeatureDim() int { return c.Features.Out() }

// Params returns every trainable tensor, features first.
func (c *Classifier) Params() []*nn.Param {
	return append(append([]*nn.Param(nil), c.Features.Params()...), c.Head.Params()...)
}

// evalBatch is the batch size of Embed and Predict.
const evalBatch = 500

// Embed computes the features of the n rows of x into dst (n × FeatureDim,
// allocated when too small) and returns it.
func (c *Classifier) Embed(x []float32, n int, dst []float32) []float32 {
	in, k := c.Features.In(), c.FeatureDim()
	if cap(dst) < n*k {
		dst = make([]float32, n*k)
	}
	dst = dst[:n*k]
	for lo := 0; lo < n; lo += evalBatch {
		hi := min(lo+evalBatch, n)
		copy(dst[lo*k:hi*k], c.Features.Forward(x[lo*in:hi*in], hi-lo))
	}
	return dst
}

// Predict returns the most likely class of each of the n rows of x.
func (c *Classifier) Predict(x []float32, n int) []int {
	in, classes := c.Features.In(), c.Head.Out()
	out := make([]int, n)
	for lo := 0; lo < n; lo += evalBatch {
		hi := min(lo+evalBatch, n)
		logits := c.Head.Forward(c.Features.Forward(x[lo*in:hi*in], hi-lo), hi-lo)
		for i := 0; i < hi-lo; i++ {
			out[lo+i] = argmax(logits[i*classes : (i+1)*classes])
		}
	}
	return out
}

// Accuracy is the fraction of the labelled data set's rows classified right.
func (c *Classifier) Accuracy(d *data.Dataset) (float64, error) {
	if d.Labels == nil {
		return 0, fmt.Errorf("classifier: %s has no labels", d.Name)
	}
	if d.Dim != c.Features.In() {
		return 0, fmt.Errorf("classifier: %s has %d columns, the classifier takes %d", d.Name, d.Dim, c.Features.In())
	}
	pred := c.Predict(d.X, d.Rows())
	right := 0
	for i, p := range pred {
		if p == d.Labels[i] {
			right++
		}
	}
	return float64(right) / float64(len(pred)), nil
}

func argmax(v []float32) int {
	best := 0
	for i, x := range v {
		if x > v[best] {
			best = i
		}
	}
	return best
}

// SoftmaxCrossEntropy returns the mean cross-entropy of the n = len(labels)
// rows of logits (n × classes) against the labels,
//
//	L = (1/n) Σ_i [log Σ_k exp(l_ik) − l_i,y_i],
//
// and, when grad is not nil (n × classes), writes ∂L/∂l_ik = (softmax(l_i)_k −
// [k = y_i])/n into it. Sums are in float64 with a max shift.
func SoftmaxCrossEntropy(logits []float32, labels []int, classes int, grad []float32) float64 {
	n := len(labels)
	if len(logits) != n*classes || (grad != nil && len(grad) != n*classes) {
		panic(fmt.Sprintf("classifier: SoftmaxCrossEntropy: %d logits, %d gradients for %d rows of %d classes", len(logits), len(grad), n, classes))
	}
	var loss float64
	for i := 0; i < n; i++ {
		row := logits[i*classes : (i+1)*classes]
		m := math.Inf(-1)
		for _, v := range row {
			m = math.Max(m, float64(v))
		}
		var s float64
		for _, v := range row {
			s += math.Exp(float64(v) - m)
		}
		lse := m + math.Log(s)
		y := labels[i]
		loss += lse - float64(row[y])
		if grad != nil {
			g := grad[i*classes : (i+1)*classes]
			for k, v := range row {
				p := math.Exp(float64(v) - lse)
				if k == y {
					p--
				}
				g[k] = float32(p / float64(n))
			}
		}
	}
	return loss / float64(n)
}
