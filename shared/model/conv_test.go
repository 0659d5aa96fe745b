package model_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gebm/gebm/shared/model"
	"github.com/gebm/gebm/shared/model/modeltest"
)

// TestConvPotentialGradient checks ∇U of the grey (1×16×16) and colour
// (3×12×12) convolutional models (modeltest.Conv: batchnorm with running
// statistics, transposed convolutions, spectrally normalised convolutions)
// against central differences of U, at β = 1 and 1000, and U itself
// against ||z||²/2 + β E(B(z)). These untrained energies are flat (β·∇E is
// at most 0.1 at β = 10), so β = 1000 makes the energy's term, not the
// prior's z, the bulk of ∇U: a transposed weight or a batchnorm backward
// by the wrong statistics is then off by O(1). The networks are piecewise
// linear between kinks of about 2000 (leaky) ReLU units, and a kink within
// ±h of the point bends a central difference by a few percent (measured:
// up to 8%, at every h from 1e-2 to 1e-4, for a coordinate whose forward
// difference matched ∇U to 0.05%: the kink was on the backward side). So
// each coordinate passes when one of its central, forward or backward
// differences at h = 1e-2, 3e-3 or 1e-3 is within 2% of ∇U (float32
// passes: smaller steps drown in rounding).
func TestConvPotentialGradient(t *testing.T) {
	const tol = 0.02
	worst := 0.0
	for _, g := range []*model.GEBM{modeltest.Conv(51, 1, 16), modeltest.Conv(52, 3, 12)} {
		for _, beta := range []float64{1, 1000} {
			p := g.Potential(beta)
			n, d := 2, g.Latent()
			z := make([]float32, n*d)
			model.SampleLatents(rand.New(rand.NewPCG(5, 6)), z)
			u, grad := make([]float64, n), make([]float32, n*d)
			p.Eval(z, u, grad)
			zz := append([]float32{}, z...)
			up, um, gtmp := make([]float64, n), make([]float64, n), make([]float32, n*d)
			near := func(k int, fd float64) float64 { return math.Abs(fd-float64(grad[k])) / math.Max(1, math.Abs(fd)) }
			best := make([]float64, n*d)
			for k := range best {
				best[k] = math.Inf(1)
			}
			for _, h := range []float32{1e-2, 3e-3, 1e-3} {
				for j := range d {
					for i := range n {
						zz[i*d+j] = z[i*d+j] + h
					}
					p.Eval(zz, up, gtmp)
					for i := range n {
						zz[i*d+j] = z[i*d+j] - h
					}
					p.Eval(zz, um, gtmp)
					for i := range n {
						k := i*d + j
						hp, hm := float64(z[k]+h)-float64(z[k]), float64(z[k])-float64(z[k]-h)
						zz[k] = z[k]
						best[k] = min(best[k], near(k, (up[i]-um[i])/(hp+hm)), near(k, (up[i]-u[i])/hp), near(k, (u[i]-um[i])/hm))
					}
				}
			}
			for k, rel := range best {
				worst = max(worst, rel)
				if rel > tol {
					t.Fatalf("%s, β %v: dU/dz[%d][%d] = %v is %.3g (relative) from every finite difference", g.Data.Name, beta, k/d, k%d, grad[k], rel)
				}
			}
			e := g.Energies(g.Generate(z, n, nil), n, nil)
			for i := range n {
				var sq float64
				for _, v := range z[i*d : (i+1)*d] {
					sq += float64(v) * float64(v)
				}
				if w := sq/2 + beta*float64(e[i]); math.Abs(u[i]-w) > 1e-5*math.Max(1, math.Abs(w)) {
					t.Fatalf("%s: U = %v, want %v", g.Data.Name, u[i], w)
				}
			}
		}
	}
	t.Logf("largest relative difference from the nearest finite difference: %.3g (tolerance %g)", worst, tol)
}

// TestConvBlockedPotential: the potential every latent chain runs
// (BlockedPotential, its blocks spread over copies of the networks) gives
// on a colour convolutional model, with 1 and 3 workers, U and ∇U bit for
// bit those of the model's own potential evaluated block by block: the
// copies carry the batchnorm layers' running statistics (the networks'
// state), without which every block but the first would be normalised by
// mean 0 and variance 1.
func TestConvBlockedPotential(t *testing.T) {
	g := modeltest.Conv(53, 3, 12)
	const beta = 2
	n, d := 2*model.EvalBlock+5, g.Latent()
	z := make([]float32, n*d)
	model.SampleLatents(rand.New(rand.NewPCG(7, 7)), z)
	wantU, wantG := make([]float64, n), make([]float32, n*d)
	ref := g.Potential(beta)
	for lo := 0; lo < n; lo += model.EvalBlock {
		hi := min(n, lo+model.EvalBlock)
		ref.Eval(z[lo*d:hi*d], wantU[lo:hi], wantG[lo*d:hi*d])
	}
	for _, w := range []int{1, 3} {
		u, grad := make([]float64, n), make([]float32, n*d)
		g.BlockedPotential(beta, w).Eval(z, u, grad)
		for i := range u {
			if math.Float64bits(u[i]) != math.Float64bits(wantU[i]) {
				t.Fatalf("%d workers: U[%d] = %v, the model's potential gives %v", w, i, u[i], wantU[i])
			}
		}
		for i := range grad {
			if math.Float32bits(grad[i]) != math.Float32bits(wantG[i]) {
				t.Fatalf("%d workers: ∇U[%d] = %v, the model's potential gives %v", w, i, grad[i], wantG[i])
			}
		}
	}
}
