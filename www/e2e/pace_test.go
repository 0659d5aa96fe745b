package e2e

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// The windows of BenchmarkPagePace: pairs per round, and each pair's page
// window (after a warm-up from Run) and pool window.
const (
	pacePairs  = 5
	paceWarm   = time.Second
	paceWindow = 3 * time.Second
)

// BenchmarkPagePace measures the demo page's sampling pace on the MNIST
// model at 64 chains (its image view, the page's default MALA step), in
// steps/s of all chains as the page counts them, next to the page's own
// worker pool (js/pool.js) alone in the same tab: a second pool with the
// same model, chains, method and step size, driven as scripts/bench's
// browser benchmark drives it (pool.call('step') of about half a second of
// steps each, no frames, energies or drawing). Each round times pacePairs
// pairs of adjacent windows, page then pool and pool then page in turn, so
// that a change in the machine's load falls on both; a pair's ratio
// page/pool is what the page keeps of what its workers can do. It reports
// the medians of the windows' rates and of the pairs' ratios over all
// rounds (b.N):
//
//	go test -run='^$' -bench=PagePace -benchtime=3x ./www/e2e/
//
// GEBM_PACE_MODEL names another of the served image models to measure
// instead, e.g. mnist-dcgan (the convolutional MNIST model, where
// www/models has it) or conv-grey-untrained (the tests' 28×28 conv model).
//
// A benchmark, not a test: it checks no timing (timings on a loaded machine
// are noise; compare the ratios).
func BenchmarkPagePace(b *testing.B) {
	model := imageModel
	if m := os.Getenv("GEBM_PACE_MODEL"); m != "" {
		model = m
	}
	p := openPageFor(b, viewport{}, time.Duration(b.N+1)*5*time.Minute)
	p.set("model", model, "change")
	p.waitFor(fmt.Sprintf(`window.gebmDemo.state.model === %q && window.gebmDemo.state.view === 'image' && !window.gebmDemo.state.busy && window.gebmDemo.state.draws > 0`, model), 2*time.Minute)
	if st := p.state(); st.N != 64 || st.Error != nil {
		b.Fatalf("image view of %s: %v", model, st)
	}
	b.Logf("model %s", model)
	p.startPool(model)
	defer p.eval(`globalThis.pacePool.end()`)
	var pages, pools, ratios []float64
	for i := range b.N {
		var rs []float64
		for k := range pacePairs {
			var page, pool float64
			if k%2 == 0 {
				page, pool = p.pagePace(), p.poolPace()
			} else {
				pool, page = p.poolPace(), p.pagePace()
			}
			pages, pools, rs = append(pages, page), append(pools, pool), append(rs, page/pool)
			b.Logf("pair %d: page %.1f steps/s, pool %.1f", k+1, page, pool)
		}
		ratios = append(ratios, rs...)
		b.Logf("round %d: page/pool %.3f (median of %s), page %.1f steps/s, pool %.1f (medians; %s, load average %s)",
			i+1, median(rs), fmtRatios(rs), median(pages[len(pages)-pacePairs:]), median(pools[len(pools)-pacePairs:]),
			time.Now().UTC().Format("2006-01-02 15:04 UTC"), loadAverage())
	}
	b.ReportMetric(median(pages), "page-steps/s")
	b.ReportMetric(median(pools), "pool-steps/s")
	b.ReportMetric(median(ratios), "page/pool")
	p.noConsoleErrors()
}

// pagePace runs the page's sampler (the Run button) and returns the steps/s
// the page counted over paceWindow after paceWarm; it pauses after.
func (p *page) pagePace() float64 {
	p.t.Helper()
	p.click("run")
	rate, err := chromedp.Run(p.ctx, chromedp.Evaluate[float64](fmt.Sprintf(`new Promise((resolve) => setTimeout(() => {
		const s0 = gebmDemo.state.steps, t0 = performance.now();
		setTimeout(() => resolve((gebmDemo.state.steps - s0) / ((performance.now() - t0) / 1000)), %d);
	}, %d))`, paceWindow.Milliseconds(), paceWarm.Milliseconds()), chromedp.EvalAwaitPromise))
	if err != nil {
		p.t.Fatalf("page pace: %v", err)
	}
	p.click("run")
	p.waitFor(`!window.gebmDemo.state.running && !window.gebmDemo.state.busy`, time.Minute)
	if st := p.state(); st.Error != nil {
		p.t.Fatalf("page after running: %v", st)
	}
	return rate
}

// startPool starts globalThis.pacePool in the tab: a fresh pool of the
// page's workers (js/pool.js, one per core) with the model, the page's
// chains and parameters, and the number of steps per call that takes about
// half a second (doubled from 1 after a warm-up step).
func (p *page) startPool(model string) {
	p.t.Helper()
	_, err := chromedp.Run(p.ctx, chromedp.Evaluate[any](fmt.Sprintf(`(async () => {
		const { SamplerPool } = await import('./js/pool.js');
		const st = gebmDemo.state;
		const pool = new SamplerPool();
		await pool.call('init');
		const bytes = await (await fetch('models/' + %q + '.gebm')).arrayBuffer();
		await pool.call('open', { bytes }, [bytes]);
		await pool.call('params', { method: st.method, stepSize: st.stepSize, leapfrog: 10, friction: 1, pool: st.poolPerChain });
		await pool.call('chains', { n: st.n, seed: 1, beta: st.beta, epoch: 1 });
		await pool.call('step', { steps: 1, energy: false });
		let n = 1;
		for (;;) {
			const t = performance.now();
			await pool.call('step', { steps: n, energy: false });
			if (performance.now() - t >= 500 || n >= 1 << 14) break;
			n *= 2;
		}
		globalThis.pacePool = { pool, n, end() { for (const w of pool.workers) w.worker.terminate(); } };
		return n;
	})()`, model), chromedp.EvalAwaitPromise))
	if err != nil {
		p.t.Fatalf("starting the pool: %v", err)
	}
}

// poolPace returns the steps/s of globalThis.pacePool over calls of its
// steps per call, as many as start within paceWindow.
func (p *page) poolPace() float64 {
	p.t.Helper()
	rate, err := chromedp.Run(p.ctx, chromedp.Evaluate[float64](fmt.Sprintf(`(async () => {
		const { pool, n } = globalThis.pacePool;
		const t0 = performance.now();
		let steps = 0;
		while (performance.now() - t0 < %d) {
			await pool.call('step', { steps: n, energy: false });
			steps += n;
		}
		return steps / ((performance.now() - t0) / 1000);
	})()`, paceWindow.Milliseconds()), chromedp.EvalAwaitPromise))
	if err != nil {
		p.t.Fatalf("pool pace: %v", err)
	}
	return rate
}

func fmtRatios(v []float64) string {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = fmt.Sprintf("%.2f", x)
	}
	return strings.Join(s, " ")
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// loadAverage is the machine's 1, 5 and 15 minute load averages, or "?".
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}
