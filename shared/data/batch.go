package data

import (
	"fmt"
	"math/rand/v2"
)

// Batcher draws minibatches from a Dataset by sampling without replacement
// within an epoch: it walks a random permutation of the rows and reshuffles
// it (in place) when it is used up, so every row appears once per epoch. A
// batch that crosses an epoch boundary continues in the next permutation.
// Next allocates nothing.
type Batcher struct {
	d     *Dataset
	rng   *rand.Rand
	perm  []int
	pos   int
	epoch int
}

// NewBatcher returns a Batcher over d using rng for the shuffles. It fails
// when d has no rows.
func NewBatcher(d *Dataset, rng *rand.Rand) (*Batcher, error) {
	n := d.Rows()
	if n == 0 {
		return nil, fmt.Errorf("data: %s: no rows to draw batches from", d.Name)
	}
	b := &Batcher{d: d, rng: rng, perm: make([]int, n)}
	for i := range b.perm {
		b.perm[i] = i
	}
	b.shuffle()
	return b, nil
}

func (b *Batcher) shuffle() {
	b.rng.Shuffle(len(b.perm), func(i, j int) { b.perm[i], b.perm[j] = b.perm[j], b.perm[i] })
	b.pos = 0
}

// Epoch returns the number of completed passes over the data.
func (b *Batcher) Epoch() int { return b.epoch }

// Next fills x with the next len(x)/Dim rows and, if labels is not nil,
// labels with their labels. It panics if len(x) is not a multiple of Dim, if
// labels is non-nil with a length other than len(x)/Dim, or if labels is
// non-nil for a dataset without labels.
func (b *Batcher) Next(x []float32, labels []int) {
	dim := b.d.Dim
	if len(x)%dim != 0 {
		panic(fmt.Sprintf("data: Batcher.Next: len(x) = %d is not a multiple of Dim = %d", len(x), dim))
	}
	rows := len(x) / dim
	if labels != nil && (len(labels) != rows || b.d.Labels == nil) {
		panic(fmt.Sprintf("data: Batcher.Next: %d labels for %d rows (dataset labelled: %t)", len(labels), rows, b.d.Labels != nil))
	}
	for i := 0; i < rows; i++ {
		if b.pos == len(b.perm) {
			b.epoch++
			b.shuffle()
		}
		r := b.perm[b.pos]
		b.pos++
		copy(x[i*dim:(i+1)*dim], b.d.X[r*dim:(r+1)*dim])
		if labels != nil {
			labels[i] = b.d.Labels[r]
		}
	}
}
