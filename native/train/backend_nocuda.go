//go:build !cuda

package train

import (
	"errors"

	"github.com/gebm/gebm/shared/backend"
	"github.com/gebm/gebm/shared/model"
	"github.com/gebm/gebm/shared/nn"
)

// newCUDABackend is NewBackend's "cuda" device in a build without the cuda
// tag: an error that says how to get one.
func newCUDABackend(*model.GEBM, backend.Config, *nn.Param, *nn.Adam, *nn.Adam) (backend.Backend, error) {
	return nil, errors.New("this gebm was built without CUDA: build bin/gebm-cuda with `make cuda` " +
		"(needs the CUDA toolkit and a GPU; see README) or use --device cpu")
}
