package e2e

import (
	"context"
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"

	"github.com/gebm/gebm/shared/model"
	"github.com/gebm/gebm/shared/sample"
	"github.com/gebm/gebm/wasm/sampler"
)

// trainState mirrors window.gebmDemo.train (www/js/train.js).
type trainState struct {
	Mode     string  `json:"mode"`
	Ready    bool    `json:"ready"`
	SIMD     bool    `json:"simd"` // the trainer's products run in the SIMD128 kernel
	Source   string  `json:"source"`
	Points   int     `json:"points"`
	Started  bool    `json:"started"`
	Running  bool    `json:"running"`
	Finished bool    `json:"finished"`
	Stopped  *string `json:"stopped"`
	Error    *string `json:"error"`
	Frames   int     `json:"frames"`
	// FrameSeconds is the worker's time spent making the frames.
	FrameSeconds float64  `json:"frameSeconds"`
	Step         int      `json:"step"`
	Steps        int      `json:"steps"`
	FinalStep    int      `json:"finalStep"`
	FinalSteps   int      `json:"finalSteps"`
	Seconds      float64  `json:"seconds"`
	WallSeconds  float64  `json:"wallSeconds"`
	Heat         bool     `json:"heat"`
	Samples      int      `json:"samples"`
	KALE         *float64 `json:"kale"`
	RunName      *string  `json:"runName"`
}

func (p *page) train() trainState {
	p.t.Helper()
	return pageValue[trainState](p, "the page's training state", `window.gebmDemo.train`)
}

// enterTrainMode switches the page to Train mode and waits for the trainer
// module to load.
func (p *page) enterTrainMode() {
	p.t.Helper()
	p.click("mode-train")
	p.waitFor(`window.gebmDemo.train.ready || window.gebmDemo.train.error`, 2*time.Minute)
	st := p.train()
	if st.Error != nil {
		p.t.Fatalf("loading the trainer: %s", *st.Error)
	}
	if !st.SIMD { // headless Chromium has SIMD128: the kernel must be attached
		p.t.Fatalf("the trainer runs without the SIMD128 kernel: %+v", st)
	}
}

// blobs are the centres of the two blobs TestTrainDrawnPoints draws; away
// are points of the plane it checks the energy is higher at: between the
// blobs and the other two corners of their square, where the generator
// starts out putting mass and the data have none. (Far corners of the
// window that the generator never reaches are left out: nothing trains the
// energy there, as the page's text says.)
var (
	blobs = [][2]float64{{-2, -2}, {2, 2}}
	away  = [][2]float64{{0, 0}, {-2, 2}, {2, -2}}
)

// drawBlobs draws a blob of points around each centre with synthetic
// pointer events (a touch pointer: down, moves in a small spiral, up) on
// the training plane, whose window is [-4, 4]² (train.js's DRAW_BOUNDS).
func (p *page) drawBlobs(centres [][2]float64) int {
	p.t.Helper()
	js, _ := json.Marshal(centres)
	n, err := chromedp.Run(p.ctx, chromedp.Evaluate[int](`(() => {
		const c = document.getElementById('train-plane');
		const r = c.getBoundingClientRect();
		const ev = (type, x, y) => c.dispatchEvent(new PointerEvent(type, {
			clientX: r.left + (x + 4) / 8 * r.width, clientY: r.top + (4 - y) / 8 * r.height,
			pointerId: 7, pointerType: 'touch', isPrimary: true, bubbles: true, cancelable: true }));
		for (const [cx, cy] of `+string(js)+`) {
			ev('pointerdown', cx, cy);
			for (let k = 0; k < 40; k++) {
				const a = 0.7 * k, s = 0.05 * (k % 5);
				ev('pointermove', cx + s * Math.cos(a), cy + s * Math.sin(a));
			}
			ev('pointerup', cx, cy);
		}
		return window.gebmDemo.train.points;
	})()`))
	if err != nil {
		p.t.Fatalf("drawing: %v", err)
	}
	return n
}

// downloadTo makes the browser save downloads in dir under their names.
func (p *page) downloadTo(dir string) {
	p.t.Helper()
	if _, err := chromedp.CallBrowser(p.ctx, cdpbrowser.SetDownloadBehavior, cdpbrowser.SetDownloadBehaviorParams{
		Behavior: cdpbrowser.SetDownloadBehaviorBehaviorAllow, DownloadPath: dir}); err != nil {
		p.t.Fatalf("Browser.setDownloadBehavior: %v", err)
	}
}

// waitFile waits until path exists, complete (Chromium writes a
// .crdownload file and renames it), and returns its bytes.
func waitFile(t *testing.T, ctx context.Context, path string) []byte {
	t.Helper()
	for {
		if b, err := os.ReadFile(path); err == nil && len(b) > 0 {
			return b
		}
		select {
		case <-ctx.Done():
			entries, _ := os.ReadDir(filepath.Dir(path))
			t.Fatalf("no download %s (the folder holds %v): %v", path, entries, ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// TestTrainDrawnPoints: in Train mode, two blobs drawn with synthetic
// pointer events train (a short run of a small model) in the worker while
// the page shows frames; the downloaded model file loads natively
// (shared/model), says it was trained on drawn points, has lower energy on
// the blobs than away from them, and samples (MALA natively); and Sample it
// opens the model in the page's sampler, which runs.
func TestTrainDrawnPoints(t *testing.T) {
	p := openPage(t, desktop)
	dir := t.TempDir()
	p.downloadTo(dir)
	p.enterTrainMode()
	p.set("train-data", "draw", "change")
	n := p.drawBlobs(blobs)
	if n < 100 {
		t.Fatalf("drawing two blobs made %d points", n)
	}
	p.set("train-width", 64, "change")
	p.set("train-steps", 400, "input")
	p.set("train-final", 100, "input")
	p.click("train-run")
	// Stop (a pause: the step count holds while stopped) and continue.
	p.waitFor(`window.gebmDemo.train.step >= 100 || window.gebmDemo.train.error`, 4*time.Minute)
	p.click("train-run")
	p.waitFor(`!window.gebmDemo.train.running`, 30*time.Second)
	paused := p.train()
	label, err := chromedp.Run(p.ctx, chromedp.Evaluate[string](`document.getElementById('train-run').textContent`))
	if err != nil || paused.Error != nil || paused.Finished || label != "Continue" {
		t.Fatalf("after Stop: %+v, button %q (%v)", paused, label, err)
	}
	p.do(chromedp.Sleep(500 * time.Millisecond))
	if again := p.train(); again.Step != paused.Step || again.FinalStep != paused.FinalStep {
		t.Fatalf("stopped at step %d, then at %d without a Continue", paused.Step, again.Step)
	}
	p.click("train-run")
	p.waitFor(`window.gebmDemo.train.finished || window.gebmDemo.train.error`, 4*time.Minute)
	st := p.train()
	if st.Error != nil || st.Step != 400 || st.FinalStep != 100 || st.Frames < 3 || !st.Heat || st.Samples != 512 || st.KALE == nil {
		t.Fatalf("after training: %+v", st)
	}
	t.Logf("trained on %d drawn points: %d frames, %.1f s in the trainer, %.1f s by the page's clock, KALE %.3f",
		n, st.Frames, st.Seconds, st.WallSeconds, *st.KALE)
	p.screenshot("train-drawn.png", false)

	p.click("train-download")
	file := waitFile(t, p.ctx, filepath.Join(dir, "drawn-trained.gebm"))
	g, err := model.Load(file)
	if err != nil {
		t.Fatalf("the downloaded model does not load: %v", err)
	}
	if g.Data.Name != sampler.PointsName || g.Dim() != 2 || g.Training.Steps != 400 {
		t.Fatalf("downloaded model: data %q, dim %d, %d steps", g.Data.Name, g.Dim(), g.Training.Steps)
	}
	// The energy at points of the blobs (their centres and a ring of
	// radius 0.15) against the points away from them.
	var on, off []float32
	for _, c := range blobs {
		on = append(on, float32(c[0]), float32(c[1]))
		for k := range 8 {
			a := 2 * math.Pi * float64(k) / 8
			on = append(on, float32(c[0]+0.15*math.Cos(a)), float32(c[1]+0.15*math.Sin(a)))
		}
	}
	for _, c := range away {
		off = append(off, float32(c[0]), float32(c[1]))
	}
	eOn, eOff := mean(g.Energies(on, len(on)/2, nil)), mean(g.Energies(off, len(off)/2, nil))
	t.Logf("mean energy on the blobs %.3f, away from them %.3f", eOn, eOff)
	if !(eOn < eOff) {
		t.Fatalf("mean energy on the drawn blobs %.3f is not below that away from them, %.3f", eOn, eOff)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	chains, err := g.BlockedPotential(1, 1).NewChains(rng, 64)
	if err != nil {
		t.Fatal(err)
	}
	for range 20 {
		if _, err := chains.Step(sample.Config{Method: sample.MALA, StepSize: 0.05}, rng); err != nil {
			t.Fatalf("sampling the downloaded model natively: %v", err)
		}
	}
	for i, v := range g.Generate(chains.Z(), 64, nil) {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			t.Fatalf("sample value %d is %v", i, v)
		}
	}

	p.click("train-sample")
	p.waitFor(`window.gebmDemo.state.model === 'drawn-trained' && !window.gebmDemo.state.busy && window.gebmDemo.train.mode === 'sample'`, time.Minute)
	p.set("method", "hmc", "change")
	p.click("run")
	p.waitFor(`window.gebmDemo.state.steps >= 20`, time.Minute)
	p.click("run")
	p.waitFor(`!window.gebmDemo.state.running`, 10*time.Second)
	if s := p.state(); s.Error != nil || s.View != "plane" {
		t.Fatalf("sampling the trained model in the page: %v", s)
	}
	p.noConsoleErrors()
}

func mean(v []float32) float64 {
	s := 0.0
	for _, x := range v {
		s += float64(x)
	}
	return s / float64(len(v))
}

// TestTrainBadKnobs: knobs the trainer refuses (a negative learning rate,
// a batch of critic steps out of range), a knob that is not a number and
// training on an empty drawing each show a message and start nothing.
func TestTrainBadKnobs(t *testing.T) {
	p := openPage(t, desktop)
	p.enterTrainMode()
	for _, tc := range []struct {
		id, value, good, want string
	}{
		{"train-lr-energy", "-1", "0.001", "lr-energy: -1 must be a positive number"},
		{"train-n-critic", "0", "5", "n-critic"},
		{"train-gp", "lots", "0.1", "“lots” is not a number"},
	} {
		p.set(tc.id, tc.value, "input")
		p.click("train-run")
		want, _ := json.Marshal(tc.want)
		p.waitFor(`(window.gebmDemo.train.error || '').includes(`+string(want)+`)`, 30*time.Second)
		st := p.train()
		visible, err := chromedp.Run(p.ctx, chromedp.Evaluate[string](`document.getElementById('train-error').hidden ? '' : document.getElementById('train-error').textContent`))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(visible, tc.want) || st.Started || st.Running {
			t.Errorf("%s = %q: error %q, shown %q, started %v; want a message naming %q", tc.id, tc.value, *st.Error, visible, st.Started, tc.want)
		}
		p.set(tc.id, tc.good, "input")
	}
	p.set("train-data", "draw", "change")
	p.click("train-run")
	p.waitFor(`(window.gebmDemo.train.error || '').includes('Draw some points')`, 30*time.Second)
	if st := p.train(); st.Started {
		t.Errorf("training on no points: %+v", st)
	}
	p.noConsoleErrors()
}
