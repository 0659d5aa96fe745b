package model

import (
	"fmt"
	"math"
)

// Identical returns nil when g and o hold the same bits in every tensor and
// the same A, and otherwise an error naming the first value that differs:
// the check that a resumed training run ends where an uninterrupted one
// does, on every device.
func (g *GEBM) Identical(o *GEBM) error {
	a, b := g.Tensors(), o.Tensors()
	if len(a) != len(b) {
		return fmt.Errorf("%d tensors vs %d", len(a), len(b))
	}
	for i := range a {
		if a[i].Name != b[i].Name || len(a[i].Data) != len(b[i].Data) {
			return fmt.Errorf("tensor %d: %s (%d values) vs %s (%d values)", i, a[i].Name, len(a[i].Data), b[i].Name, len(b[i].Data))
		}
		for j := range a[i].Data {
			if math.Float32bits(a[i].Data[j]) != math.Float32bits(b[i].Data[j]) {
				return fmt.Errorf("%s[%d]: %v vs %v", a[i].Name, j, a[i].Data[j], b[i].Data[j])
			}
		}
	}
	if g.A != o.A {
		return fmt.Errorf("A: %v vs %v", g.A, o.A)
	}
	return nil
}
