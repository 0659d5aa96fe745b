// Package www is gebm's demo page and the HTTP handler that serves it: the
// page (index.html, css/, js/), the browser's sampler and trainer
// (wasm/gebm.wasm, wasm/gebm-train.wasm and the wasm_exec.js of the Go that
// built them) and the bundled model files
// (models/*.gebm), all embedded in the binary with go:embed so that
// `gebm serve` runs from anywhere.
//
// The sampler is a build product (`make wasm`), not a source file: a binary
// built before it exists embeds only wasm/README.txt, serves the page all
// the same, and answers the request for gebm.wasm with a message that says
// how to build it ([HasWasm] reports which case holds).
//
// The page loads the sampler in a Web Worker (js/worker.js), so sampling
// never blocks the page, and talks to it by messages; js/main.js holds the
// controls, js/plot.js the drawing.
package www

import (
	"embed"
	"io/fs"
)

// files is everything the server may serve, apart from a --models folder
// (of models/, only the model files: not the pictures or the classifier).
// all:wasm takes the committed README.txt too, so the pattern matches in a
// fresh clone where the sampler is not built yet.
//
//go:embed index.html css js all:wasm models/*.gebm
var files embed.FS

// Files returns the embedded page, sampler and models, rooted at www/.
func Files() fs.FS { return files }

// HasWasm reports whether the binary embeds the browser's sampler, its
// trainer and their JavaScript glue (false when it was built before `make wasm`).
func HasWasm() bool { return hasWasm(files) }

func hasWasm(fsys fs.FS) bool {
	for _, name := range wasmFiles {
		if fi, err := fs.Stat(fsys, "wasm/"+name); err != nil || !fi.Mode().IsRegular() {
			return false
		}
	}
	return true
}
