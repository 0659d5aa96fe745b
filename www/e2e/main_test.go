package e2e

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/gebm/gebm/shared/model/modeltest"
	"github.com/gebm/gebm/shared/testenv"
	"github.com/gebm/gebm/www"
)

// The package's shared fixture: one server, one browser, built once.
var (
	skipReason string          // why the tests cannot run here ("" when they can)
	siteURL    string          // the page, e.g. http://127.0.0.1:40123/
	browser    context.Context // a chromedp context whose browser has started
	shotDir    string          // where screenshots go
	serverLog  lockedBuffer
	imageModel string // the image model the image-view test opens
	// convModels are the convolutional models the conv tests open: an
	// untrained one-channel model of MNIST's size and an untrained
	// three-channel one (modeltest.Conv), from the --models folder, and the
	// bundled mnist-dcgan when this build has it.
	convModels []convModel
)

// convModel is a convolutional model on offer and the image shape its
// samples have.
type convModel struct {
	name                    string
	channels, height, width int
}

func TestMain(m *testing.M) {
	code, cleanup := setup()
	if code == 0 {
		code = m.Run()
	}
	cleanup()
	if code != 0 && serverLog.Len() > 0 {
		fmt.Fprintf(os.Stderr, "server log:\n%s", serverLog.String())
	}
	os.Exit(code)
}

// chromium finds the browser: $GEBM_CHROME, then the usual names.
func chromium() (string, error) {
	if p := os.Getenv("GEBM_CHROME"); p != "" {
		return p, nil
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", errors.New("no chromium, chromium-browser or google-chrome on PATH (and GEBM_CHROME unset)")
}

func setup() (code int, cleanup func()) {
	var cleanups []func()
	cleanup = func() {
		for i := len(cleanups) - 1; i >= 0; i-- {
			cleanups[i]()
		}
	}
	chrome, err := chromium()
	if err != nil {
		if testenv.InCI() {
			fmt.Fprintf(os.Stderr, "e2e: %v; CI is set, so this is a failure (apt-get install -y chromium)\n", err)
			return 1, cleanup
		}
		skipReason = fmt.Sprintf("%v: install it (apt-get install -y chromium) to run the browser tests", err)
		return 0, cleanup
	}
	fail := func(format string, a ...any) (int, func()) {
		fmt.Fprintf(os.Stderr, "e2e: "+format+"\n", a...)
		return 1, cleanup
	}

	tmp, err := os.MkdirTemp("", "gebm-e2e-")
	if err != nil {
		return fail("%v", err)
	}
	cleanups = append(cleanups, func() { os.RemoveAll(tmp) })

	// A fresh build of the sampler, so the page runs the code under test
	// whatever www/wasm holds (the Go build cache makes it quick), built as
	// make www-wasm builds it.
	wasmDir := filepath.Join(tmp, "wasm")
	if err := buildWasm(wasmDir); err != nil {
		return fail("building the sampler: %v", err)
	}

	// Until a trained mnist.gebm is bundled, the image view gets an
	// untrained model of MNIST's size from a --models folder.
	models := filepath.Join(tmp, "models")
	if err := os.Mkdir(models, 0o755); err != nil {
		return fail("%v", err)
	}
	if err := os.WriteFile(filepath.Join(models, "mnist-untrained.gebm"), modeltest.File(modeltest.MNIST(7)), 0o644); err != nil {
		return fail("%v", err)
	}
	convModels = []convModel{{"conv-grey-untrained", 1, 28, 28}, {"conv-colour-untrained", 3, 16, 16}}
	for _, c := range convModels {
		g := modeltest.Conv(11, c.channels, c.height)
		if err := os.WriteFile(filepath.Join(models, c.name+".gebm"), modeltest.File(g), 0o644); err != nil {
			return fail("%v", err)
		}
	}
	srv, err := www.New(www.Options{Models: models, Wasm: os.DirFS(wasmDir), Log: &serverLog})
	if err != nil {
		return fail("%v", err)
	}
	cleanups = append(cleanups, func() { srv.Close() })
	imageModel = "mnist-untrained"
	for _, m := range srv.Models().Models {
		if m.Name == "mnist" {
			imageModel = "mnist"
		}
		if m.Name == "mnist-dcgan" {
			convModels = append(convModels, convModel{"mnist-dcgan", 1, 28, 28})
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fail("%v", err)
	}
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	go hs.Serve(ln)
	cleanups = append(cleanups, func() { hs.Close() })
	siteURL = "http://" + ln.Addr().String() + "/"

	shotDir = os.Getenv("GEBM_SCREENSHOTS")
	if shotDir == "" {
		shotDir, _ = filepath.Abs(filepath.Join("..", "..", "out", "screenshots"))
	}
	if err := os.MkdirAll(shotDir, 0o755); err != nil {
		return fail("%v", err)
	}

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chrome),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.UserDataDir(filepath.Join(tmp, "profile")),
		chromedp.WindowSize(1360, 1000),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	bctx, cancelBrowser := chromedp.NewContext(actx)
	cleanups = append(cleanups, cancelAlloc, cancelBrowser)
	// Start the browser now, on a context without a deadline (a deadline
	// on the first Run would bound the browser's life).
	if err := chromedp.Do(bctx, chromedp.Navigate("about:blank")); err != nil {
		return fail("starting %s: %v", chrome, err)
	}
	browser = bctx
	return 0, cleanup
}

func buildWasm(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	start := time.Now()
	for file, pkg := range map[string]string{"gebm.wasm": "wasm/js", "gebm-train.wasm": "wasm/jstrain"} {
		cmd := exec.Command("go", "build", "-trimpath", "-tags=wasmsimd", "-ldflags=-s -w", "-o", filepath.Join(dir, file), "github.com/gebm/gebm/"+pkg)
		cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("%v\n%s", err, out)
		}
	}
	goroot, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		goroot = []byte(runtime.GOROOT())
	}
	glue, err := os.ReadFile(filepath.Join(strings.TrimSpace(string(goroot)), "lib", "wasm", "wasm_exec.js"))
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "wasm_exec.js"), glue, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "e2e: built the sampler and the trainer in %s\n", time.Since(start).Round(time.Millisecond))
	return nil
}

// need skips t when the browser tests cannot run here.
func need(t testing.TB) {
	t.Helper()
	if skipReason != "" {
		t.Skip(skipReason)
	}
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Len()
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
