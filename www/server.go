package www

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"math/rand/v2"
	"net/http"
	"os"
	"path"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/gebm/gebm/shared/data"
)

// Options configures a [Server].
type Options struct {
	// Models is a folder whose *.gebm files the page offers besides the
	// bundled ones (a file there shadows a bundled model of the same name),
	// or "" for none. Only the files directly inside it are served.
	Models string
	// Wasm, when not nil, replaces the embedded wasm/ folder: it must hold
	// gebm.wasm, gebm-train.wasm and wasm_exec.js at its root. Tests use it
	// to serve a fresh build of the modules.
	Wasm fs.FS
	// Log receives one line per request; nil logs nothing.
	Log io.Writer
}

// Server serves the demo. Its routes (GET and HEAD only):
//
//	/                     index.html
//	/css/..., /js/...     the page's files
//	/wasm/gebm.wasm       the sampler (application/wasm), /wasm/wasm_exec.js its glue
//	/wasm/gebm-train.wasm the trainer (the page's Train mode loads it)
//	/models/index.json    the models on offer: {"default": name, "models": [{name, url, size, source}]}
//	/models/NAME.gebm     a model file, from the Models folder or the bundled ones
//	/data/NAME.json       DataPoints samples of a built-in toy data set, raw coordinates, seed DataSeed
//
// Anything else is 404: the server names files, it never lists a folder,
// and it never opens a path outside its embedded files or the Models
// folder (model names are single path elements, and the folder is opened
// as an os.Root, which also refuses symbolic links that lead out of it).
type Server struct {
	site fs.FS // the embedded page, rooted at www/
	wasm fs.FS // wasmFiles
	// wasmEmbedded: wasm is the embedded folder, not Options.Wasm.
	wasmEmbedded bool
	root         *os.Root
	log          io.Writer

	mu    sync.Mutex
	etags map[string]string // embedded file → ETag
	gz    map[string][]byte // embedded file → its gzip encoding
	toys  map[string][]byte // toy name → /data JSON
}

// DataPoints and DataSeed fix the /data samples: the same points for every
// visitor and every run.
const (
	DataPoints = 1000
	DataSeed   = 1
)

// New returns a server over the embedded files and o.Models. It fails if
// o.Models is not a readable folder. Close releases the folder.
func New(o Options) (*Server, error) {
	wasmFS, err := fs.Sub(files, "wasm")
	if err != nil {
		return nil, err
	}
	s := &Server{site: files, wasm: wasmFS, wasmEmbedded: true, log: o.Log,
		etags: map[string]string{}, gz: map[string][]byte{}, toys: map[string][]byte{}}
	if o.Wasm != nil {
		s.wasm, s.wasmEmbedded = o.Wasm, false
	} else if b, err := fs.ReadFile(files, "wasm/gebm.wasm"); err == nil {
		go func() {
			s.gzipped("wasm/gebm.wasm", b) // ready before the first page asks (≈0.3 s)
			if t, err := fs.ReadFile(files, "wasm/gebm-train.wasm"); err == nil {
				s.gzipped("wasm/gebm-train.wasm", t)
			}
		}()
	}
	if o.Models != "" {
		fi, err := os.Stat(o.Models)
		if err != nil {
			return nil, fmt.Errorf("models folder: %w", err)
		}
		if !fi.IsDir() {
			return nil, fmt.Errorf("models folder %s: not a directory", o.Models)
		}
		if s.root, err = os.OpenRoot(o.Models); err != nil {
			return nil, fmt.Errorf("models folder: %w", err)
		}
	}
	return s, nil
}

// Close releases the models folder.
func (s *Server) Close() error {
	if s.root != nil {
		return s.root.Close()
	}
	return nil
}

// wasmFiles are the browser's modules and their glue, which `make
// www-wasm` builds together into www/wasm/.
var wasmFiles = []string{"gebm.wasm", "gebm-train.wasm", "wasm_exec.js"}

// HasWasm reports whether the server has the sampler and the trainer to
// serve.
func (s *Server) HasWasm() bool {
	for _, name := range wasmFiles {
		if fi, err := fs.Stat(s.wasm, name); err != nil || !fi.Mode().IsRegular() {
			return false
		}
	}
	return true
}

// MissingWasm is the body of the 404 for the sampler in a binary built
// without it; the page shows it.
const MissingWasm = "this gebm binary was built without the browser's sampler and trainer (www/wasm/gebm.wasm, gebm-train.wasm): " +
	"run `make build` (it builds the sampler first), or `make wasm` and rebuild gebm"

// ContentSecurityPolicy is the policy of every response: scripts and
// everything else from this origin only; 'wasm-unsafe-eval' lets the
// workers compile WebAssembly (the sampler and its SIMD128 kernel), and
// nothing may compile JavaScript from strings (no 'unsafe-eval': the
// sampler's wrapper is a file, js/api.js). Each worker gets it from the
// header on its script.
const ContentSecurityPolicy = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; " +
	"style-src 'self'; img-src 'self' data: blob:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"

var contentTypes = map[string]string{
	".html": "text/html; charset=utf-8",
	".css":  "text/css; charset=utf-8",
	".js":   "text/javascript; charset=utf-8",
	".json": "application/json",
	".wasm": "application/wasm",
	".gebm": "application/octet-stream",
	".svg":  "image/svg+xml",
	".png":  "image/png",
	".ico":  "image/x-icon",
}

// modelName is what a model file's name may be: one path element, no dot
// files, no separators of any system.
var modelName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,127}\.gebm$`)

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	lw := &logWriter{ResponseWriter: w, status: http.StatusOK}
	start := time.Now()
	s.route(lw, r)
	if s.log != nil {
		fmt.Fprintf(s.log, "%s %s %s %d %dB %s\n", time.Now().Format("15:04:05"), r.Method, r.URL.RequestURI(),
			lw.status, lw.n, time.Since(start).Round(10*time.Microsecond))
	}
}

func (s *Server) route(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Content-Security-Policy", ContentSecurityPolicy)
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		h.Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	p := r.URL.Path
	// A path that is not already clean (.., //, /./) names nothing here,
	// whatever it would resolve to.
	if !strings.HasPrefix(p, "/") || path.Clean(p) != p && p != "/" || strings.ContainsAny(p, "\\\x00") {
		http.NotFound(w, r)
		return
	}
	switch name := p[1:]; {
	case name == "" || name == "index.html":
		s.serveEmbedded(w, r, s.site, "index.html", "index.html")
	case name == "models/index.json":
		s.serveIndex(w, r)
	case strings.HasPrefix(name, "models/"):
		s.serveModel(w, r, strings.TrimPrefix(name, "models/"))
	case strings.HasPrefix(name, "data/"):
		s.serveData(w, r, strings.TrimPrefix(name, "data/"))
	case strings.HasPrefix(name, "wasm/"):
		file := strings.TrimPrefix(name, "wasm/")
		if !slices.Contains(wasmFiles, file) {
			http.NotFound(w, r)
			return
		}
		if !s.HasWasm() {
			http.Error(w, MissingWasm, http.StatusNotFound)
			return
		}
		key := ""
		if s.wasmEmbedded {
			key = name
		}
		s.serveEmbedded(w, r, s.wasm, file, key)
	case strings.HasPrefix(name, "css/") || strings.HasPrefix(name, "js/"):
		s.serveEmbedded(w, r, s.site, name, name)
	default:
		http.NotFound(w, r)
	}
}

// serveEmbedded serves one regular file of fsys (embedded, or a test's
// sampler folder). An embedded file, whose contents are fixed for the life
// of the binary, gets an ETag from its contents and, for a client that
// takes it, a gzip encoding made once (the sampler shrinks from 3.6 to 1.02 MB).
// key names an embedded file for the caches; "" marks one that is not.
func (s *Server) serveEmbedded(w http.ResponseWriter, r *http.Request, fsys fs.FS, name, key string) {
	ct, ok := contentTypes[path.Ext(name)]
	if !ok || !fs.ValidPath(name) {
		http.NotFound(w, r)
		return
	}
	fi, err := fs.Stat(fsys, name)
	if err != nil || !fi.Mode().IsRegular() {
		http.NotFound(w, r)
		return
	}
	b, err := fs.ReadFile(fsys, name)
	if err != nil {
		http.Error(w, "read failed", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", ct)
	h.Set("Cache-Control", "no-cache")
	if key != "" {
		e := s.etag(key, b)
		if len(b) >= gzipMin && path.Ext(name) != ".gebm" && path.Ext(name) != ".png" {
			h.Add("Vary", "Accept-Encoding")
			if acceptsGzip(r) {
				b = s.gzipped(key, b)
				h.Set("Content-Encoding", "gzip")
				e = strings.TrimSuffix(e, `"`) + `-gz"`
			}
		}
		h.Set("ETag", e)
	}
	http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(b))
}

// gzipMin is the smallest file worth compressing.
const gzipMin = 1024

func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(coding), "gzip") {
			q := strings.ReplaceAll(params, " ", "")
			return q != "q=0" && q != "q=0.0" && q != "q=0.00" && q != "q=0.000"
		}
	}
	return false
}

// gzipped returns b's gzip encoding, made once per key (the lock is not
// held while compressing, so two first requests may both compress).
func (s *Server) gzipped(key string, b []byte) []byte {
	s.mu.Lock()
	z, ok := s.gz[key]
	s.mu.Unlock()
	if ok {
		return z
	}
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.DefaultCompression)
	zw.Write(b)
	zw.Close()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.gz[key] = buf.Bytes()
	return s.gz[key]
}

func (s *Server) etag(name string, b []byte) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e, ok := s.etags[name]; ok {
		return e
	}
	sum := sha256.Sum256(b)
	e := `"` + hex.EncodeToString(sum[:8]) + `"`
	s.etags[name] = e
	return e
}

// ModelEntry is one model of /models/index.json.
type ModelEntry struct {
	Name   string `json:"name"`   // file name without .gebm
	URL    string `json:"url"`    // relative to the page
	Size   int64  `json:"size"`   // bytes
	Source string `json:"source"` // "bundled" or "folder"
}

// ModelIndex is /models/index.json.
type ModelIndex struct {
	Default string       `json:"default"`
	Models  []ModelEntry `json:"models"`
}

// DefaultModel is the model the page opens first when it is on offer.
const DefaultModel = "8gaussians"

// Models lists the models on offer: the Models folder's, then the bundled
// ones it does not shadow, each group sorted by name.
func (s *Server) Models() ModelIndex {
	var idx ModelIndex
	seen := map[string]bool{}
	if s.root != nil {
		var folder []ModelEntry
		if d, err := s.root.Open("."); err == nil {
			ents, _ := d.ReadDir(-1)
			d.Close()
			for _, e := range ents {
				if !modelName.MatchString(e.Name()) {
					continue
				}
				fi, err := s.root.Stat(e.Name()) // follows links only within the folder
				if err != nil || !fi.Mode().IsRegular() {
					continue
				}
				name := strings.TrimSuffix(e.Name(), ".gebm")
				folder = append(folder, ModelEntry{Name: name, URL: "models/" + e.Name(), Size: fi.Size(), Source: "folder"})
				seen[name] = true
			}
		}
		slices.SortFunc(folder, func(a, b ModelEntry) int { return strings.Compare(a.Name, b.Name) })
		idx.Models = append(idx.Models, folder...)
	}
	ents, _ := fs.ReadDir(s.site, "models")
	for _, e := range ents {
		name := strings.TrimSuffix(e.Name(), ".gebm")
		if !modelName.MatchString(e.Name()) || !e.Type().IsRegular() || seen[name] {
			continue
		}
		fi, err := e.Info()
		if err != nil {
			continue
		}
		idx.Models = append(idx.Models, ModelEntry{Name: name, URL: "models/" + e.Name(), Size: fi.Size(), Source: "bundled"})
	}
	for _, m := range idx.Models {
		if m.Name == DefaultModel {
			idx.Default = m.Name
		}
	}
	if idx.Default == "" && len(idx.Models) > 0 {
		idx.Default = idx.Models[0].Name
	}
	if idx.Models == nil {
		idx.Models = []ModelEntry{}
	}
	return idx
}

func (s *Server) serveIndex(w http.ResponseWriter, r *http.Request) {
	b, err := json.Marshal(s.Models())
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	http.ServeContent(w, r, "index.json", time.Time{}, bytes.NewReader(b))
}

func (s *Server) serveModel(w http.ResponseWriter, r *http.Request, file string) {
	if !modelName.MatchString(file) {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", contentTypes[".gebm"])
	w.Header().Set("Cache-Control", "no-cache")
	if s.root != nil {
		if f, err := s.root.Open(file); err == nil {
			defer f.Close()
			fi, err := f.Stat()
			if err != nil || !fi.Mode().IsRegular() {
				http.NotFound(w, r)
				return
			}
			http.ServeContent(w, r, file, fi.ModTime(), f)
			return
		} else if !errors.Is(err, fs.ErrNotExist) {
			http.NotFound(w, r) // a link out of the folder, a permission error: nothing to serve
			return
		}
	}
	s.serveEmbedded(w, r, s.site, "models/"+file, "models/"+file)
}

// DataJSON is /data/NAME.json: n raw samples of a toy data set (before the
// model's normalisation), row-major.
type DataJSON struct {
	Name   string    `json:"name"`
	Dim    int       `json:"dim"`
	Seed   uint64    `json:"seed"`
	Points []float32 `json:"points"`
}

// ToyJSON returns the /data JSON of the toy data set called name (exactly
// its registry name): DataPoints samples drawn with DataSeed.
func (s *Server) ToyJSON(name string) ([]byte, error) {
	toy, err := data.ToyByName(name)
	if err != nil || toy.Name() != name {
		return nil, fmt.Errorf("no toy data set %q", name)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if b, ok := s.toys[name]; ok {
		return b, nil
	}
	x := make([]float32, DataPoints*toy.Dim())
	toy.Sample(rand.New(rand.NewPCG(DataSeed, 0)), x)
	for i, v := range x { // 4 decimals are plenty for a dot on a screen
		x[i] = float32(math.Round(float64(v)*1e4) / 1e4)
	}
	b, err := json.Marshal(DataJSON{Name: name, Dim: toy.Dim(), Seed: DataSeed, Points: x})
	if err != nil {
		return nil, err
	}
	s.toys[name] = b
	return b, nil
}

func (s *Server) serveData(w http.ResponseWriter, r *http.Request, file string) {
	name, ok := strings.CutSuffix(file, ".json")
	if !ok {
		http.NotFound(w, r)
		return
	}
	b, err := s.ToyJSON(name)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("ETag", s.etag("data/"+name, b))
	http.ServeContent(w, r, file, time.Time{}, bytes.NewReader(b))
}

// logWriter records a response's status and size for the request log.
type logWriter struct {
	http.ResponseWriter
	status int
	n      int64
}

func (l *logWriter) WriteHeader(code int) {
	l.status = code
	l.ResponseWriter.WriteHeader(code)
}

func (l *logWriter) Write(b []byte) (int, error) {
	n, err := l.ResponseWriter.Write(b)
	l.n += int64(n)
	return n, err
}
