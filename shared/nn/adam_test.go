package nn

import (
	"math"
	"runtime"
	"testing"
)

// TestAdamHandComputed checks two Adam steps against values worked by hand:
// θ0 = 1, lr 0.1, β1 0.5, β2 0.999, ε 1e-8, gradients 2 then -1.
//
//	step 1: m = 0.5·2·... = 1, v = 0.001·4 = 0.004; m̂ = 1/0.5 = 2, v̂ = 0.004/0.001 = 4
//	        θ1 = 1 - 0.1·2/(2+1e-8) = 0.9
//	step 2: m = 0.5·1 + 0.5·(-1) = 0, so θ2 = θ1 = 0.9 exactly (m̂ = 0)
//	step 3 with g = 3: m = 1.5, v = 0.999·(0.999·0.004 + 0.001) + 0.009
//	        θ3 = 0.9 - 0.1·(1.5/0.875)/(sqrt(v/(1-0.999³)) + 1e-8)
func TestAdamHandComputed(t *testing.T) {
	p := newParam("w", 1)
	p.Value[0] = 1
	a := NewAdam([]*Param{p}, 0.1, 0.5, 0.999, 1e-8)
	if err := a.Validate(); err != nil {
		t.Fatal(err)
	}
	want := func(step int, w float64) {
		t.Helper()
		// The state is float32 (relative rounding ~6e-8 per operation, a
		// few dozen operations): 5e-6 is loose for that, tight for any
		// wrong bias correction (which moves θ by 1e-2 or more).
		if math.Abs(float64(p.Value[0])-w) > 5e-6 {
			t.Fatalf("after step %d: θ = %.9f, want %.9f", step, p.Value[0], w)
		}
	}
	p.Grad[0] = 2
	a.Update()
	want(1, 0.9)
	p.Grad[0] = -1
	a.Update()
	want(2, 0.9)
	p.Grad[0] = 3
	a.Update()
	v := 0.999*(0.999*0.004+0.001) + 0.001*9
	want(3, 0.9-0.1*(1.5/0.875)/(math.Sqrt(v/(1-math.Pow(0.999, 3)))+1e-8))
	if a.Step != 3 {
		t.Fatalf("Step = %d", a.Step)
	}
}

// TestAdamStateRestores: an optimiser rebuilt from saved state continues
// exactly as the original.
func TestAdamStateRestores(t *testing.T) {
	mk := func() (*Param, *Adam) {
		p := newParam("w", 3)
		copy(p.Value, []float32{1, -2, 3})
		return p, NewAdam([]*Param{p}, 0.01, 0.9, 0.999, 1e-8)
	}
	p1, a1 := mk()
	grads := [][]float32{{1, 2, 3}, {-1, 0.5, 2}, {0.3, -0.2, 0.1}, {2, 2, -2}}
	for _, g := range grads[:2] {
		copy(p1.Grad, g)
		a1.Update()
	}
	p2, a2 := mk()
	copy(p2.Value, p1.Value)
	a2.Step = a1.Step
	for i, s := range a1.StateTensors() {
		copy(a2.StateTensors()[i].Value, s.Value)
	}
	for _, g := range grads[2:] {
		copy(p1.Grad, g)
		copy(p2.Grad, g)
		a1.Update()
		a2.Update()
	}
	for i := range p1.Value {
		if p1.Value[i] != p2.Value[i] {
			t.Fatalf("restored optimiser diverged at %d: %v vs %v", i, p1.Value[i], p2.Value[i])
		}
	}
}

func TestAdamValidate(t *testing.T) {
	for _, a := range []*Adam{
		{LR: 0, Beta1: 0.5, Beta2: 0.9, Eps: 1e-8},
		{LR: math.NaN(), Beta1: 0.5, Beta2: 0.9, Eps: 1e-8},
		{LR: 1, Beta1: 1, Beta2: 0.9, Eps: 1e-8},
		{LR: 1, Beta1: 0.5, Beta2: -0.1, Eps: 1e-8},
		{LR: 1, Beta1: 0.5, Beta2: 0.9, Eps: 0},
	} {
		if a.Validate() == nil {
			t.Errorf("%+v accepted", a)
		}
	}
}

// TestAdamSplitSameBits: Update split over goroutines (GOMAXPROCS 4,
// chunks that cross parameters' ends) gives the bits of one goroutine.
func TestAdamSplitSameBits(t *testing.T) {
	mk := func() []*Param {
		var ps []*Param
		for k, n := range []int{3*adamChunk + 5, 7, adamChunk, 1} {
			p := newParam("p", n)
			for i := range p.Value {
				p.Value[i] = float32(math.Sin(float64(i + k)))
				p.Grad[i] = float32(math.Cos(float64(3*i+k))) * 1e-2
			}
			ps = append(ps, p)
		}
		return ps
	}
	run := func(procs int) []*Param {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		ps := mk()
		a := NewAdam(ps, 1e-3, 0.5, 0.999, 1e-8)
		for range 3 {
			a.Update()
		}
		return ps
	}
	one, four := run(1), run(4)
	for k := range one {
		for i, v := range one[k].Value {
			if math.Float32bits(v) != math.Float32bits(four[k].Value[i]) {
				t.Fatalf("param %d [%d]: %v on one goroutine, %v on four", k, i, v, four[k].Value[i])
			}
		}
	}
	if one[0].Value[0] == mk()[0].Value[0] {
		t.Fatal("Update changed nothing")
	}
}

// TestAdamSplitAllocatesNothing: an update split over goroutines hands
// the shares to the helpers without allocating (a go statement a share
// allocated its closure every update).
func TestAdamSplitAllocatesNothing(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4))
	p := newParam("p", 3*adamChunk)
	a := NewAdam([]*Param{p}, 1e-3, 0.5, 0.999, 1e-8)
	if n := testing.AllocsPerRun(10, a.Update); n != 0 {
		t.Fatalf("%v allocations an update", n)
	}
}
