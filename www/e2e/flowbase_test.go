package e2e

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/gebm/gebm/shared/model/modeltest"
)

// TestFlowBaseModel: a model whose base is a RealNVP flow (coupling layers)
// opens from a file and is sampled on the page like any other: MALA at β ≈ 21
// runs 100 steps without an error and lowers the chains' mean energy.
func TestFlowBaseModel(t *testing.T) {
	p := openPage(t, viewport{})
	file := filepath.Join(t.TempDir(), "flow.gebm")
	if err := os.WriteFile(file, modeltest.File(modeltest.Flow2D(3)), 0o644); err != nil {
		t.Fatal(err)
	}
	p.do(chromedp.SetUploadFiles(chromedp.CSS("#file"), []string{file}))
	p.waitFor(`window.gebmDemo.state.model === 'flow' && !window.gebmDemo.state.busy && window.gebmDemo.state.heat`, time.Minute)
	p.set("method", "mala", "change")
	p.set("beta", 83, "input") // 10^((83−50)/25) ≈ 21
	p.waitIdle()
	p.click("run")
	p.waitFor(`window.gebmDemo.state.steps >= 100`, 3*time.Minute)
	p.click("run") // pause
	p.waitFor(`!window.gebmDemo.state.running`, 10*time.Second)
	st := p.state()
	if st.Error != nil {
		t.Fatalf("error on the flow model: %s", *st.Error)
	}
	if st.MeanEnergy == nil || st.StartEnergy == nil || !(*st.MeanEnergy < *st.StartEnergy) {
		t.Fatalf("mean energy did not drop on the flow model: %v", st)
	}
	t.Logf("flow base, MALA, β = %g, %d steps: mean energy %.4f → %.4f", st.Beta, st.Steps, *st.StartEnergy, *st.MeanEnergy)
	p.noConsoleErrors()
}
