package e2e

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestConvModels: each convolutional model (one channel and three) opens
// in the image view, every sampler takes steps on it in the page, and
// both grids show the samples pixel for pixel: grey for one channel,
// colour for three. Strict CSP holds throughout (no violation, nothing in
// the console).
func TestConvModels(t *testing.T) {
	for _, m := range convModels {
		t.Run(m.name, func(t *testing.T) { testConvModel(t, m) })
	}
}

func testConvModel(t *testing.T, m convModel) {
	p := openPage(t, desktop)
	p.set("model", m.name, "change")
	p.waitFor(fmt.Sprintf(`window.gebmDemo.state.model === %q && !window.gebmDemo.state.busy && window.gebmDemo.state.draws > 0`, m.name), 2*time.Minute)
	st := p.state()
	if st.View != "image" || st.Error != nil || st.Image == nil ||
		st.Image.Channels != m.channels || st.Image.Height != m.height || st.Image.Width != m.width {
		t.Fatalf("%s: %v, want the image view of %d×%d×%d images", m.name, st, m.channels, m.height, m.width)
	}
	steps := st.Steps
	for _, method := range []string{"ula", "mala", "hmc", "kla", "mh", "imh", "sir"} {
		p.set("method", method, "change")
		p.click("step")
		steps++
		p.waitFor(fmt.Sprintf(`window.gebmDemo.state.steps === %d`, steps), 2*time.Minute)
		st := p.state()
		ok := st.Method == method && st.Error == nil && st.MeanEnergy != nil
		if method == "sir" {
			ok = ok && st.ESS != nil && st.SIRPool != nil && *st.ESS >= 1 && *st.ESS <= float64(*st.SIRPool)*(1+1e-12)
		} else {
			ok = ok && st.Acceptance != nil && *st.Acceptance >= 0 && *st.Acceptance <= 1
		}
		if !ok {
			t.Errorf("%s on %s: after a step: %v", method, m.name, st)
		}
	}
	// A run of MALA, so that the refined grid is not the generator's.
	p.set("method", "mala", "change")
	p.click("run")
	p.waitFor(fmt.Sprintf(`window.gebmDemo.state.steps >= %d`, steps+10), 3*time.Minute)
	p.click("run")
	p.waitFor(`!window.gebmDemo.state.running`, time.Minute)

	for _, grid := range []struct{ canvas, samples string }{{"grid-gen", "generator"}, {"grid-mcmc", "chains"}} {
		got := p.drawnPixels(grid.canvas, grid.samples, m)
		if got.Checked != got.N*m.height*m.width || got.Mismatched > 0 {
			t.Errorf("%s, %s: %d of %d pixels checked differ from the samples by more than 1 in a channel (first: %s)",
				m.name, grid.canvas, got.Mismatched, got.Checked, got.First)
		}
		// One channel is grey; three are colour: this random model's
		// channels differ, so many pixels are not grey.
		if m.channels == 1 && got.Coloured > 0 {
			t.Errorf("%s, %s: %d pixels of a one-channel model are not grey", m.name, grid.canvas, got.Coloured)
		}
		if m.channels == 3 && got.Coloured < got.Checked/4 {
			t.Errorf("%s, %s: only %d of %d pixels of a three-channel model are coloured", m.name, grid.canvas, got.Coloured, got.Checked)
		}
	}
	if same := p.sameCanvases("grid-gen", "grid-mcmc"); same {
		t.Errorf("%s: after %d MCMC steps the refined grid equals the generator's", m.name, p.state().Steps)
	}
	st = p.state()
	t.Logf("%s: %d chains, %d steps, %.2f steps/s", m.name, st.N, st.Steps, deref(st.StepsPerSecond))
	p.screenshot("demo-"+m.name+".png", false)
	p.noConsoleErrors()
}

// drawn is what drawnPixels found.
type drawn struct {
	N          int    `json:"n"`          // images in the grid
	Checked    int    `json:"checked"`    // pixels compared
	Mismatched int    `json:"mismatched"` // pixels with a channel off by more than 1
	Coloured   int    `json:"coloured"`   // pixels whose red, green and blue are not all equal
	First      string `json:"first"`      // the first mismatch, in words
}

// drawnPixels reads the canvas back and compares every pixel of every
// image with the samples the page drew (window.gebmDemo.samples()), laid
// out as the image view promises: image k in cell (k mod per, k div per)
// of a grid per = ⌈√n⌉ wide, a one-pixel gutter around each cell; red,
// green and blue from channel planes 0, 1, 2 of the sample's C·H·W values
// (all from plane 0 for one channel), lo black and hi white. It waits two
// animation frames first, so that the last frame is drawn.
func (p *page) drawnPixels(canvas, samples string, m convModel) drawn {
	p.t.Helper()
	js := fmt.Sprintf(`new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => {
		const s = window.gebmDemo.samples(), x = s[%q], C = %d, H = %d, W = %d, n = s.n;
		const cv = document.getElementById(%q), img = `+pixelsJS+`(cv);
		const per = Math.ceil(Math.sqrt(n)), out = { n, checked: 0, mismatched: 0, coloured: 0, first: '' };
		const want = (v) => Math.min(255, Math.max(0, Math.round((v - s.lo) * 255 / (s.hi - s.lo))));
		for (let k = 0; k < n; k++) {
			const ox = 1 + (k %% per) * (W + 1), oy = 1 + Math.floor(k / per) * (H + 1);
			for (let r = 0; r < H; r++) for (let c = 0; c < W; c++) {
				const p = 4 * ((oy + r) * cv.width + ox + c);
				const rgb = [0, 1, 2].map((ch) => want(x[k * C * H * W + (C === 3 ? ch : 0) * H * W + r * W + c]));
				const px = [img[p], img[p + 1], img[p + 2]];
				out.checked++;
				if (px[0] !== px[1] || px[1] !== px[2]) out.coloured++;
				if (px.some((v, i) => Math.abs(v - rgb[i]) > 1)) {
					if (!out.mismatched) out.first = 'image ' + k + ' row ' + r + ' column ' + c + ': drawn ' + px + ', samples say ' + rgb;
					out.mismatched++;
				}
			}
		}
		resolve(out);
	})))`, samples, m.channels, m.height, m.width, canvas)
	got, err := chromedp.Run(p.ctx, chromedp.Evaluate[drawn](js, chromedp.EvalAwaitPromise))
	if err != nil {
		p.t.Fatalf("reading %s back: %v", canvas, err)
	}
	return got
}

// pixelsJS is a JavaScript function of a canvas that returns its RGBA
// pixels, read from a copy made for reading: reading the page's own
// canvases again and again makes Chromium warn on the console.
const pixelsJS = `((cv) => {
	const copy = document.createElement('canvas');
	copy.width = cv.width;
	copy.height = cv.height;
	const ctx = copy.getContext('2d', { willReadFrequently: true });
	ctx.drawImage(cv, 0, 0);
	return ctx.getImageData(0, 0, cv.width, cv.height).data;
})`

// sameCanvases reports whether two canvases hold the same pixels.
func (p *page) sameCanvases(a, b string) bool {
	p.t.Helper()
	same, err := chromedp.Run(p.ctx, chromedp.Evaluate[bool](fmt.Sprintf(`(() => {
		const a = document.getElementById(%q), b = document.getElementById(%q);
		if (a.width !== b.width || a.height !== b.height) return false;
		const x = `+pixelsJS+`(a), y = `+pixelsJS+`(b);
		for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
		return true; })()`, a, b)))
	if err != nil {
		p.t.Fatalf("comparing %s and %s: %v", a, b, err)
	}
	return same
}

// TestModelLabels: the picker names the two MNIST models by their
// networks, the convolutional one (when this build bundles it) before the
// MLP one.
func TestModelLabels(t *testing.T) {
	p := openPage(t, viewport{})
	type option struct {
		Value string `json:"value"`
		Text  string `json:"text"`
	}
	opts, err := chromedp.Run(p.ctx, chromedp.Evaluate[[]option](
		`Array.from(document.getElementById('model').options, (o) => ({ value: o.value, text: o.textContent }))`))
	if err != nil {
		t.Fatal(err)
	}
	at := func(name string) int { return slices.IndexFunc(opts, func(o option) bool { return o.Value == name }) }
	mlp := at("mnist")
	if mlp < 0 || opts[mlp].Text != "MNIST (MLP)" {
		t.Fatalf("picker %+v: want mnist shown as MNIST (MLP)", opts)
	}
	if conv := at("mnist-dcgan"); conv >= 0 && (opts[conv].Text != "MNIST (DCGAN generator, MLP energy)" || conv > mlp) {
		t.Errorf("picker %+v: want mnist-dcgan shown as MNIST (DCGAN generator, MLP energy), before the MLP one", opts)
	}
	p.noConsoleErrors()
}
