//go:build !js && !wasip1

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/chromedp/chromedp"
)

// browser runs the Chromium half of the benchmark (scripts/bench/browser):
// the page's own sampler pool and TensorFlow.js in headless Chromium, on a
// local server that makes the page cross-origin isolated (COOP/COEP), which
// TensorFlow.js needs for its threads.
type browser struct {
	url    string
	srv    *http.Server
	ctx    context.Context
	cancel func()
}

// startBrowser serves the repository's www/ (the sampler: make wasm), the
// benchmark page, TensorFlow.js from scripts/bench/node_modules and the
// inputs in dir, and starts headless Chromium.
func startBrowser(dir string) (*browser, error) {
	chrome, err := exec.LookPath("chromium")
	if err != nil {
		return nil, fmt.Errorf("no chromium (apt-get install chromium): %w", err)
	}
	mux := http.NewServeMux()
	serve := func(prefix, root string) {
		mux.Handle(prefix, http.StripPrefix(prefix, http.FileServer(http.Dir(root))))
	}
	serve("/www/", "www")
	serve("/bench/", "scripts/bench")
	serve("/tfjs/", "scripts/bench/node_modules/@tensorflow/tfjs/dist")
	serve("/tfjs-wasm/", "scripts/bench/node_modules/@tensorflow/tfjs-backend-wasm/dist")
	serve("/data/", dir)
	mux.HandleFunc("/{$}", func(w http.ResponseWriter, r *http.Request) {
		http.ServeFile(w, r, "scripts/bench/browser/bench.html")
	})
	isolated := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Cross-Origin-Embedder-Policy", "require-corp")
		h.Set("Cross-Origin-Resource-Policy", "same-origin")
		h.Set("Cache-Control", "no-store")
		switch filepath.Ext(r.URL.Path) {
		case ".mjs", ".js":
			h.Set("Content-Type", "text/javascript")
		case ".wasm":
			h.Set("Content-Type", "application/wasm")
		}
		mux.ServeHTTP(w, r)
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	b := &browser{url: "http://" + ln.Addr().String() + "/", srv: &http.Server{Handler: isolated, ReadHeaderTimeout: 10 * time.Second}}
	go b.srv.Serve(ln)
	profile, err := os.MkdirTemp("", "gebm-bench-chromium")
	if err != nil {
		return nil, err
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chrome), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.UserDataDir(profile))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	bctx, cancelBrowser := chromedp.NewContext(actx)
	if err := chromedp.Do(bctx, chromedp.Navigate("about:blank")); err != nil {
		cancelBrowser()
		cancelAlloc()
		return nil, fmt.Errorf("starting %s: %w", chrome, err)
	}
	b.ctx = bctx
	b.cancel = func() { cancelBrowser(); cancelAlloc(); b.srv.Close(); os.RemoveAll(profile) }
	return b, nil
}

func (b *browser) close() { b.cancel() }

// run loads the page with the query (one configuration) in a fresh tab and
// returns its rows.
func (b *browser) run(query string) ([]result, error) {
	ctx, cancel := chromedp.NewContext(b.ctx)
	defer cancel()
	ctx, cancelT := context.WithTimeout(ctx, 20*time.Minute)
	defer cancelT()
	if err := chromedp.Do(ctx, chromedp.Navigate(b.url+"?"+query)); err != nil {
		return nil, err
	}
	var got struct {
		Rows  []result `json:"rows"`
		Error string   `json:"error"`
	}
	for {
		s, err := chromedp.Run(ctx, chromedp.Evaluate[string](`window.benchResult ? JSON.stringify(window.benchResult) : ""`))
		if err != nil {
			return nil, err
		}
		if s != "" {
			if err := json.Unmarshal([]byte(s), &got); err != nil {
				return nil, err
			}
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if got.Error != "" {
		return nil, fmt.Errorf("the page (%s): %s", query, strings.TrimSpace(got.Error))
	}
	return got.Rows, nil
}
