package e2e

import (
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/gebm/gebm/www"
)

// TestStrictCSP: the page gets the shipped Content-Security-Policy (no
// 'unsafe-eval'), runs the sampler in its workers under it (each worker's
// policy is the header on its script) without a violation, and its
// violation listener works: compiling a string in the page is refused and
// recorded, so the empty record of the other tests means something.
func TestStrictCSP(t *testing.T) {
	p := openPage(t, viewport{})
	for _, file := range []string{"", "js/worker.js", "js/trainworker.js", "js/load.js", "js/api.js", "wasm/wasm_exec.js"} {
		csp, err := chromedp.Run(p.ctx, chromedp.Evaluate[string](
			`fetch(`+strconv.Quote(siteURL+file)+`).then((r) => r.headers.get('content-security-policy'))`,
			chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatal(err)
		}
		if csp != www.ContentSecurityPolicy {
			t.Errorf("/%s: Content-Security-Policy %q, want the shipped %q", file, csp, www.ContentSecurityPolicy)
		}
	}
	p.click("run")
	p.waitFor(`window.gebmDemo.state.steps >= 20`, time.Minute)
	p.click("run")
	p.waitFor(`!window.gebmDemo.state.running`, 10*time.Second)
	if st := p.state(); st.Error != nil || len(st.CSPViolations) > 0 {
		t.Fatalf("after sampling: error %v, CSP violations %+v", st.Error, st.CSPViolations)
	}
	p.noConsoleErrors()

	// From a timer, not the evaluation itself, which DevTools exempts.
	got, err := chromedp.Run(p.ctx, chromedp.Evaluate[string](`new Promise((resolve) => setTimeout(() => {
		try { resolve(String(new Function('return 1')())); } catch (e) { resolve(e.name); }
	}, 0))`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	if got != "EvalError" {
		t.Fatalf("new Function in the page: %q, want EvalError (refused by the policy)", got)
	}
	p.waitFor(`window.gebmDemo.state.cspViolations.length > 0`, 10*time.Second)
	v := p.state().CSPViolations[0]
	if v.Directive != "script-src" || v.Blocked != "eval" {
		t.Fatalf("recorded violation %+v, want script-src blocking eval", v)
	}
}
