package main

import (
	"fmt"
	"math"

	"github.com/gebm/gebm/shared/sample"
)

// acceptance summarises the per-chain acceptance rates of chains sampled in
// batches, in memory that does not grow with their number: their mean,
// minimum and maximum exactly, their median to 3 decimals (from a histogram
// of the rates rounded to 0.001: rounding keeps the order, so the median of
// the rounded rates is the rounded median), and the range of the batches'
// step sizes (they differ only where --warmup adapts them).
type acceptance struct {
	n              int
	sum, lo, hi    float64
	hist           [1001]int
	stepSum        float64 // Σ step size × chains, for the mean
	stepLo, stepHi float64
}

// add counts the chains of one batch.
func (a *acceptance) add(res *sample.Result) {
	if a.n == 0 {
		a.lo, a.hi = math.Inf(1), math.Inf(-1)
		a.stepLo, a.stepHi = math.Inf(1), math.Inf(-1)
	}
	for _, r := range res.AcceptRate {
		a.sum += r
		a.lo, a.hi = math.Min(a.lo, r), math.Max(a.hi, r)
		a.hist[int(math.Round(1000*math.Min(1, math.Max(0, r))))]++
	}
	a.n += len(res.AcceptRate)
	a.stepSum += res.StepSize * float64(len(res.AcceptRate))
	a.stepLo, a.stepHi = math.Min(a.stepLo, res.StepSize), math.Max(a.stepHi, res.StepSize)
}

// mean is the mean acceptance rate over all chains.
func (a *acceptance) mean() float64 { return a.sum / float64(max(a.n, 1)) }

// stepSize is the step size the chains used, averaged over chains.
func (a *acceptance) stepSize() float64 { return a.stepSum / float64(max(a.n, 1)) }

// median is the rate of chain n/2 (from 0) in increasing order, rounded to
// 0.001.
func (a *acceptance) median() float64 {
	seen := 0
	for k, c := range a.hist {
		seen += c
		if seen > a.n/2 {
			return float64(k) / 1000
		}
	}
	return math.NaN()
}

func (a *acceptance) String() string {
	s := fmt.Sprintf("acceptance rate %.3f (chains: min %.3f, median %.3f, max %.3f), step size %.4g",
		a.mean(), a.lo, a.median(), a.hi, a.stepLo)
	if a.stepHi != a.stepLo {
		s = fmt.Sprintf("acceptance rate %.3f (chains: min %.3f, median %.3f, max %.3f), step size %.4g to %.4g (adapted in each batch of chains)",
			a.mean(), a.lo, a.median(), a.hi, a.stepLo, a.stepHi)
	}
	return s
}
