package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// demoState mirrors window.gebmDemo.state (www/js/main.js).
type demoState struct {
	Ready          bool     `json:"ready"`
	Busy           bool     `json:"busy"`
	Model          *string  `json:"model"`
	View           string   `json:"view"`
	Method         string   `json:"method"`
	Beta           float64  `json:"beta"`
	StepSize       *float64 `json:"stepSize"`
	N              int      `json:"n"`
	Running        bool     `json:"running"`
	Steps          int      `json:"steps"`
	Acceptance     *float64 `json:"acceptance"`
	PoolPerChain   int      `json:"poolPerChain"`
	SIRPool        *int     `json:"sirPool"`
	ESS            *float64 `json:"ess"`
	SIRDistinct    *int     `json:"sirDistinct"`
	MeanEnergy     *float64 `json:"meanEnergy"`
	StartEnergy    *float64 `json:"startEnergy"`
	StepsPerSecond *float64 `json:"stepsPerSecond"`
	FirstSamplesMs *float64 `json:"firstSamplesMs"`
	Marks          struct {
		Sampler *float64 `json:"sampler"`
		Opened  *float64 `json:"opened"`
		Chains  *float64 `json:"chains"`
	} `json:"marks"`
	Error *string `json:"error"`
	// CSPViolations are the Content-Security-Policy violations the page
	// and its workers reported.
	CSPViolations []cspViolation `json:"cspViolations"`
	Draws         int            `json:"draws"`
	Heat          bool           `json:"heat"`
	Data          int            `json:"data"`
	Models        []string       `json:"models"`
	// Image is the image view's shape, nil outside it.
	Image *struct {
		Channels int `json:"channels"`
		Height   int `json:"height"`
		Width    int `json:"width"`
	} `json:"image"`
}

// cspViolation is one securitypolicyviolation event, as main.js records it.
type cspViolation struct {
	Directive string `json:"directive"`
	Blocked   string `json:"blocked"`
	Source    string `json:"source"`
	Line      int    `json:"line"`
	Worker    bool   `json:"worker"`
}

func (s demoState) String() string {
	b, _ := json.Marshal(s)
	return string(b)
}

// page is one browser tab on the demo, with the console messages it wrote.
type page struct {
	t    testing.TB
	ctx  context.Context
	mu   sync.Mutex
	msgs []chromedp.ConsoleMessage
	// navStart is when the test asked for the page.
	navStart time.Time
}

// viewport is a screen to emulate; the zero value keeps the window's.
type viewport struct {
	w, h  int64
	phone bool // a touch screen at device scale 2
}

var (
	desktop = viewport{w: 1280, h: 860}
	phone   = viewport{w: 390, h: 844, phone: true}
)

// openPage opens the demo in a new tab of the shared browser, on the
// screen vp, and waits until the default model's first samples are drawn.
func openPage(t testing.TB, vp viewport) *page {
	t.Helper()
	return openPageFor(t, vp, 4*time.Minute)
}

// openPageFor is openPage with a deadline of d on the tab.
func openPageFor(t testing.TB, vp viewport, d time.Duration) *page {
	t.Helper()
	need(t)
	ctx, cancel := chromedp.NewContext(browser)
	t.Cleanup(cancel)
	p := &page{t: t, ctx: ctx}
	msgs := chromedp.Console(ctx) // subscribes now: nothing the page writes is lost
	go func() {
		for m, err := range msgs {
			if err != nil {
				return
			}
			p.mu.Lock()
			p.msgs = append(p.msgs, m)
			p.mu.Unlock()
		}
	}()
	// A deadline on the tab, not on the browser.
	tctx, tcancel := context.WithTimeout(ctx, d)
	t.Cleanup(tcancel)
	p.ctx = tctx
	switch {
	case vp.phone:
		p.do(chromedp.EmulateViewport(vp.w, vp.h, chromedp.EmulateScale(2), chromedp.EmulateMobile, chromedp.EmulateTouch))
	case vp.w > 0:
		p.do(chromedp.EmulateViewport(vp.w, vp.h))
	}
	p.navStart = time.Now()
	p.do(chromedp.Navigate(siteURL))
	p.waitFor(`window.gebmDemo && window.gebmDemo.state.firstSamplesMs !== null || (window.gebmDemo && window.gebmDemo.state.error)`, 2*time.Minute)
	if st := p.state(); st.Error != nil {
		t.Fatalf("the page shows an error while loading: %s", *st.Error)
	}
	return p
}

func (p *page) do(actions ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	if err := chromedp.Do(p.ctx, actions...); err != nil {
		p.t.Fatalf("chromedp: %v\npage state: %v", err, p.stateNoFail())
	}
}

func (p *page) eval(js string) {
	p.t.Helper()
	if _, err := chromedp.Run(p.ctx, chromedp.Evaluate[any](js)); err != nil {
		p.t.Fatalf("evaluating %s: %v", js, err)
	}
}

func (p *page) stateNoFail() demoState {
	ctx, cancel := context.WithTimeout(p.ctx, 10*time.Second)
	defer cancel()
	s, _ := chromedp.Run(ctx, chromedp.Evaluate[demoState](`window.gebmDemo ? window.gebmDemo.state : {}`))
	return s
}

func (p *page) state() demoState {
	p.t.Helper()
	return pageValue[demoState](p, "the page's state", `window.gebmDemo.state`)
}

// pageValue evaluates the JavaScript expression js in the page and returns
// its value as a T; it fails the test, naming what it read, if it cannot.
func pageValue[T any](p *page, what, js string) T {
	p.t.Helper()
	v, err := chromedp.Run(p.ctx, chromedp.Evaluate[T](js))
	if err != nil {
		p.t.Fatalf("reading %s: %v", what, err)
	}
	return v
}

// waitFor waits until the JavaScript expression is truthy.
func (p *page) waitFor(expr string, d time.Duration) {
	p.t.Helper()
	if _, err := chromedp.Run(p.ctx, chromedp.Poll[chromedp.Void](expr,
		chromedp.WithPollingTimeout(d), chromedp.WithPollingInterval(50*time.Millisecond))); err != nil {
		p.t.Fatalf("waiting for %s: %v\npage state: %v\nconsole: %v", expr, err, p.stateNoFail(), p.console())
	}
}

// waitIdle waits until the page is not opening a model or making chains.
func (p *page) waitIdle() {
	p.t.Helper()
	p.waitFor(`!window.gebmDemo.state.busy`, time.Minute)
}

// set gives the control with the id a value and fires the event a person's
// change would fire ("input" for ranges, "change" for selects).
func (p *page) set(id string, value any, event string) {
	p.t.Helper()
	v, _ := json.Marshal(fmt.Sprint(value))
	p.eval(fmt.Sprintf(`(() => { const el = document.getElementById(%q); el.value = %s;
		el.dispatchEvent(new Event(%q, {bubbles: true})); })()`, id, v, event))
}

func (p *page) click(id string) {
	p.t.Helper()
	p.do(chromedp.Click(chromedp.CSS("#" + id)))
}

// console returns the messages of type error, exception or warning.
func (p *page) console() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []string
	for _, m := range p.msgs {
		switch m.Type {
		case chromedp.ConsoleError, chromedp.ConsoleException, chromedp.ConsoleWarning:
			out = append(out, fmt.Sprintf("%s (%s:%d)", m.String(), m.URL, m.Line))
		}
	}
	return out
}

// noConsoleErrors fails the test if the page wrote errors or warnings to
// its console, or if it or a worker reported a Content-Security-Policy
// violation (a worker's console is not the page's).
func (p *page) noConsoleErrors() {
	p.t.Helper()
	if msgs := p.console(); len(msgs) > 0 {
		p.t.Errorf("the page wrote %d console errors or warnings:\n%s", len(msgs), strings.Join(msgs, "\n"))
	}
	if v := p.state().CSPViolations; len(v) > 0 {
		p.t.Errorf("Content-Security-Policy violations: %+v", v)
	}
}

// screenshot writes the viewport (full: the whole page) as a PNG.
func (p *page) screenshot(name string, full bool) {
	p.t.Helper()
	p.eval(`window.scrollTo(0, 0)`)
	a := chromedp.CaptureScreenshot()
	if full {
		a = chromedp.FullScreenshot(100)
	}
	b, err := chromedp.Run(p.ctx, a)
	if err != nil {
		p.t.Fatalf("screenshot: %v", err)
	}
	path := filepath.Join(shotDir, name)
	if err := os.WriteFile(path, b, 0o644); err != nil {
		p.t.Fatal(err)
	}
	p.t.Logf("screenshot: %s", path)
}

// record appends a line to timings.txt beside the screenshots.
func record(t *testing.T, line string) {
	t.Logf("%s", line)
	f, err := os.OpenFile(filepath.Join(shotDir, "timings.txt"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		t.Log(err)
		return
	}
	defer f.Close()
	fmt.Fprintf(f, "%s %s\n", time.Now().Format(time.RFC3339), line)
}
