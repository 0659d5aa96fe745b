package train

import (
	"math"
	"strings"
	"testing"

	"github.com/gebm/gebm/shared/ckpt"
	"github.com/gebm/gebm/shared/model"
)

// TestFinalAverage: with FinalAverage 0.5 over a final phase of 6 updates,
// the model keeps the mean of the energy's parameters and A after updates
// 4, 5 and 6, computed here independently in float64 from the iterates;
// the iterates before and the base are untouched, and a checkpoint written
// inside the averaged updates resumes to the same bits.
func TestFinalAverage(t *testing.T) {
	o := small()
	o.FinalAverage = 0.5
	if got := o.averageFrom(); got != 3 {
		t.Fatalf("averageFrom = %d, want 3", got)
	}
	tr := newTrainer(t, o, nil)
	run(t, tr, o.Steps)
	// The same run again, update by update, to read iterates 4 and 5.
	step := newTrainer(t, o, nil)
	run(t, step, o.Steps-1)
	if err := step.Unit(); err != nil {
		t.Fatal(err)
	}
	var sums []float64
	var sumA float64
	var last []float32
	for k := 1; k <= o.FinalEnergySteps; k++ {
		if err := step.FinalStep(); err != nil {
			t.Fatal(err)
		}
		if k == o.FinalEnergySteps {
			break // the model now holds the mean, not iterate 6
		}
		if k >= 4 {
			vals := flatEnergy(step)
			if sums == nil {
				sums = make([]float64, len(vals))
			}
			for i, v := range vals {
				sums[i] += float64(v)
			}
			sumA += float64(step.a.Value[0])
		}
	}
	// Iterate 6 is what a run without averaging keeps: the same run with
	// FinalAverage 0 gives it.
	o0 := o
	o0.FinalAverage = 0
	plain := newTrainer(t, o0, nil)
	run(t, plain, o0.Steps)
	last = flatEnergy(plain)
	for i, v := range last {
		sums[i] += float64(v)
	}
	sumA += float64(plain.a.Value[0])

	got := flatEnergy(tr)
	worst := 0.0
	for i, v := range got {
		want := sums[i] / 3
		if d := math.Abs(float64(v)-want) / math.Max(1e-3, math.Abs(want)); d > worst {
			worst = d
		}
	}
	if worst > 1e-5 {
		t.Fatalf("averaged energy parameters differ from the mean of iterates 4..6 by %.3g (relative)", worst)
	}
	if d := math.Abs(tr.Model.A - sumA/3); d > 1e-6 || float32(tr.Model.A) != tr.a.Value[0] {
		t.Fatalf("A = %v (param %v), want the mean %v", tr.Model.A, tr.a.Value[0], sumA/3)
	}
	same := true
	for i := range got {
		same = same && got[i] == last[i]
	}
	if same {
		t.Fatal("the averaged model equals the last iterate")
	}
	if err := tr.Model.Base.Spec().Validate(); err != nil {
		t.Fatal(err)
	}
	for i, p := range tr.Model.Base.Params() {
		for j, v := range p.Value {
			if v != plain.Model.Base.Params()[i].Value[j] {
				t.Fatalf("averaging changed the base (%s[%d])", p.Name, j)
			}
		}
	}

	// Interrupted after the 5th final update (2 iterates into the mean).
	part := newTrainer(t, o, nil)
	run(t, part, o.Steps-1)
	if err := part.Unit(); err != nil {
		t.Fatal(err)
	}
	for range 5 {
		if err := part.FinalStep(); err != nil {
			t.Fatal(err)
		}
	}
	f := checkpoint(t, part)
	if f.Tensor(ckpt.PrefixAvg+ckpt.NameA) == nil {
		t.Fatal("the checkpoint has no running mean of A")
	}
	resumed := newTrainer(t, o, f)
	run(t, resumed, o.Steps)
	if err := resumed.Model.Identical(tr.Model); err != nil {
		t.Fatalf("resumed inside the averaging: %v", err)
	}

	// A checkpoint that claims to be inside the averaging without the mean
	// is refused by name.
	bad := newTrainer(t, o0, nil)
	run(t, bad, o.Steps-1)
	if err := bad.Unit(); err != nil {
		t.Fatal(err)
	}
	for range 5 {
		if err := bad.FinalStep(); err != nil {
			t.Fatal(err)
		}
	}
	fb := checkpoint(t, bad)
	m, err := model.FromFile(fb)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := New(o, m, tr.train, fb, cpu); err == nil || !strings.Contains(err.Error(), "avg/") {
		t.Fatalf("resuming an averaging run from a checkpoint without the mean: err = %v", err)
	}
}

// flatEnergy is the energy's parameters, concatenated.
func flatEnergy(tr *Trainer) []float32 {
	var v []float32
	for _, p := range tr.Model.Energy.Params() {
		v = append(v, p.Value...)
	}
	return v
}

// checkpoint encodes and decodes tr's model with its ResumeState.
func checkpoint(t *testing.T, tr *Trainer) *ckpt.File {
	t.Helper()
	if err := tr.Sync(); err != nil {
		t.Fatal(err)
	}
	r, opt, err := tr.ResumeState()
	if err != nil {
		t.Fatal(err)
	}
	h := tr.Model.Header()
	h.Resume = r
	b, err := ckpt.Encode(h, append(tr.Model.Tensors(), opt...))
	if err != nil {
		t.Fatal(err)
	}
	f, err := ckpt.Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	return f
}
