package nn

import (
	"fmt"
	"math"
	"runtime"
	"sync"
)

// Adam is the Adam optimiser (Kingma & Ba 2015) over a fixed list of
// parameters. After t = Step updates, for each element with gradient g:
//
//	m ← β1 m + (1-β1) g,  v ← β2 v + (1-β2) g²
//	θ ← θ - lr · (m / (1-β1^t)) / (sqrt(v / (1-β2^t)) + ε)
//
// (PyTorch's formulation). Its state (Step, m, v) can be saved and restored
// through StateTensors so that a resumed run continues exactly.
type Adam struct {
	LR, Beta1, Beta2, Eps float64
	Step                  int64
	params                []*Param
	m, v                  []*Param

	// the update's coefficients and goroutines while it runs (Update)
	coefs AdamCoefs
	wg    sync.WaitGroup
}

// NewAdam returns an optimiser for params with zero state.
func NewAdam(params []*Param, lr, beta1, beta2, eps float64) *Adam {
	a := &Adam{LR: lr, Beta1: beta1, Beta2: beta2, Eps: eps, params: params}
	for _, p := range params {
		a.m = append(a.m, &Param{Name: p.Name + ".adam_m", Shape: p.Shape, Value: make([]float32, len(p.Value))})
		a.v = append(a.v, &Param{Name: p.Name + ".adam_v", Shape: p.Shape, Value: make([]float32, len(p.Value))})
	}
	return a
}

// Validate reports hyper-parameters outside their meaningful ranges.
func (a *Adam) Validate() error {
	switch {
	case !(a.LR > 0) || math.IsInf(a.LR, 0):
		return fmt.Errorf("adam: learning rate %v must be positive and finite", a.LR)
	case !(a.Beta1 >= 0 && a.Beta1 < 1):
		return fmt.Errorf("adam: beta1 %v must be in [0, 1)", a.Beta1)
	case !(a.Beta2 >= 0 && a.Beta2 < 1):
		return fmt.Errorf("adam: beta2 %v must be in [0, 1)", a.Beta2)
	case !(a.Eps > 0) || math.IsInf(a.Eps, 0):
		return fmt.Errorf("adam: eps %v must be positive and finite", a.Eps)
	}
	return nil
}

// Update applies one step using the parameters' current Grad, in the
// kernel that SetAdamKernel chose (AdamStep unless a native entry point
// chose another that gives the same bits). With GOMAXPROCS above 1 the
// parameters' elements are split in chunks over that many goroutines
// (at most adamMaxWorkers): each element's update depends on that element
// only, so the split changes no bit.
func (a *Adam) Update() {
	a.Step++
	bc1 := 1 - math.Pow(a.Beta1, float64(a.Step))
	bc2 := 1 - math.Pow(a.Beta2, float64(a.Step))
	b1, b2 := float32(a.Beta1), float32(a.Beta2)
	c := AdamCoefs{Beta1: b1, OneMinusBeta1: 1 - b1, Beta2: b2, OneMinusBeta2: 1 - b2,
		StepSize: float32(a.LR / bc1), InvSqrtBC2: float32(1 / math.Sqrt(bc2)), Eps: float32(a.Eps)}
	workers := min(runtime.GOMAXPROCS(0), adamMaxWorkers)
	if workers == 1 || a.size() < 2*adamChunk {
		for k := range a.params {
			a.update(k, 0, len(a.params[k].Value), c)
		}
		return
	}
	a.coefs = c
	a.wg.Add(workers - 1)
	for w := 1; w < workers; w++ {
		adamHelpers.start(adamShare{a, w, workers})
	}
	a.updateShare(0, workers)
	a.wg.Wait()
}

// adamShare is one goroutine's part of an update: updateShare(w, workers)
// of a.
type adamShare struct {
	a          *Adam
	w, workers int
}

// adamPool is the goroutines that run the shares of Update beside the
// caller's: started on first use, as many as were ever needed at once
// (at most adamMaxWorkers-1), alive for the process and idle between
// updates. Handing them a share allocates nothing, where a go statement
// per share allocated its closure every update.
type adamPool struct {
	mu      sync.Mutex
	work    chan adamShare
	running int
}

var adamHelpers = adamPool{work: make(chan adamShare, adamMaxWorkers)}

// start hands share s to an idle helper, starting one where fewer are
// running than shares can be pending.
func (p *adamPool) start(s adamShare) {
	p.mu.Lock()
	if p.running < s.workers-1 {
		p.running++
		go p.serve()
	}
	p.mu.Unlock()
	p.work <- s
}

// serve runs shares until the process ends.
func (p *adamPool) serve() {
	for s := range p.work {
		s.a.updateShare(s.w, s.workers)
	}
}

// adamChunk is the number of elements a goroutine of Update takes at a
// time (256 KiB of each of θ, g, m and v), and adamMaxWorkers the most
// goroutines it uses.
const (
	adamChunk      = 1 << 16
	adamMaxWorkers = 8
)

// size is the number of elements of all the parameters.
func (a *Adam) size() int {
	n := 0
	for _, p := range a.params {
		n += len(p.Value)
	}
	return n
}

// updateShare updates chunks w, w+workers, w+2·workers, ... of the
// parameters' elements (counted over all parameters in order, each
// parameter's last chunk possibly shorter) with the coefficients of
// a.coefs; the calls with w > 0 run in adamHelpers and mark a.wg done.
func (a *Adam) updateShare(w, workers int) {
	if w > 0 {
		defer a.wg.Done()
	}
	i := 0 // the chunk's number
	for k, p := range a.params {
		for lo := 0; lo < len(p.Value); lo += adamChunk {
			if i%workers == w {
				a.update(k, lo, min(lo+adamChunk, len(p.Value)), a.coefs)
			}
			i++
		}
	}
}

// update runs the kernel on elements lo..hi-1 of parameter k.
func (a *Adam) update(k, lo, hi int, c AdamCoefs) {
	p := a.params[k]
	adamKernel(p.Value[lo:hi], p.Grad[lo:hi], a.m[k].Value[lo:hi], a.v[k].Value[lo:hi], c)
}

// AdamCoefs are the float32 constants of one Adam update, as Update
// derives them from the hyper-parameters and the step count t.
type AdamCoefs struct {
	Beta1, OneMinusBeta1 float32 // β1 and 1-β1 (rounded from float32 β1)
	Beta2, OneMinusBeta2 float32
	StepSize             float32 // lr / (1-β1^t)
	InvSqrtBC2           float32 // 1 / √(1-β2^t)
	Eps                  float32
}

// AdamKernel applies one Adam update with coefficients c to the elements
// of value from those of grad, updating the moments m and v in place; the
// four slices have the same length.
type AdamKernel func(value, grad, m, v []float32, c AdamCoefs)

// AdamStep is the definition of Adam's arithmetic on one parameter's
// elements, in float32, each operation rounded in this order and none
// fused:
//
//	m ← β1·m + (1-β1)·g
//	v ← β2·v + ((1-β2)·g)·g
//	θ ← θ − (StepSize·m) / (√v·InvSqrtBC2 + ε)
//
// Every AdamKernel must give the same bits (native/blas's vectorised one
// is tested against it).
func AdamStep(value, grad, m, v []float32, c AdamCoefs) {
	n := len(value)
	grad, m, v = grad[:n], m[:n], v[:n]
	for i, gi := range grad {
		mi := c.Beta1*m[i] + c.OneMinusBeta1*gi
		vi := c.Beta2*v[i] + c.OneMinusBeta2*gi*gi
		m[i], v[i] = mi, vi
		denom := float32(math.Sqrt(float64(vi)))*c.InvSqrtBC2 + c.Eps
		value[i] -= c.StepSize * mi / denom
	}
}

// adamKernel is the kernel Adam.Update runs; see SetAdamKernel.
var adamKernel AdamKernel = AdamStep

// SetAdamKernel replaces the kernel every Adam's Update runs by k, which
// must give AdamStep's bits (native entry points pass native/blas's
// vectorised one, with the matrix product: blas.UseFastest); nil restores
// AdamStep. Like SetDefaultGemm, not meant to be called while training
// runs.
func SetAdamKernel(k AdamKernel) {
	if k == nil {
		k = AdamStep
	}
	adamKernel = k
}

// StateTensors returns the first and second moment tensors, named after
// their parameters ("0.weight.adam_m", ...), for saving and restoring; their
// Values are the live state.
func (a *Adam) StateTensors() []*Param {
	out := make([]*Param, 0, 2*len(a.m))
	for k := range a.m {
		out = append(out, a.m[k], a.v[k])
	}
	return out
}
