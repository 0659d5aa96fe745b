package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// flowState is window.gebmFlow.state, the MMD flow panel's state.
type flowState struct {
	Available  bool     `json:"available"`
	Ready      bool     `json:"ready"`
	Running    bool     `json:"running"`
	Start      string   `json:"start"`
	Particles  int      `json:"particles"`
	Steps      int      `json:"steps"`
	MMD2       *float64 `json:"mmd2"`
	MMD2Start  *float64 `json:"mmd2Start"`
	NoiseLevel *float64 `json:"noiseLevel"`
	Heat       bool     `json:"heat"`
	Draws      int      `json:"draws"`
	Error      *string  `json:"error"`
}

func (p *page) flow() flowState {
	p.t.Helper()
	return pageValue[flowState](p, "the flow panel's state", `window.gebmFlow.state`)
}

// TestMMDFlow: on the default 2-D model the MMD flow panel starts a flow
// from the generator's samples and draws it over the witness heat map;
// starting from a Gaussian resets it; a step takes two flow steps, Run
// keeps going until paused, and the MMD² readout falls below a quarter of
// its start value (the flow moves the particles to the data).
func TestMMDFlow(t *testing.T) {
	p := openPage(t, viewport{})
	p.waitFor(`window.gebmFlow.state.ready && window.gebmFlow.state.heat && window.gebmFlow.state.draws > 0 || window.gebmFlow.state.error`, time.Minute)
	st := p.flow()
	if st.Error != nil || !st.Available || st.Start != "generator" || st.Steps != 0 || st.MMD2 == nil || st.MMD2Start == nil || *st.MMD2 != *st.MMD2Start {
		t.Fatalf("flow panel after loading: %+v", st)
	}
	fromGenerator := *st.MMD2Start
	// From a Gaussian the particles start far from the data.
	p.set("flow-start", "gaussian", "change")
	p.waitFor(`window.gebmFlow.state.ready && window.gebmFlow.state.start === "gaussian" && window.gebmFlow.state.steps === 0`, time.Minute)
	st = p.flow()
	if st.MMD2Start == nil || *st.MMD2Start == fromGenerator || st.Error != nil {
		t.Fatalf("after starting from a Gaussian: %+v", st)
	}
	start := *st.MMD2Start
	p.click("flow-step")
	p.waitFor(`window.gebmFlow.state.steps === 2`, time.Minute)
	p.click("flow-run")
	p.waitFor(`window.gebmFlow.state.running && window.gebmFlow.state.steps >= 100 || window.gebmFlow.state.error`, 2*time.Minute)
	p.click("flow-run")
	p.waitFor(`!window.gebmFlow.state.running`, 10*time.Second)
	st = p.flow()
	if st.Error != nil || st.MMD2 == nil || !(*st.MMD2 < start/4) {
		t.Fatalf("after %d flow steps: %+v (MMD² at the start %g; want below a quarter)", st.Steps, st, start)
	}
	t.Logf("from a Gaussian: MMD² %.5f → %.5f after %d steps (noise now %.4f); from the generator it starts at %.5f",
		start, *st.MMD2, st.Steps, *st.NoiseLevel, fromGenerator)
	// The readouts are written by the next animation frame, after the state.
	want := fmt.Sprintf("%.5f", *st.MMD2)
	p.waitFor(fmt.Sprintf(`document.getElementById("flow-mmd2").textContent === %q`, want), 10*time.Second)
	shown, err := chromedp.Run(p.ctx, chromedp.Text(chromedp.CSS("#flow-mmd2-start")))
	if err != nil {
		t.Fatal(err)
	}
	if strings.TrimSpace(shown) != fmt.Sprintf("%.5f", start) {
		t.Errorf("MMD² start readout %q, want %.5f", shown, start)
	}
	p.screenshot("mmd-flow", true)
	p.noConsoleErrors()
}
