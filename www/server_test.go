package www

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/gebm/gebm/shared/testenv"
)

var fakeWasm = fstest.MapFS{
	"gebm.wasm":       {Data: []byte("\x00asm\x01\x00\x00\x00")},
	"gebm-train.wasm": {Data: []byte("\x00asm\x01\x00\x00\x00")},
	"wasm_exec.js":    {Data: []byte("// glue\n")},
}

// newTestServer serves the embedded page, a fake sampler and a models
// folder holding mine.gebm, a shadowing 8gaussians.gebm, a non-model file,
// a sub-folder, and a link that leads out of the folder.
func newTestServer(t *testing.T) (*Server, *bytes.Buffer, string) {
	t.Helper()
	root := t.TempDir()
	models := filepath.Join(root, "models")
	for _, d := range []string{models, filepath.Join(models, "sub")} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	files := map[string]string{
		"models/mine.gebm":       "MINE",
		"models/8gaussians.gebm": "SHADOW",
		"models/notes.txt":       "not a model",
		"models/.hidden.gebm":    "hidden",
		"models/sub/inner.gebm":  "INNER",
		"secret.gebm":            "SECRET",
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(root, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(filepath.Join(root, "secret.gebm"), filepath.Join(models, "escape.gebm")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("mine.gebm", filepath.Join(models, "alias.gebm")); err != nil {
		t.Fatal(err)
	}
	var log bytes.Buffer
	s, err := New(Options{Models: models, Wasm: fakeWasm, Log: &log})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, &log, root
}

func get(t *testing.T, h http.Handler, method, target string, hdr ...string) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(method, "http://gebm.test"+target, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		r.Header.Set(hdr[i], hdr[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func TestRoutes(t *testing.T) {
	s, log, _ := newTestServer(t)
	for _, c := range []struct {
		path, ctype, body string
	}{
		{"/", "text/html; charset=utf-8", "<title>GEBM playground"},
		{"/index.html", "text/html; charset=utf-8", "<title>GEBM playground"},
		{"/css/demo.css", "text/css; charset=utf-8", ":root"},
		{"/js/main.js", "text/javascript; charset=utf-8", "import"},
		{"/js/worker.js", "text/javascript; charset=utf-8", "importScripts"},
		{"/wasm/gebm.wasm", "application/wasm", "\x00asm"},
		{"/wasm/gebm-train.wasm", "application/wasm", "\x00asm"},
		{"/wasm/wasm_exec.js", "text/javascript; charset=utf-8", "glue"},
		{"/models/mine.gebm", "application/octet-stream", "MINE"},
		{"/models/alias.gebm", "application/octet-stream", "MINE"}, // a link within the folder
		{"/models/8gaussians.gebm", "application/octet-stream", "SHADOW"},
		{"/models/rings.gebm", "application/octet-stream", "GEBM"},
		{"/models/index.json", "application/json", `"default":"8gaussians"`},
		{"/data/8gaussians.json", "application/json", `"name":"8gaussians"`},
	} {
		w := get(t, s, "GET", c.path)
		if w.Code != http.StatusOK || w.Header().Get("Content-Type") != c.ctype || !strings.Contains(w.Body.String(), c.body) {
			t.Errorf("GET %s: %d %q, body %.60q; want 200 %q containing %q", c.path, w.Code, w.Header().Get("Content-Type"), w.Body.String(), c.ctype, c.body)
		}
		if w.Header().Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("GET %s: no nosniff header", c.path)
		}
		if csp := w.Header().Get("Content-Security-Policy"); csp != ContentSecurityPolicy {
			t.Errorf("GET %s: Content-Security-Policy %q, want %q", c.path, csp, ContentSecurityPolicy)
		}
	}
	if !strings.Contains(log.String(), "GET /models/index.json 200") {
		t.Errorf("request log:\n%s", log.String())
	}
	if w := get(t, s, "HEAD", "/js/main.js"); w.Code != http.StatusOK || w.Body.Len() != 0 {
		t.Errorf("HEAD: %d, %d bytes", w.Code, w.Body.Len())
	}
	// gzip for a client that takes it, made once; the same bytes after.
	plain := get(t, s, "GET", "/js/main.js").Body.Bytes()
	for _, ae := range []string{"gzip", "deflate, gzip;q=0.5", "br,gzip"} {
		w := get(t, s, "GET", "/js/main.js", "Accept-Encoding", ae)
		if w.Header().Get("Content-Encoding") != "gzip" {
			t.Fatalf("Accept-Encoding %q: Content-Encoding %q", ae, w.Header().Get("Content-Encoding"))
		}
		zr, err := gzip.NewReader(w.Body)
		if err != nil {
			t.Fatal(err)
		}
		if b, err := io.ReadAll(zr); err != nil || !bytes.Equal(b, plain) {
			t.Errorf("gzip body differs (%v)", err)
		}
	}
	for _, ae := range []string{"", "gzip;q=0", "br"} {
		if w := get(t, s, "GET", "/js/main.js", "Accept-Encoding", ae); w.Header().Get("Content-Encoding") != "" {
			t.Errorf("Accept-Encoding %q: gzip", ae)
		}
	}
	// An ETag from the contents: a repeat visit gets 304.
	etag := get(t, s, "GET", "/js/main.js").Header().Get("ETag")
	if w := get(t, s, "GET", "/js/main.js", "If-None-Match", etag); etag == "" || w.Code != http.StatusNotModified {
		t.Errorf("If-None-Match %q: %d", etag, w.Code)
	}
}

// TestStrictScriptPolicy: scripts only from the page's origin, WebAssembly
// compiled (wasm-unsafe-eval) but no JavaScript compiled from strings; the
// e2e tests check that the page works under it.
func TestStrictScriptPolicy(t *testing.T) {
	var script string
	for _, d := range strings.Split(ContentSecurityPolicy, ";") {
		if f := strings.Fields(d); len(f) > 0 && f[0] == "script-src" {
			script = strings.Join(f[1:], " ")
		}
	}
	if script != "'self' 'wasm-unsafe-eval'" {
		t.Fatalf("script-src %q, want 'self' 'wasm-unsafe-eval' (no 'unsafe-eval', no other origin)", script)
	}
}

func TestModelIndex(t *testing.T) {
	s, _, _ := newTestServer(t)
	var idx ModelIndex
	if err := json.Unmarshal(get(t, s, "GET", "/models/index.json").Body.Bytes(), &idx); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range idx.Models {
		got = append(got, m.Name+":"+m.Source)
		if m.URL != "models/"+m.Name+".gebm" || m.Size <= 0 {
			t.Errorf("entry %+v", m)
		}
	}
	// The folder's first (links within it included, the link out of it
	// and everything not a *.gebm file left out), then the bundled ones it
	// does not shadow.
	folder := []string{"8gaussians:folder", "alias:folder", "mine:folder"}
	if len(got) < len(folder) || strings.Join(got[:len(folder)], " ") != strings.Join(folder, " ") {
		t.Errorf("index %v, want %v first", got, folder)
	}
	for _, want := range []string{"25gaussians:bundled", "rings:bundled"} {
		if !slices.Contains(got[len(folder):], want) {
			t.Errorf("index %v lacks %s", got, want)
		}
	}
	if slices.Contains(got, "8gaussians:bundled") {
		t.Errorf("index %v lists the shadowed bundled 8gaussians", got)
	}
	for _, m := range idx.Models {
		if m.Name == "escape" || m.Name == "inner" || m.Name == ".hidden" || m.Name == "notes" {
			t.Errorf("index lists %s", m.Name)
		}
	}
	if idx.Default != DefaultModel {
		t.Errorf("default %q", idx.Default)
	}
}

// TestNoTraversal: nothing outside the embedded files and the models
// folder, no folder listings, no odd paths.
func TestNoTraversal(t *testing.T) {
	s, _, _ := newTestServer(t)
	for _, p := range []string{
		"/../go.mod", "/js/../../go.mod", "/%2e%2e/go.mod", "/js/%2e%2e/index.html", "/js/../index.html",
		"//etc/passwd", "/js//main.js", "/./index.html", "/index.html/", "/js\\main.js",
		"/js/", "/js", "/css/", "/models/", "/models", "/wasm/", "/data/",
		"/embed.go", "/server.go", "/wasm/README.txt", "/models/TRAINING.md", "/models/8gaussians-samples.png",
		"/models/../embed.go", "/models/..%2fserver.go", "/models/%2e%2e%2fsecret.gebm",
		"/models/escape.gebm", "/models/sub/inner.gebm", "/models/sub", "/models/.hidden.gebm", "/models/notes.txt",
		"/models/nothere.gebm", "/data/mnist.json", "/data/8GAUSSIANS.json", "/data/8gaussians", "/data/../index.html",
		"/favicon.ico", "/e2e/doc.go", "/js/main.js%00.png",
	} {
		w := get(t, s, "GET", p)
		if w.Code != http.StatusNotFound {
			t.Errorf("GET %s: %d (%d bytes), want 404", p, w.Code, w.Body.Len())
		}
		if strings.Contains(w.Body.String(), "SECRET") || strings.Contains(w.Body.String(), "module ") {
			t.Errorf("GET %s leaked %q", p, w.Body.String())
		}
	}
	for _, m := range []string{"POST", "PUT", "DELETE"} {
		if w := get(t, s, m, "/"); w.Code != http.StatusMethodNotAllowed {
			t.Errorf("%s /: %d", m, w.Code)
		}
	}
}

func TestData(t *testing.T) {
	s, _, _ := newTestServer(t)
	var d DataJSON
	b := get(t, s, "GET", "/data/rings.json").Body.Bytes()
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatal(err)
	}
	if d.Name != "rings" || d.Dim != 2 || d.Seed != DataSeed || len(d.Points) != 2*DataPoints {
		t.Errorf("rings: %s %d %d %d points", d.Name, d.Dim, d.Seed, len(d.Points)/2)
	}
	// A fixed seed: a second server gives the same bytes.
	s2, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	if b2 := get(t, s2, "GET", "/data/rings.json").Body.Bytes(); !bytes.Equal(b, b2) {
		t.Error("/data/rings.json differs between servers")
	}
}

func TestMissingWasm(t *testing.T) {
	s, err := New(Options{Wasm: fstest.MapFS{"README.txt": {Data: []byte("build me")}}})
	if err != nil {
		t.Fatal(err)
	}
	if s.HasWasm() {
		t.Fatal("HasWasm with no gebm.wasm")
	}
	for _, p := range []string{"/wasm/gebm.wasm", "/wasm/gebm-train.wasm", "/wasm/wasm_exec.js"} {
		if w := get(t, s, "GET", p); w.Code != http.StatusNotFound || !strings.Contains(w.Body.String(), "make build") {
			t.Errorf("GET %s without the sampler: %d %q", p, w.Code, w.Body.String())
		}
	}
	// The page itself is still served.
	if w := get(t, s, "GET", "/"); w.Code != http.StatusOK {
		t.Errorf("GET / without the sampler: %d", w.Code)
	}
	// What the build embedded: README.txt always, the sampler after make wasm.
	if _, err := Files().Open("wasm/README.txt"); err != nil {
		t.Errorf("embedded wasm/README.txt: %v", err)
	}
	t.Logf("this binary embeds the sampler: %v", HasWasm())
}

func TestModelsFolderErrors(t *testing.T) {
	if _, err := New(Options{Models: filepath.Join(t.TempDir(), "nope")}); err == nil {
		t.Error("a missing folder: no error")
	}
	f := filepath.Join(t.TempDir(), "file.gebm")
	if err := os.WriteFile(f, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := New(Options{Models: f}); err == nil || !strings.Contains(err.Error(), "not a directory") {
		t.Errorf("a file as the folder: %v", err)
	}
}

// TestEmbeddedWasm: the sampler this binary embeds (after make wasm) goes
// out as application/wasm, gzip-encoded for a browser.
func TestEmbeddedWasm(t *testing.T) {
	if !HasWasm() {
		testenv.Missing(t, "this build embeds no sampler (make www-wasm builds it; make test does)")
	}
	s, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := fs.ReadFile(Files(), "wasm/gebm.wasm")
	w := get(t, s, "GET", "/wasm/gebm.wasm", "Accept-Encoding", "gzip, deflate, br")
	if w.Code != http.StatusOK || w.Header().Get("Content-Type") != "application/wasm" || w.Header().Get("Content-Encoding") != "gzip" {
		t.Fatalf("GET /wasm/gebm.wasm: %d %v", w.Code, w.Header())
	}
	t.Logf("gebm.wasm: %d bytes, %d gzip-encoded", len(raw), w.Body.Len())
	zr, err := gzip.NewReader(w.Body)
	if err != nil {
		t.Fatal(err)
	}
	if b, err := io.ReadAll(zr); err != nil || !bytes.Equal(b, raw) {
		t.Errorf("decoded sampler differs (%v)", err)
	}
}
