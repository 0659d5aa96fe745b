package train

import (
	"fmt"
	"os"
	"reflect"
	"slices"
	"strings"

	"github.com/gebm/gebm/shared/ckpt"
	"github.com/gebm/gebm/shared/model"
	"github.com/gebm/gebm/shared/nn"
)

// takeBase replaces m's freshly initialised base by the trained generator
// of the model or checkpoint file at path (--base-from): its weights and
// its batch-normalisation running statistics. The file's generator must be
// the network m's options build (the same architecture, latent size and
// widths) and map into the same data space (the same dimension, image
// shape and scaling); its energy plays no part. The run then trains its own
// energy against it, and its base steps, if any, go on from it; a run of
// no base steps keeps it frozen, running statistics included
// (backend.Config.FrozenBase).
func takeBase(m *model.GEBM, path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("--base-from: %w", err)
	}
	f, err := ckpt.Decode(b)
	if err != nil {
		return fmt.Errorf("--base-from %s: %w", path, err)
	}
	pre, err := model.FromFile(f)
	if err != nil {
		return fmt.Errorf("--base-from %s: %w", path, err)
	}
	if d, e := pre.Data, m.Data; d.Dim != e.Dim || !slices.Equal(d.Shape, e.Shape) || d.Scale != e.Scale || d.Offset != e.Offset {
		return fmt.Errorf("--base-from %s: its generator makes %s data (dimension %d, shape %v, scale %g, offset %g), not this run's %s (dimension %d, shape %v, scale %g, offset %g)",
			path, d.Name, d.Dim, d.Shape, d.Scale, d.Offset, e.Name, e.Dim, e.Shape, e.Scale, e.Offset)
	}
	if got, want := pre.Base.Spec(), m.Base.Spec(); !reflect.DeepEqual(got, want) {
		return fmt.Errorf("--base-from %s: its generator is\n  %s\nnot the one this run's options build:\n  %s\n"+
			"give the options it was trained with (--arch, --latent, --channels or --base-hidden)", path, layers(got), layers(want))
	}
	m.Base = pre.Base
	return nil
}

// layers describes a network's layers in one line: each layer's kind with
// its input and output sizes where it has them.
func layers(s nn.Spec) string {
	words := make([]string, len(s.Layers))
	for i, l := range s.Layers {
		words[i] = string(l.Kind)
		switch {
		case l.Channels > 0:
			words[i] += fmt.Sprintf(" %d", l.Channels)
		case l.In > 0 || l.Out > 0:
			words[i] += fmt.Sprintf(" %d→%d", l.In, l.Out)
		}
	}
	return strings.Join(words, ", ")
}
