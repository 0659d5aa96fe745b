package ckpt_test

import (
	"fmt"
	"math/rand/v2"

	"github.com/gebm/gebm/shared/ckpt"
	"github.com/gebm/gebm/shared/model"
)

// A model file written and read back: Encode checks the tensors against the
// architectures in the header and seals the bytes with a checksum; Decode
// trusts nothing and checks it all again. (A model's own Encode and
// model.Load wrap these two calls.)
func Example() {
	g, err := model.New(model.Config{
		Latent: 2, Data: ckpt.DataInfo{Name: "toy", Dim: 3, Scale: 1},
		BaseHidden: []int{4}, EnergyHidden: []int{5}, EnergySlope: 0.2,
	}, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		fmt.Println(err)
		return
	}
	b, err := ckpt.Encode(g.Header(), g.Tensors())
	if err != nil {
		fmt.Println(err)
		return
	}
	f, err := ckpt.Decode(b)
	if err != nil {
		fmt.Println(err)
		return
	}
	// Version 1: the oldest format that holds this model's layer kinds.
	fmt.Printf("magic %q, version %d\n", b[:len(ckpt.Magic)], f.Version)
	fmt.Printf("latent %d, data %q of dimension %d\n", f.Latent, f.Data.Name, f.Data.Dim)
	for _, t := range f.Tensors {
		fmt.Println(t.Name, t.Shape, len(f.Tensor(t.Name)))
	}

	// One flipped bit anywhere and the file is refused.
	b[len(b)/2] ^= 1
	_, err = ckpt.Decode(b)
	fmt.Println(err)
	// Output:
	// magic "GEBM\x89\r\n\x1a", version 1
	// latent 2, data "toy" of dimension 3
	// base/0.weight [4 2] 8
	// base/0.bias [4] 4
	// base/2.weight [3 4] 12
	// base/2.bias [3] 3
	// energy/0.weight [5 3] 15
	// energy/0.bias [5] 5
	// energy/2.weight [1 5] 5
	// energy/2.bias [1] 1
	// model file corrupt: checksum mismatch
}
