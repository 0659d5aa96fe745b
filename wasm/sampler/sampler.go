package sampler

import (
	"fmt"
	"sync"

	"github.com/gebm/gebm/shared/ckpt"
	"github.com/gebm/gebm/shared/kale"
	"github.com/gebm/gebm/shared/model"
	"github.com/gebm/gebm/shared/nn"
)

// Handle names an open model, chain set, flow or trainer. Handles are
// positive, count up from 1 and are never reused within one Sampler, so a
// freed handle stays invalid. Models, chain sets, flows and trainers share
// one numbering.
type Handle int32

// Sampler holds the open models and chain sets. The zero value is not
// usable; call New. A Sampler is safe for concurrent use (calls are
// serialised), though a page normally calls it from one Worker.
type Sampler struct {
	mu     sync.Mutex
	next   Handle
	models map[Handle]*openModel
	chains map[Handle]*chainSet
	flows  map[Handle]*kale.MMDFlow
	// trainers are the open training runs (train.go).
	trainers map[Handle]*trainer
}

// openModel is a loaded model and what the sampler derives from it once.
type openModel struct {
	g *model.GEBM
	// width is the number of activations one batch row occupies in the
	// networks: the summed widths of both networks' inputs and layer outputs.
	width int
}

// New returns an empty Sampler.
func New() *Sampler {
	return &Sampler{next: 1, models: map[Handle]*openModel{}, chains: map[Handle]*chainSet{}, flows: map[Handle]*kale.MMDFlow{},
		trainers: map[Handle]*trainer{}}
}

// call runs f under the lock and turns a panic inside it into an error
// wrapping ErrInternal.
func (s *Sampler) call(op string, f func() error) (err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("sampler: %s: %w: %v", op, ErrInternal, r)
		}
	}()
	if err := f(); err != nil {
		return fmt.Errorf("sampler: %s: %w", op, err)
	}
	return nil
}

// newHandle returns the next handle, or an error when too many objects are
// open or the numbering is exhausted.
func (s *Sampler) newHandle() (Handle, error) {
	if len(s.models)+len(s.chains)+len(s.flows)+len(s.trainers) >= MaxHandles {
		return 0, fmt.Errorf("%w: %d objects are open, the most allowed; free some", ErrArgument, MaxHandles)
	}
	if s.next <= 0 {
		return 0, fmt.Errorf("%w: handle numbers exhausted", ErrArgument)
	}
	h := s.next
	s.next++
	return h, nil
}

func (s *Sampler) model(h Handle) (*openModel, error) {
	if m, ok := s.models[h]; ok {
		return m, nil
	}
	if _, ok := s.chains[h]; ok {
		return nil, fmt.Errorf("%w: %d is a chain set, not a model", ErrHandle, h)
	}
	return nil, fmt.Errorf("%w: no open model %d", ErrHandle, h)
}

func (s *Sampler) chainSet(h Handle) (*chainSet, error) {
	if c, ok := s.chains[h]; ok {
		return c, nil
	}
	if _, ok := s.models[h]; ok {
		return nil, fmt.Errorf("%w: %d is a model, not a chain set", ErrHandle, h)
	}
	return nil, fmt.Errorf("%w: no open chain set %d", ErrHandle, h)
}

// Open loads a model file (the format of package ckpt) and returns its
// handle. Corrupt, truncated or foreign bytes give an error wrapping
// ErrModel. The bytes are not kept.
func (s *Sampler) Open(file []byte) (h Handle, err error) {
	err = s.call("open", func() error {
		f, err := ckpt.Decode(file)
		if err != nil {
			return fmt.Errorf("%w: %v", ErrModel, err)
		}
		if err := checkScratch(f.Base, f.Energy); err != nil {
			return err
		}
		g, err := model.FromFile(f)
		if err != nil {
			return fmt.Errorf("%w: %v", ErrModel, err)
		}
		if g.Energy.Out() != 1 || g.Energy.In() != g.Base.Out() {
			return fmt.Errorf("%w: energy %d→%d does not fit base %d→%d",
				ErrModel, g.Energy.In(), g.Energy.Out(), g.Base.In(), g.Base.Out())
		}
		if h, err = s.newHandle(); err != nil {
			return err
		}
		s.models[h] = &openModel{g: g, width: width(g.Base.Spec()) + width(g.Energy.Spec())}
		return nil
	})
	return h, err
}

// scratch is the number of float32s a network's layers allocate for their
// work whatever the batch: the column matrix of each convolution, C·K·K ×
// OH·OW (nn.ConvGeometry), one sample's.
func scratch(sp nn.Spec) int {
	n := 0
	for _, l := range sp.Layers {
		if g := l.ConvGeometry(); g.K > 0 {
			n += g.C * g.K * g.K * g.OH * g.OW
		}
	}
	return n
}

// checkScratch refuses, before any network is built, a model whose
// convolutions would allocate more than MaxScratchFloats of column
// buffers: their size follows from the spec alone (a few bytes of a file
// can ask for gigabytes), not from the tensors the file holds.
func checkScratch(base, energy nn.Spec) error {
	if n := scratch(base) + scratch(energy); n > MaxScratchFloats {
		return fmt.Errorf("%w: the convolutions' column buffers need %d float32s (%d MiB), more than the sampler's limit of %d (%d MiB)",
			ErrModel, n, n>>18, MaxScratchFloats, MaxScratchFloats>>18)
	}
	return nil
}

// width is the summed width of a network's input and of every layer's
// output: the values one chain holds in the network's buffers.
func width(sp nn.Spec) int {
	w := 0
	for _, v := range sp.Widths() {
		w += v
	}
	return w
}

// Free closes a model, a chain set, a flow or a trainer. Closing a model
// also closes every chain set created on it (not its flows, which do not use
// it); a model opened from a trainer (TrainSnapshot) is independent of it.
func (s *Sampler) Free(h Handle) error {
	return s.call("free", func() error {
		if _, ok := s.trainers[h]; ok {
			delete(s.trainers, h)
			return nil
		}
		if _, ok := s.flows[h]; ok {
			delete(s.flows, h)
			return nil
		}
		if _, ok := s.chains[h]; ok {
			delete(s.chains, h)
			return nil
		}
		if _, ok := s.models[h]; !ok {
			return fmt.Errorf("%w: nothing open with handle %d", ErrHandle, h)
		}
		for ch, c := range s.chains {
			if c.model == h {
				delete(s.chains, ch)
			}
		}
		delete(s.models, h)
		return nil
	})
}

// Count reports how many models and chain sets are open.
func (s *Sampler) Count() (models, chains int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.models), len(s.chains)
}
