package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestSIMDWorkers: the page runs one sampler worker per core
// (navigator.hardwareConcurrency, at most 8; js/pool.js) and each does its
// matrix products in the SIMD128 kernel (the sampler under test is built
// with -tags wasmsimd; js/simd.js attaches the kernel): the pool says so on
// the console once every worker has started.
func TestSIMDWorkers(t *testing.T) {
	p := openPage(t, viewport{})
	cores, err := chromedp.Run(p.ctx, chromedp.Evaluate[int](`navigator.hardwareConcurrency || 1`))
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("gebm sampler: %d worker", min(8, max(1, cores)))
	var line string
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		p.mu.Lock()
		for _, m := range p.msgs {
			if strings.HasPrefix(m.Text, "gebm sampler:") {
				line = m.Text
			}
		}
		p.mu.Unlock()
		if line != "" {
			break
		}
	}
	if !strings.HasPrefix(line, want) || !strings.Contains(line, "SIMD128 matrix kernel") {
		t.Fatalf("console: %q, want %q… with the SIMD128 matrix kernel", line, want)
	}
	t.Log(line)
}
