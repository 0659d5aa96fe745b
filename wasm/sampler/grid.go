package sampler

import "fmt"

// Grid is a rectangle of the data plane of a 2-D model, sampled at Res × Res
// points including its corners: point (i, j) is
//
//	x = XMin + i·(XMax − XMin)/(Res − 1),  y = YMin + j·(YMax − YMin)/(Res − 1).
type Grid struct {
	XMin, XMax, YMin, YMax float64
	Res                    int
}

func (g Grid) check() error {
	for _, v := range []struct {
		name string
		v    float64
	}{{"xmin", g.XMin}, {"xmax", g.XMax}, {"ymin", g.YMin}, {"ymax", g.YMax}} {
		if err := checkFinite(v.name, v.v); err != nil {
			return err
		}
	}
	if !(g.XMin < g.XMax) || !(g.YMin < g.YMax) {
		return fmt.Errorf("%w: grid [%v, %v] × [%v, %v]: want xmin < xmax and ymin < ymax", ErrArgument, g.XMin, g.XMax, g.YMin, g.YMax)
	}
	if g.Res < 2 || g.Res > MaxGridRes {
		return fmt.Errorf("%w: grid resolution %d: must be in 2..%d", ErrArgument, g.Res, MaxGridRes)
	}
	return nil
}

// EnergyGrid evaluates the energy E of a 2-D model (D = 2) at the points of
// g, in the model's space (see Description.Scale), into dst: Res × Res
// values, row j (y) after row j−1, dst[j·Res + i] = E(x_i, y_j). Rows run
// from YMin up; a picture whose top row is YMax draws them in reverse. It is
// an error for a model whose data are not 2-D.
func (s *Sampler) EnergyGrid(m Handle, g Grid, dst []float32) (out []float32, err error) {
	err = s.call("energy grid", func() error {
		om, err := s.model(m)
		if err != nil {
			return err
		}
		if D := om.g.Dim(); D != 2 {
			return fmt.Errorf("%w: an energy grid needs a 2-D model, this one has %d dimensions", ErrArgument, D)
		}
		if err := g.check(); err != nil {
			return err
		}
		total := g.Res * g.Res
		out = grow(dst, total)
		dx := (g.XMax - g.XMin) / float64(g.Res-1)
		dy := (g.YMax - g.YMin) / float64(g.Res-1)
		pts := make([]float32, 2*min(gridBatch, total))
		for start := 0; start < total; start += gridBatch {
			n := min(gridBatch, total-start)
			for k := range n {
				i, j := (start+k)%g.Res, (start+k)/g.Res
				pts[2*k] = float32(g.XMin + float64(i)*dx)
				pts[2*k+1] = float32(g.YMin + float64(j)*dy)
			}
			om.g.Energies(pts[:2*n], n, out[start:start+n])
		}
		return nil
	})
	return out, err
}
