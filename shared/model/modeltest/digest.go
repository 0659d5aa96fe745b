package modeltest

import (
	"hash/fnv"
	"math"

	"github.com/gebm/gebm/shared/ckpt"
)

// WeightsDigest is the FNV-64a hash of what a model file holds that
// training computes: A's float64 bits, then each tensor's name and its
// values' float32 bits (each as 8 little-endian bytes), in the file's
// order. The header's clock and device, which differ between runs, are
// left out: two files of the same training have the same digest.
func WeightsDigest(file []byte) (uint64, error) {
	f, err := ckpt.Decode(file)
	if err != nil {
		return 0, err
	}
	h := fnv.New64a()
	var b [8]byte
	put := func(bits uint64) {
		for i := range b {
			b[i] = byte(bits >> (8 * i))
		}
		h.Write(b[:])
	}
	put(math.Float64bits(f.A))
	for _, ti := range f.Tensors {
		h.Write([]byte(ti.Name))
		for _, v := range f.Tensor(ti.Name) {
			put(uint64(math.Float32bits(v)))
		}
	}
	return h.Sum64(), nil
}
