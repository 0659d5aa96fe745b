package data

import "fmt"

// ReadImageFolder is not available in the browser build: a page has no
// folders to read, and leaving the PNG and JPEG decoders out keeps them out
// of the sampler module (docs/RATIONALE.md, "The sampler module's size").
// The native ReadImageFolder is in imagefolder.go.
func ReadImageFolder(dir string, size int) (*Dataset, error) {
	return nil, fmt.Errorf("data: %s: image folders are read by the native gebm, not in the browser", dir)
}
