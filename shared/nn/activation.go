package nn

import "math"

// activation is an elementwise y = σ(x). Its passes need σ' and σ”; both
// are written in terms of whichever of x and y gives them most cheaply:
//
//	leakyrelu: σ' = 1 (x > 0) or slope;  σ'' = 0
//	relu:      σ' = 1 (x > 0) or 0;      σ'' = 0
//	tanh:      σ' = 1 - y²;              σ'' = -2y(1 - y²)
//	sigmoid:   σ' = y(1 - y);            σ'' = y(1 - y)(1 - 2y)
//	floor:     σ = max(x, c); σ' = 1 (x > c) or 0; σ'' = 0
type activation struct {
	kind  string
	slope float32 // leakyrelu
	floor float32 // floor
}

func (a *activation) forward(_ Gemm, x, y []float32, n int) {
	y = y[:len(x)]
	switch a.kind {
	case KindLeakyReLU, KindReLU:
		s := a.slopeOf()
		for i, v := range x {
			if v > 0 {
				y[i] = v
			} else {
				y[i] = s * v
			}
		}
	case KindTanh:
		for i, v := range x {
			y[i] = float32(math.Tanh(float64(v)))
		}
	case KindSigmoid:
		for i, v := range x {
			y[i] = float32(1 / (1 + math.Exp(-float64(v))))
		}
	case KindFloor:
		c := a.floor
		for i, v := range x {
			y[i] = max(v, c)
		}
	}
}

func (a *activation) slopeOf() float32 {
	if a.kind == KindReLU {
		return 0
	}
	return a.slope
}

// deriv writes σ'(x) into d.
func (a *activation) deriv(x, y, d []float32) {
	d = d[:len(x)]
	y = y[:len(x)]
	switch a.kind {
	case KindLeakyReLU, KindReLU:
		s := a.slopeOf()
		for i, v := range x {
			if v > 0 {
				d[i] = 1
			} else {
				d[i] = s
			}
		}
	case KindTanh:
		for i, v := range y {
			d[i] = 1 - v*v
		}
	case KindSigmoid:
		for i, v := range y {
			d[i] = v * (1 - v)
		}
	case KindFloor:
		c := a.floor
		for i, v := range x {
			if v > c {
				d[i] = 1
			} else {
				d[i] = 0
			}
		}
	}
}

// second returns σ”(x) for one element (zero for piecewise-linear kinds).
func (a *activation) second(y float32) float32 {
	switch a.kind {
	case KindTanh:
		return -2 * y * (1 - y*y)
	case KindSigmoid:
		return y * (1 - y) * (1 - 2*y)
	}
	return 0
}

func (a *activation) backward(_ Gemm, x, y, dy, dx []float32, n int, _ bool) {
	if dx == nil {
		return
	}
	a.deriv(x, y, dx)
	dy = dy[:len(x)]
	for i, d := range dy {
		dx[i] *= d
	}
}

func (a *activation) tangent(_ Gemm, x, y, rx, ry []float32, n int) {
	a.deriv(x, y, ry)
	rx = rx[:len(x)]
	for i, r := range rx {
		ry[i] *= r
	}
}

// backwardTangent: dx = σ'(x) dy, so rdx = σ'(x) rdy + σ”(x) rx dy.
func (a *activation) backwardTangent(_ Gemm, x, y, rx, dy, rdy, rdx []float32, n int) {
	if rdx == nil {
		return
	}
	a.deriv(x, y, rdx)
	rdy = rdy[:len(x)]
	for i, r := range rdy {
		rdx[i] *= r
	}
	if a.kind == KindTanh || a.kind == KindSigmoid {
		y, rx, dy = y[:len(x)], rx[:len(x)], dy[:len(x)]
		for i, v := range y {
			rdx[i] += a.second(v) * rx[i] * dy[i]
		}
	}
}

func (a *activation) params() []*Param { return nil }

func (a *activation) outDim(in int) int { return in }
