package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gebm/gebm/shared/model/modeltest"
	"github.com/gebm/gebm/www"
)

// syncBuffer is a bytes.Buffer safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestServe runs the server on a free loopback port with a models folder,
// fetches the page, the index and a folder model, and stops it.
func TestServe(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "tiny.gebm"), modeltest.File(modeltest.Toy2D(3)), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr syncBuffer
	urls := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- serve(ctx, serveConfig{addr: "127.0.0.1:0", models: dir, log: &stderr}, &stdout, &stderr,
			func(u string) { urls <- u })
	}()
	var url string
	select {
	case url = <-urls:
	case err := <-done:
		t.Fatalf("serve: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not start")
	}
	fetch := func(path string) (int, string, []byte) {
		t.Helper()
		resp, err := http.Get(url + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header.Get("Content-Type"), b
	}
	if code, ct, b := fetch(""); code != 200 || !strings.HasPrefix(ct, "text/html") || !bytes.Contains(b, []byte("GEBM playground")) {
		t.Errorf("GET /: %d %s", code, ct)
	}
	code, _, b := fetch("models/index.json")
	var idx www.ModelIndex
	if err := json.Unmarshal(b, &idx); code != 200 || err != nil || len(idx.Models) == 0 || idx.Models[0].Name != "tiny" {
		t.Errorf("GET /models/index.json: %d %v %s", code, err, b)
	}
	if code, ct, b := fetch("models/tiny.gebm"); code != 200 || ct != "application/octet-stream" || !bytes.HasPrefix(b, []byte("GEBM")) {
		t.Errorf("GET /models/tiny.gebm: %d %s", code, ct)
	}
	code, _, b = fetch("wasm/gebm.wasm")
	if www.HasWasm() != (code == 200) || (code != 200 && !strings.Contains(string(b), "make build")) {
		t.Errorf("GET /wasm/gebm.wasm: %d %.80q (binary embeds the sampler: %v)", code, b, www.HasWasm())
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("serve after cancel: %v", err)
	}
	if !strings.Contains(stdout.String(), "gebm demo: "+url) {
		t.Errorf("stdout %q lacks the URL %s", stdout.String(), url)
	}
	if !strings.Contains(stderr.String(), "GET /models/index.json 200") {
		t.Errorf("no request log in %q", stderr.String())
	}
	if !www.HasWasm() && !strings.Contains(stderr.String(), "built without") {
		t.Errorf("no warning about the missing sampler in %q", stderr.String())
	}
}

func TestServeErrors(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"serve", "--models", filepath.Join(t.TempDir(), "nope")}, "models folder"},
		{[]string{"serve", "--addr", "256.1.1.1:99999"}, "gebm serve:"},
		{[]string{"serve", "extra"}, "unexpected argument"},
		{[]string{"serve", "--bogus"}, "flag provided but not defined"},
	} {
		code, _, errOut := gebm(t, c.args...)
		if code == 0 || !strings.Contains(errOut, c.want) {
			t.Errorf("%v: code %d, stderr %q, want %q", c.args, code, errOut, c.want)
		}
	}
	if code, _, errOut := gebm(t, "serve", "-h"); code != 0 || !strings.Contains(errOut, "--models") && !strings.Contains(errOut, "-models") {
		t.Errorf("serve -h: %d %q", code, errOut)
	}
}
