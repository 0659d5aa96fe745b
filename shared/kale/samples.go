package kale

import (
	"fmt"
	"math"
)

// Samples is a row-major Rows×Cols matrix: Rows points in R^Cols, point i
// stored in Data[i*Cols : (i+1)*Cols]. The package never modifies Data.
type Samples struct {
	Data       []float64
	Rows, Cols int
}

// NewSamples wraps data as a rows×cols sample matrix, checking its shape.
func NewSamples(data []float64, rows, cols int) (Samples, error) {
	s := Samples{Data: data, Rows: rows, Cols: cols}
	if err := s.checkShape("samples"); err != nil {
		return Samples{}, err
	}
	return s, nil
}

// SamplesFromFloat32 converts a row-major rows×cols float32 matrix (the
// neural side's batch layout) to Samples. It allocates a new float64 slice.
func SamplesFromFloat32(data []float32, rows, cols int) (Samples, error) {
	if rows < 0 || cols < 0 || len(data) != rows*cols {
		return Samples{}, fmt.Errorf("kale: samples: %d values for a %d×%d matrix: %w", len(data), rows, cols, ErrShape)
	}
	d := make([]float64, len(data))
	for i, v := range data {
		d[i] = float64(v)
	}
	return NewSamples(d, rows, cols)
}

// Row returns point i (a sub-slice of Data, not a copy).
func (s Samples) Row(i int) []float64 { return s.Data[i*s.Cols : (i+1)*s.Cols] }

// checkShape reports a malformed or empty matrix, naming it.
func (s Samples) checkShape(name string) error {
	switch {
	case s.Rows <= 0:
		return fmt.Errorf("kale: %s: %d points: %w", name, s.Rows, ErrEmpty)
	case s.Cols <= 0:
		return fmt.Errorf("kale: %s: dimension %d: %w", name, s.Cols, ErrEmpty)
	case len(s.Data) != s.Rows*s.Cols:
		return fmt.Errorf("kale: %s: %d values for a %d×%d matrix: %w", name, len(s.Data), s.Rows, s.Cols, ErrShape)
	}
	return nil
}

// checkFinite reports the first NaN or ±Inf entry, naming the point.
func (s Samples) checkFinite(name string) error {
	for k, v := range s.Data {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("kale: %s: point %d, coordinate %d is %v: %w", name, k/s.Cols, k%s.Cols, v, ErrNonFinite)
		}
	}
	return nil
}

// checkPair validates two sample sets that are to be compared.
func checkPair(x, y Samples) error {
	if err := x.checkShape("X"); err != nil {
		return err
	}
	if err := y.checkShape("Y"); err != nil {
		return err
	}
	if x.Cols != y.Cols {
		return fmt.Errorf("kale: X has dimension %d, Y has dimension %d: %w", x.Cols, y.Cols, ErrDimMismatch)
	}
	if err := x.checkFinite("X"); err != nil {
		return err
	}
	return y.checkFinite("Y")
}
