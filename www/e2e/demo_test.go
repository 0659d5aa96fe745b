package e2e

import (
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/gebm/gebm/shared/testenv"
	"github.com/gebm/gebm/www"
)

// TestPageLoads: the page opens the default model and draws its samples,
// the data and the heat map, with nothing in the console; the time from
// navigation to the first samples drawn is reported, not checked.
func TestPageLoads(t *testing.T) {
	p := openPage(t, viewport{})
	wall := time.Since(p.navStart)
	p.waitFor(`window.gebmDemo.state.heat && window.gebmDemo.state.data > 0`, time.Minute)
	st := p.state()
	if st.Model == nil || *st.Model != www.DefaultModel {
		t.Errorf("model %v, want %s", st.Model, www.DefaultModel)
	}
	if st.View != "plane" || st.Draws == 0 || st.MeanEnergy == nil || st.StartEnergy == nil {
		t.Errorf("no samples drawn: %v", st)
	}
	for _, want := range []string{"8gaussians", "25gaussians", "rings", imageModel} {
		if !slices.Contains(st.Models, want) {
			t.Errorf("model picker %v lacks %s", st.Models, want)
		}
	}
	if st.Data != www.DataPoints {
		t.Errorf("%d data points drawn, want %d", st.Data, www.DataPoints)
	}
	record(t, fmt.Sprintf("navigation to first GEBM samples drawn: %.0f ms (page clock, performance.now at the first draw; "+
		"sampler compiled and running at %.0f ms, model open at %.0f ms, chains at %.0f ms), %d ms (test clock, including the Navigate round trip)",
		*st.FirstSamplesMs, deref(st.Marks.Sampler), deref(st.Marks.Opened), deref(st.Marks.Chains), wall.Milliseconds()))
	p.noConsoleErrors()
}

// TestSamplerLowersEnergy: at β ≈ 20, MALA moves the chains from the
// generator's samples to lower energy.
func TestSamplerLowersEnergy(t *testing.T) {
	p := openPage(t, viewport{})
	p.set("method", "mala", "change")
	p.set("beta", 83, "input") // 10^((83−50)/25) ≈ 21
	p.waitIdle()
	st := p.state()
	if st.Beta < 15 || st.Beta > 30 || st.Method != "mala" {
		t.Fatalf("after setting β and MALA: %v", st)
	}
	p.click("run")
	p.waitFor(`window.gebmDemo.state.steps >= 300`, 3*time.Minute)
	p.click("run") // pause
	p.waitFor(`!window.gebmDemo.state.running`, 10*time.Second)
	st = p.state()
	if st.Error != nil {
		t.Fatalf("error after running: %s", *st.Error)
	}
	if st.MeanEnergy == nil || st.StartEnergy == nil || !(*st.MeanEnergy < *st.StartEnergy) {
		t.Fatalf("mean energy did not drop: %v", st)
	}
	t.Logf("MALA, β = %g, %d steps: mean energy %.4f → %.4f, acceptance %.3f, %.1f steps/s",
		st.Beta, st.Steps, *st.StartEnergy, *st.MeanEnergy, deref(st.Acceptance), deref(st.StepsPerSecond))
	p.noConsoleErrors()
}

func deref(p *float64) float64 {
	if p == nil {
		return math.NaN()
	}
	return *p
}

// TestSwitchSamplerAndBeta: every sampler takes a step, β changes take, and
// the keyboard drives the page.
func TestSwitchSamplerAndBeta(t *testing.T) {
	p := openPage(t, viewport{})
	p.set("leapfrog", 5, "input")
	p.set("friction", 0.5, "input") // log10 κ: κ ≈ 3.2
	steps := p.state().Steps
	for _, m := range []string{"ula", "mala", "hmc", "kla", "mh", "imh"} {
		p.set("method", m, "change")
		p.click("step")
		steps++
		p.waitFor(fmt.Sprintf(`window.gebmDemo.state.steps === %d`, steps), time.Minute)
		st := p.state()
		if st.Method != m || st.Error != nil || st.Acceptance == nil || !(*st.Acceptance >= 0 && *st.Acceptance <= 1) {
			t.Errorf("%s: after a step: %v", m, st)
		}
	}
	for _, c := range []struct {
		pos  int
		beta float64
	}{{0, 0}, {50, 1}, {75, 10}} {
		p.set("beta", c.pos, "input")
		p.waitIdle()
		p.click("step")
		steps++
		p.waitFor(fmt.Sprintf(`window.gebmDemo.state.steps === %d`, steps), time.Minute)
		if st := p.state(); st.Beta != c.beta || st.Error != nil {
			t.Errorf("β slider at %d: %v, want β = %g", c.pos, st, c.beta)
		}
	}
	// The keyboard: arrows move the β slider; S steps, Space runs and pauses.
	p.do(chromedp.Focus(chromedp.CSS("#beta")), chromedp.KeyEvent(kb.ArrowRight))
	p.waitFor(`window.gebmDemo.state.beta > 10`, 10*time.Second)
	p.eval(`document.activeElement.blur()`)
	p.do(chromedp.KeyEvent("s"))
	steps++
	p.waitFor(fmt.Sprintf(`window.gebmDemo.state.steps === %d`, steps), time.Minute)
	p.do(chromedp.KeyEvent(" "))
	p.waitFor(`window.gebmDemo.state.running && window.gebmDemo.state.steps > `+fmt.Sprint(steps), time.Minute)
	p.do(chromedp.KeyEvent(" "))
	p.waitFor(`!window.gebmDemo.state.running`, 10*time.Second)
	// Fewer chains: the chain set is rebuilt at the generator's samples.
	p.set("chains", 128, "change")
	p.waitFor(`window.gebmDemo.state.n === 128 && window.gebmDemo.state.steps === 0 && !window.gebmDemo.state.busy`, time.Minute)
	p.noConsoleErrors()
}

// TestCorruptModel: a truncated model file from the file input and garbage
// dropped on the page each show a readable error; the open model keeps
// working, and another model opens after.
func TestCorruptModel(t *testing.T) {
	p := openPage(t, viewport{})
	good, err := os.ReadFile(filepath.Join("..", "models", "8gaussians.gebm"))
	if err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(t.TempDir(), "truncated.gebm")
	if err := os.WriteFile(bad, good[:len(good)/3], 0o644); err != nil {
		t.Fatal(err)
	}
	p.do(chromedp.SetUploadFiles(chromedp.CSS("#file"), []string{bad}))
	p.waitFor(`window.gebmDemo.state.error !== null && !window.gebmDemo.state.busy`, time.Minute)
	text, err := chromedp.Run(p.ctx, chromedp.Text(chromedp.CSS("#error")))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text, "truncated.gebm is not a usable model file") {
		t.Errorf("error banner says %q", text)
	}
	t.Logf("banner for a truncated file: %s", strings.Join(strings.Fields(text), " "))
	p.screenshot("demo-error.png", false)
	if st := p.state(); st.Model == nil || *st.Model != www.DefaultModel || slices.Contains(st.Models, "truncated") {
		t.Errorf("after the bad file: %v", st)
	}

	// Garbage, dropped on the page.
	p.click("error-close")
	p.eval(`(() => {
		const dt = new DataTransfer();
		dt.items.add(new File([new Uint8Array([71, 69, 66, 77, 1, 2, 3, 4, 5])], 'garbage.gebm'));
		document.body.dispatchEvent(new DragEvent('dragenter', {dataTransfer: dt, bubbles: true, cancelable: true}));
		document.body.dispatchEvent(new DragEvent('drop', {dataTransfer: dt, bubbles: true, cancelable: true}));
	})()`)
	p.waitFor(`window.gebmDemo.state.error !== null && window.gebmDemo.state.error.includes('garbage.gebm')`, time.Minute)

	// The page still works: a step, then another bundled model.
	steps := p.state().Steps
	p.click("step")
	p.waitFor(fmt.Sprintf(`window.gebmDemo.state.steps === %d`, steps+1), time.Minute)
	p.set("model", "rings", "change")
	p.waitFor(`window.gebmDemo.state.model === 'rings' && !window.gebmDemo.state.busy && window.gebmDemo.state.error === null`, time.Minute)
	p.waitFor(`window.gebmDemo.state.heat`, time.Minute)
	// A good local file opens and joins the picker.
	goodFile := filepath.Join(t.TempDir(), "mine.gebm")
	if err := os.WriteFile(goodFile, good, 0o644); err != nil {
		t.Fatal(err)
	}
	p.do(chromedp.SetUploadFiles(chromedp.CSS("#file"), []string{goodFile}))
	p.waitFor(`window.gebmDemo.state.model === 'mine' && !window.gebmDemo.state.busy && window.gebmDemo.state.models.includes('mine')`, time.Minute)
	// The console has only the errors the page itself reported, if any:
	// none are expected, the page shows them in its banner.
	p.noConsoleErrors()
}

// TestScreenshot2D: the 2-D view mid-run, for people to look at.
func TestScreenshot2D(t *testing.T) {
	p := openPage(t, desktop)
	p.waitFor(`window.gebmDemo.state.heat && window.gebmDemo.state.data > 0`, time.Minute)
	p.set("beta", 70, "input") // β ≈ 6: visibly drawn to the modes
	p.waitIdle()
	p.click("run")
	p.waitFor(`window.gebmDemo.state.steps >= 60`, 2*time.Minute)
	p.screenshot("demo-2d.png", false)
	p.click("run")
	p.waitFor(`!window.gebmDemo.state.running`, time.Minute)
	p.screenshot("demo-2d-full.png", true)
	p.noConsoleErrors()
}

// TestImageView: an image model shows the generator's grid beside the
// same latents after latent MCMC, which moves them.
func TestImageView(t *testing.T) {
	p := openPage(t, desktop)
	p.set("model", imageModel, "change")
	p.waitFor(fmt.Sprintf(`window.gebmDemo.state.model === %q && window.gebmDemo.state.view === 'image' && !window.gebmDemo.state.busy && window.gebmDemo.state.draws > 0`, imageModel), 2*time.Minute)
	st := p.state()
	if st.N != 64 || st.Error != nil {
		t.Fatalf("image view: %v", st)
	}
	visible, err := chromedp.Run(p.ctx, chromedp.Evaluate[bool](`!document.getElementById('view-image').hidden && document.getElementById('view-2d').hidden`))
	if err != nil || !visible {
		t.Fatalf("the image view is not the one shown (%v)", err)
	}
	p.click("run")
	p.waitFor(`window.gebmDemo.state.steps >= 20`, 3*time.Minute)
	p.click("run")
	p.waitFor(`!window.gebmDemo.state.running`, time.Minute)
	// The refined grid differs from the generator's.
	same, err := chromedp.Run(p.ctx, chromedp.Evaluate[bool](`(() => {
		const a = document.getElementById('grid-gen').getContext('2d'), b = document.getElementById('grid-mcmc').getContext('2d');
		const w = a.canvas.width, h = a.canvas.height;
		const x = a.getImageData(0, 0, w, h).data, y = b.getImageData(0, 0, w, h).data;
		for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
		return true; })()`))
	if err != nil || same {
		t.Errorf("after %d MCMC steps the refined grid equals the generator's (err %v)", p.state().Steps, err)
	}
	st = p.state()
	t.Logf("%s: %d chains, %d steps, %.2f steps/s, acceptance %.3f", imageModel, st.N, st.Steps, deref(st.StepsPerSecond), deref(st.Acceptance))
	p.screenshot("demo-image.png", false)
	p.noConsoleErrors()
}

// TestPhoneWidth: at a phone's width nothing overflows sideways and the
// controls stay reachable.
func TestPhoneWidth(t *testing.T) {
	p := openPage(t, phone)
	over, err := chromedp.Run(p.ctx, chromedp.Evaluate[float64](`document.documentElement.scrollWidth - window.innerWidth`))
	if err != nil {
		t.Fatal(err)
	}
	if over > 1 {
		t.Errorf("the page is %v px wider than a 390 px screen", over)
	}
	p.click("step")
	p.waitFor(`window.gebmDemo.state.steps === 1`, time.Minute)
	p.screenshot("demo-phone.png", true)
	p.noConsoleErrors()
}

// TestMissingSampler: a server without the sampler (a binary built before
// make wasm) still serves the page, which says what is wrong and how to fix
// it.
func TestMissingSampler(t *testing.T) {
	need(t)
	srv, err := www.New(www.Options{Wasm: fstest.MapFS{}})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	ctx, cancel := chromedp.NewContext(browser)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Navigate(ts.URL+"/")); err != nil {
		t.Fatal(err)
	}
	p := &page{t: t, ctx: ctx}
	p.waitFor(`window.gebmDemo && window.gebmDemo.state.error !== null`, time.Minute)
	text, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#error")))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text, "built without the browser's sampler") || !strings.Contains(text, "make build") {
		t.Errorf("error banner: %q", text)
	}
	if st := p.state(); st.Ready || st.Model != nil {
		t.Errorf("state without a sampler: %v", st)
	}
}

// TestEmbeddedSampler: where the binary embeds a sampler (after make wasm),
// the browser takes it gzip-encoded from the server as gebm serve runs it,
// and starts it. (The other tests serve a fresh build instead, which may
// be newer than the embedded one.)
func TestEmbeddedSampler(t *testing.T) {
	need(t)
	if !www.HasWasm() {
		testenv.Missing(t, "this build embeds no sampler (make www-wasm builds it; make test does)")
	}
	srv, err := www.New(www.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	encoding := "(not requested)"
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sw := &statusWriter{ResponseWriter: w, code: http.StatusOK}
		srv.ServeHTTP(sw, r)
		// Every worker of the page fetches the sampler: a later fetch may be
		// a 304, which carries no Content-Encoding.
		if r.URL.Path == "/wasm/gebm.wasm" && sw.code == http.StatusOK {
			mu.Lock()
			encoding = fmt.Sprintf("%q", w.Header().Get("Content-Encoding"))
			mu.Unlock()
		}
	}))
	defer ts.Close()
	ctx, cancel := chromedp.NewContext(browser)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Navigate(ts.URL+"/")); err != nil {
		t.Fatal(err)
	}
	p := &page{t: t, ctx: ctx}
	p.waitFor(`window.gebmDemo && (window.gebmDemo.state.ready || window.gebmDemo.state.error !== null)`, 2*time.Minute)
	if st := p.state(); !st.Ready {
		t.Fatalf("the embedded sampler did not start: %v", st)
	}
	mu.Lock()
	defer mu.Unlock()
	if encoding != `"gzip"` {
		t.Errorf("gebm.wasm went out with Content-Encoding %s, want gzip", encoding)
	}
}

// statusWriter records the status code a handler writes.
type statusWriter struct {
	http.ResponseWriter
	code int
}

func (w *statusWriter) WriteHeader(code int) {
	w.code = code
	w.ResponseWriter.WriteHeader(code)
}
