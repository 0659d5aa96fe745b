package e2e

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestSIR: the sampler menu offers SIR. A step redraws every chain from a
// pool of 20 generator samples per chain and the readout shows the
// effective sample size of the weights: the whole pool at β = 0 (equal
// weights, every chain a different pool sample), less at β ≈ 21 than at
// β = 1 (the ESS of weights exp(−βE) falls as β grows), and the pool follows
// its slider. SIR runs and pauses like the kernels, and a kernel's step
// brings the acceptance readout back.
func TestSIR(t *testing.T) {
	p := openPage(t, viewport{})
	p.set("method", "sir", "change")
	steps := p.state().Steps
	step := func() demoState {
		t.Helper()
		p.click("step")
		steps++
		p.waitFor(fmt.Sprintf(`window.gebmDemo.state.steps === %d`, steps), time.Minute)
		st := p.state()
		if st.Error != nil {
			t.Fatalf("error after an SIR step: %s", *st.Error)
		}
		if st.Method != "sir" || st.ESS == nil || st.SIRPool == nil || st.SIRDistinct == nil || st.Acceptance != nil {
			t.Fatalf("after an SIR step: %v", st)
		}
		if *st.SIRPool != st.PoolPerChain*st.N || !(*st.ESS >= 1 && *st.ESS <= float64(*st.SIRPool)*(1+1e-12)) ||
			*st.SIRDistinct < 1 || *st.SIRDistinct > st.N {
			t.Fatalf("SIR draw: %v", st)
		}
		return st
	}
	st := step()
	if st.Beta != 1 || st.PoolPerChain != 20 {
		t.Fatalf("SIR at the page's start: %v, want β = 1 and 20 pool samples per chain", st)
	}
	ess1 := *st.ESS / float64(*st.SIRPool)
	// The readouts are written by the next animation frame, after the state.
	p.waitFor(`document.getElementById("acceptance").textContent !== "–"`, time.Minute)
	label, err := chromedp.Run(p.ctx, chromedp.Text(chromedp.CSS("#acceptance-label")))
	if err != nil {
		t.Fatal(err)
	}
	shown, err := chromedp.Run(p.ctx, chromedp.Text(chromedp.CSS("#acceptance")))
	if err != nil {
		t.Fatal(err)
	}
	if want := fmt.Sprintf("%.1f%%", 100*ess1); !strings.EqualFold(label, "ESS of the weights") || shown != want {
		t.Errorf("readout %q: %q, want %q: %q", label, shown, "ESS of the weights", want)
	}

	p.set("beta", 0, "input")
	p.waitIdle()
	st = step()
	if math.Abs(*st.ESS-float64(*st.SIRPool)) > 1e-9*float64(*st.SIRPool) || *st.SIRDistinct != st.N {
		t.Errorf("β = 0: ESS %v of a pool of %d, %d distinct of %d chains; want the whole pool and every chain distinct",
			*st.ESS, *st.SIRPool, *st.SIRDistinct, st.N)
	}
	p.set("beta", 83, "input") // 10^((83−50)/25) ≈ 21
	p.waitIdle()
	st = step()
	if ess21 := *st.ESS / float64(*st.SIRPool); !(ess21 < ess1) {
		t.Errorf("ESS fraction %.4f at β = %g, not below %.4f at β = 1", ess21, st.Beta, ess1)
	}
	t.Logf("%s: ESS %.1f%% of the pool at β = 1, %.1f%% at β = %g", derefString(st.Model), 100*ess1, 100**st.ESS/float64(*st.SIRPool), st.Beta)

	p.set("pool", 5, "input")
	if st = step(); *st.SIRPool != 5*st.N {
		t.Errorf("pool slider at 5: a pool of %d for %d chains", *st.SIRPool, st.N)
	}
	p.click("run")
	p.waitFor(fmt.Sprintf(`window.gebmDemo.state.running && window.gebmDemo.state.steps >= %d`, steps+5), time.Minute)
	p.click("run")
	p.waitFor(`!window.gebmDemo.state.running`, 10*time.Second)
	steps = p.state().Steps
	if st := p.state(); st.Error != nil || st.ESS == nil {
		t.Fatalf("after running SIR: %v", st)
	}

	p.set("method", "mala", "change")
	p.click("step")
	p.waitFor(fmt.Sprintf(`window.gebmDemo.state.steps === %d`, steps+1), time.Minute)
	if st := p.state(); st.Acceptance == nil || st.ESS != nil {
		t.Errorf("a MALA step after SIR: %v", st)
	}
	if label, _ := chromedp.Run(p.ctx, chromedp.Text(chromedp.CSS("#acceptance-label"))); !strings.EqualFold(label, "acceptance") {
		t.Errorf("readout label after MALA: %q", label)
	}
	p.noConsoleErrors()
}

func derefString(s *string) string {
	if s == nil {
		return "(no model)"
	}
	return *s
}
