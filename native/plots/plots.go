// Package plots draws gebm's pictures with gonum/plot: training curves, 2-D
// samples over the energy's heat map, and grids of images.
package plots

import (
	"fmt"
	"image/color"
	"math"
	"math/rand/v2"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/palette"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"

	"github.com/gebm/gebm/shared/data"
	"github.com/gebm/gebm/shared/model"
)

// Curves plots named series against x and saves a PNG.
func Curves(path, title, xlabel string, x []float64, series map[string][]float64) error {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = xlabel
	names := make([]string, 0, len(series))
	for name := range series {
		names = append(names, name)
	}
	slices.Sort(names)
	var args []any
	for _, name := range names {
		ys := series[name]
		pts := make(plotter.XYs, 0, len(x))
		for i := range x {
			if i < len(ys) && !math.IsNaN(ys[i]) && !math.IsInf(ys[i], 0) {
				pts = append(pts, plotter.XY{X: x[i], Y: ys[i]})
			}
		}
		args = append(args, name, pts)
	}
	if err := plotutil.AddLines(p, args...); err != nil {
		return err
	}
	p.Legend.Top = true
	return p.Save(7*vg.Inch, 4*vg.Inch, path)
}

// Samples draws n generator samples of m and writes a picture of them: for
// 2-D models, data (grey), generator samples (red) and the energy as a heat
// map; for image models, a grid of samples.
func Samples(path string, m *model.GEBM, ref *data.Dataset, n int, seed uint64) error {
	rng := rand.New(rand.NewPCG(seed, 5))
	if m.Dim() != 2 {
		n = min(n, 64)
	}
	z := make([]float32, n*m.Latent())
	model.SampleLatents(rng, z)
	x := m.Generate(z, n, nil)
	if m.Dim() != 2 {
		return ImageGrid(path, x, n, m.Data.Shape)
	}
	var dataPts []float32
	if ref != nil {
		dataPts = ref.X[:min(len(ref.X), 2*n)]
	}
	return Scatter2D(path, "data (grey), generator samples (red), energy (heat map)", m,
		[]Set{{Name: "data", X: dataPts, Color: color.RGBA{90, 90, 90, 255}}, {Name: "generator", X: x, Color: color.RGBA{220, 30, 30, 255}}})
}

// Set is a named 2-D point set, row-major (x0, y0, x1, y1, ...).
type Set struct {
	Name  string
	X     []float32
	Color color.Color
}

// Scatter2D plots point sets over the energy of m (when m is not nil) as a
// heat map on the sets' bounding box.
func Scatter2D(path, title string, m *model.GEBM, sets []Set) error {
	p := plot.New()
	p.Title.Text = title
	lo, hi := [2]float64{math.Inf(1), math.Inf(1)}, [2]float64{math.Inf(-1), math.Inf(-1)}
	for _, s := range sets {
		for i := 0; i+1 < len(s.X); i += 2 {
			for k := range 2 {
				v := float64(s.X[i+k])
				if !math.IsNaN(v) && !math.IsInf(v, 0) {
					lo[k], hi[k] = math.Min(lo[k], v), math.Max(hi[k], v)
				}
			}
		}
	}
	if math.IsInf(lo[0], 0) {
		lo, hi = [2]float64{-1, -1}, [2]float64{1, 1}
	}
	for k := range 2 {
		pad := 0.1*(hi[k]-lo[k]) + 1e-3
		lo[k], hi[k] = lo[k]-pad, hi[k]+pad
	}
	if m != nil {
		g := EnergyGrid(m, lo, hi, 80)
		hm := plotter.NewHeatMap(g, palette.Heat(64, 1))
		p.Add(hm)
	}
	for _, s := range sets {
		pts := make(plotter.XYs, 0, len(s.X)/2)
		for i := 0; i+1 < len(s.X); i += 2 {
			pts = append(pts, plotter.XY{X: float64(s.X[i]), Y: float64(s.X[i+1])})
		}
		sc, err := plotter.NewScatter(pts)
		if err != nil {
			return err
		}
		sc.GlyphStyle.Color = s.Color
		sc.GlyphStyle.Radius = vg.Points(1.2)
		p.Add(sc)
		p.Legend.Add(s.Name, sc)
	}
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = lo[0], hi[0], lo[1], hi[1]
	return p.Save(6*vg.Inch, 6*vg.Inch, path)
}

// EnergyGrid evaluates the energy of a 2-D model on a res×res grid.
func EnergyGrid(m *model.GEBM, lo, hi [2]float64, res int) *Grid {
	g := &Grid{lo: lo, hi: hi, res: res, z: make([]float64, res*res)}
	pts := make([]float32, 0, 2*res*res)
	for r := 0; r < res; r++ {
		for c := 0; c < res; c++ {
			pts = append(pts, float32(g.X(c)), float32(g.Y(r)))
		}
	}
	e := m.Energies(pts, res*res, nil)
	for i, v := range e {
		g.z[i] = -float64(v) // low energy = hot
	}
	return g
}

// Grid is a regular grid of values (plotter.GridXYZ).
type Grid struct {
	lo, hi [2]float64
	res    int
	z      []float64
}

func (g *Grid) Dims() (c, r int)   { return g.res, g.res }
func (g *Grid) Z(c, r int) float64 { return g.z[r*g.res+c] }
func (g *Grid) X(c int) float64 {
	return g.lo[0] + (float64(c)+0.5)*(g.hi[0]-g.lo[0])/float64(g.res)
}
func (g *Grid) Y(r int) float64 {
	return g.lo[1] + (float64(r)+0.5)*(g.hi[1]-g.lo[1])/float64(g.res)
}

// checkShape returns the channels (1 or 3), height and width of images
// of the given shape ([H W] or [C H W]) in rows of dim values; a square of
// one channel when shape says nothing usable.
func checkShape(shape []int, dim int) (c, h, w int, err error) {
	switch {
	case len(shape) == 2 && shape[0]*shape[1] == dim:
		return 1, shape[0], shape[1], nil
	case len(shape) == 3 && (shape[0] == 1 || shape[0] == 3) && shape[0]*shape[1]*shape[2] == dim:
		return shape[0], shape[1], shape[2], nil
	}
	side := int(math.Round(math.Sqrt(float64(dim))))
	if side*side == dim {
		return 1, side, side, nil
	}
	return 0, 0, 0, fmt.Errorf("plots: cannot draw rows of %d values as images (shape %v)", dim, shape)
}
