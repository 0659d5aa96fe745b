package sampler_test

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/gebm/gebm/shared/model"
	"github.com/gebm/gebm/shared/model/modeltest"
	"github.com/gebm/gebm/shared/train"
	"github.com/gebm/gebm/wasm/sampler"
)

// trainJSON is a short run of a small model on 8gaussians that passes
// through every part of the schedule: warm-up, critic steps, a burst, a
// learning-rate decay and the final energy-only phase.
const trainJSON = `{"steps": 250, "final-energy-steps": 40, "batch": 64, "base-hidden": [32, 32], "energy-hidden": [32, 32],
	"warmup": 20, "burst-every": 100, "burst-len": 10, "lr-decay-every": 120, "seed": 5}`

// trainedFile trains trainJSON's run on 8gaussians, in calls of the given
// numbers of steps, and returns the model file and the steps' statistics.
func trainedFile(t *testing.T, s *sampler.Sampler, chunks ...int) ([]byte, []sampler.TrainStat) {
	t.Helper()
	o, err := sampler.ParseTrainOptions("8gaussians", []byte(trainJSON))
	if err != nil {
		t.Fatal(err)
	}
	tr, err := s.NewTrainer(sampler.TrainData{Toy: "8gaussians"}, o)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Free(tr)
	var stats []sampler.TrainStat
	for _, n := range chunks {
		st, err := s.TrainSteps(tr, n, nil)
		if err != nil {
			t.Fatal(err)
		}
		stats = append(stats, st...)
	}
	info, err := s.TrainInfo(tr)
	if err != nil {
		t.Fatal(err)
	}
	if !info.Finished || info.Step != 250 || info.FinalStep != 40 || len(stats) != 290 {
		t.Fatalf("after %v steps: %+v and %d stats, want the run finished at 250 base and 40 final steps", chunks, info, len(stats))
	}
	f, err := s.TrainModel(tr)
	if err != nil {
		t.Fatal(err)
	}
	return f, stats
}

// modelHash is the model file's modeltest.WeightsDigest (A and the
// tensors' bits, not the header's clock and device).
func modelHash(t *testing.T, file []byte) uint64 {
	t.Helper()
	h, err := modeltest.WeightsDigest(file)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// TestTrainInChunks: training n steps at a time (pause, resume) gives the
// model of one call with all the steps, bit for bit, and the statistics of
// every step; once finished, a call makes no more steps.
func TestTrainInChunks(t *testing.T) {
	s := sampler.New()
	whole, all := trainedFile(t, s, 290)
	parts, chunked := trainedFile(t, s, 1, 99, 37, 113, 40)
	if modelHash(t, whole) != modelHash(t, parts) {
		t.Fatal("the model trained in chunks differs from the one trained in one call")
	}
	for i := range all {
		if all[i] != chunked[i] {
			t.Fatalf("step %d: %+v in one call, %+v in chunks", i, all[i], chunked[i])
		}
	}
	last := all[len(all)-1]
	if last.Step != 250 || last.FinalStep != 40 || all[249].FinalStep != 0 || all[250].FinalStep != 1 {
		t.Fatalf("positions: step 250 %+v, step 251 %+v, last %+v", all[249], all[250], last)
	}
	// 20 warm-up + 5 per base step + a burst of 10 at base steps 100 and 200, then 40 final.
	if want := 20 + 5*250 + 2*10 + 40; last.EnergySteps != want {
		t.Fatalf("%d energy updates, want %d", last.EnergySteps, want)
	}
	for i, st := range all {
		for _, v := range st.Values() {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Fatalf("step %d: %+v", i, st)
			}
		}
		if st.KALE != -st.Loss {
			t.Fatalf("step %d: KALE %v, loss %v", i, st.KALE, st.Loss)
		}
	}
	o, _ := sampler.ParseTrainOptions("8gaussians", []byte(trainJSON))
	tr, err := s.NewTrainer(sampler.TrainData{Toy: "8gaussians"}, o)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.TrainSteps(tr, 300, nil); err != nil {
		t.Fatal(err)
	}
	if st, err := s.TrainSteps(tr, 5, nil); err != nil || len(st) != 0 {
		t.Fatalf("a finished run made %d steps (err %v), want none", len(st), err)
	}
}

// TestTrainModelFile: the exported model loads (shared/model, Open), records
// its data set, steps, seed and options, and a snapshot handle samples it
// like the model file.
func TestTrainModelFile(t *testing.T) {
	s := sampler.New()
	file, _ := trainedFile(t, s, 290)
	g, err := model.Load(file)
	if err != nil {
		t.Fatal(err)
	}
	tr := g.Training
	if tr.Dataset != "8gaussians" || tr.Steps != 250 || tr.Seed != 5 || tr.Options["gp"] != "0.1" ||
		tr.Options["final_energy_steps"] != "40" || tr.Options["target_steps"] != "250" || g.Dim() != 2 || g.Latent() != 4 {
		t.Fatalf("model %d→%d, training %+v", g.Latent(), g.Dim(), tr)
	}
	m := open(t, s, file)
	want, err := s.Generate(m, 50, 3, nil)
	if err != nil {
		t.Fatal(err)
	}
	o, _ := sampler.ParseTrainOptions("8gaussians", []byte(trainJSON))
	h, err := s.NewTrainer(sampler.TrainData{Toy: "8gaussians"}, o)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.TrainSteps(h, 290, nil); err != nil {
		t.Fatal(err)
	}
	snap, err := s.TrainSnapshot(h)
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Generate(snap, 50, 3, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !slicesEqual(got, want) {
		t.Fatal("the snapshot's samples differ from the exported model's")
	}
	grid, err := s.EnergyGrid(snap, sampler.Grid{XMin: -3, XMax: 3, YMin: -3, YMax: 3, Res: 16}, nil)
	if err != nil || len(grid) != 256 {
		t.Fatalf("energy grid of the snapshot: %d values, %v", len(grid), err)
	}
	if err := s.Free(h); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Generate(snap, 5, 1, nil); err != nil {
		t.Fatalf("the snapshot does not outlive its trainer: %v", err)
	}
}

func slicesEqual(a, b []float32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
			return false
		}
	}
	return true
}

// TestTrainPoints: a trainer fits points given as an array, whose model
// file names them PointsName; the same points and seed give the same model.
func TestTrainPoints(t *testing.T) {
	pts := make([]float32, 0, 2*300)
	for i := range 300 {
		a := float64(i) * 2 * math.Pi / 300
		pts = append(pts, float32(2*math.Cos(a)), float32(math.Sin(a)))
	}
	o, err := sampler.ParseTrainOptions("", []byte(`{"steps": 20, "final-energy-steps": 5, "warmup": 5, "base-hidden": [16], "energy-hidden": [16], "batch": 32}`))
	if err != nil {
		t.Fatal(err)
	}
	run := func() []byte {
		s := sampler.New()
		tr, err := s.NewTrainer(sampler.TrainData{Points: pts, Dim: 2}, o)
		if err != nil {
			t.Fatal(err)
		}
		if st, err := s.TrainSteps(tr, 100, nil); err != nil || len(st) != 25 {
			t.Fatalf("%d steps, %v", len(st), err)
		}
		f, err := s.TrainModel(tr)
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	a, b := run(), run()
	if modelHash(t, a) != modelHash(t, b) {
		t.Fatal("the same points and seed trained different models")
	}
	g, err := model.Load(a)
	if err != nil {
		t.Fatal(err)
	}
	if g.Training.Dataset != sampler.PointsName || g.Data.Name != sampler.PointsName || g.Dim() != 2 {
		t.Fatalf("data %+v, training %+v", g.Data, g.Training)
	}
}

// TestTrainNonFinite: an absurd learning rate drives the weights to
// infinity; the step that goes non-finite stops the run with an error that
// names it, wrapping ErrState, and later calls return it.
func TestTrainNonFinite(t *testing.T) {
	s := sampler.New()
	o, err := sampler.ParseTrainOptions("8gaussians", []byte(`{"lr-energy": 1e30, "lr-base": 1e30, "steps": 50, "base-hidden": [16], "energy-hidden": [16], "batch": 16, "energy-floor": 0}`))
	if err != nil {
		t.Fatal(err)
	}
	tr, err := s.NewTrainer(sampler.TrainData{Toy: "8gaussians"}, o)
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.TrainSteps(tr, 50, nil)
	if !errors.Is(err, sampler.ErrState) || !strings.Contains(err.Error(), "not finite") || !strings.Contains(err.Error(), "training stopped at base step") {
		t.Fatalf("error %v, want a non-finite stop wrapping ErrState", err)
	}
	if _, err2 := s.TrainSteps(tr, 1, nil); !errors.Is(err2, sampler.ErrState) || err2.Error() != err.Error() {
		t.Fatalf("a later call: %v, want %v", err2, err)
	}
	info, err := s.TrainInfo(tr)
	if err != nil || info.Stopped == "" {
		t.Fatalf("info %+v, %v: want the stop recorded", info, err)
	}
}

// TestTrainBadKnobs: bad options, data and handles are refused with an
// error of the right kind that names the problem, and open nothing.
func TestTrainBadKnobs(t *testing.T) {
	s := sampler.New()
	toy := sampler.TrainData{Toy: "8gaussians"}
	for _, c := range []struct {
		json, want string
	}{
		{`{"lr-energy": -1}`, "lr-energy: -1 must be a positive number"},
		{`{"lr-base": 0}`, "lr-base: 0 must be a positive number"},
		{`{"batch": 0}`, "batch: 0 must be in 2..65536"},
		{`{"gp": -0.5}`, "gp: -0.5 must be a finite number >= 0"},
		{`{"n-critic": 0}`, "n-critic: 0 must be in 1..1000"},
		{`{"steps": 0}`, "steps: 0 must be in 1..1e9"},
		{`{"base-hidden": [4096, 4096]}`, "parameters, more than the 4194304 a trainer allows"},
		{`{"batch": 65536, "energy-hidden": [4096]}`, "batch 65536"},
		{`{"energy-hidden": [0]}`, "hidden: layer width 0 must be in 1..8192"},
		{`{"lr": 1}`, `unknown field "lr"`},
		{`{"batch": "big"}`, "cannot unmarshal string"},
		{`{"seed": 1} {}`, "after the top-level value"},
	} {
		o, err := sampler.ParseTrainOptions("8gaussians", []byte(c.json))
		if err == nil {
			_, err = s.NewTrainer(toy, o)
		}
		if !errors.Is(err, sampler.ErrArgument) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want ErrArgument naming %q", c.json, err, c.want)
		}
	}
	good := sampler.TrainDefaults("8gaussians")
	nan := good
	nan.GP = math.NaN()
	inf := good
	inf.LREnergy = math.Inf(1)
	for _, c := range []struct {
		d    sampler.TrainData
		o    train.Options
		want string
	}{
		{toy, nan, "gp: NaN"},
		{toy, inf, "lr-energy: +Inf"},
		{sampler.TrainData{Toy: "mnist"}, good, "not a toy set"},
		{sampler.TrainData{Toy: "nosuchtoy"}, good, "not a toy set"},
		{sampler.TrainData{Toy: "8gaussians", Points: []float32{1, 2}, Dim: 2}, good, "not both"},
		{sampler.TrainData{Points: []float32{1, 2, 3}, Dim: 2}, good, "whole rows of 2"},
		{sampler.TrainData{Points: nil, Dim: 2}, good, "at least one"},
		{sampler.TrainData{Points: []float32{1, 2}, Dim: 0}, good, "dimension 0"},
		{sampler.TrainData{Points: []float32{1, float32(math.NaN())}, Dim: 2}, good, "must be finite"},
	} {
		if _, err := s.NewTrainer(c.d, c.o); !errors.Is(err, sampler.ErrArgument) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: error %v, want ErrArgument naming %q", c.d, err, c.want)
		}
	}
	if m, c := s.Count(); m != 0 || c != 0 {
		t.Fatalf("%d models and %d chain sets open after failures", m, c)
	}
	tr, err := s.NewTrainer(toy, good)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{0, -1, sampler.MaxTrainSteps + 1} {
		if _, err := s.TrainSteps(tr, n, nil); !errors.Is(err, sampler.ErrArgument) {
			t.Errorf("TrainSteps(%d): %v, want ErrArgument", n, err)
		}
	}
	m := open(t, s, toyFile)
	for _, h := range []sampler.Handle{0, -3, 9999, m} {
		if _, err := s.TrainSteps(h, 1, nil); !errors.Is(err, sampler.ErrHandle) {
			t.Errorf("TrainSteps on handle %d: %v, want ErrHandle", h, err)
		}
		if _, err := s.TrainModel(h); !errors.Is(err, sampler.ErrHandle) {
			t.Errorf("TrainModel on handle %d: %v, want ErrHandle", h, err)
		}
		if _, err := s.TrainInfo(h); !errors.Is(err, sampler.ErrHandle) {
			t.Errorf("TrainInfo on handle %d: %v, want ErrHandle", h, err)
		}
	}
	if err := s.Free(tr); err != nil {
		t.Fatal(err)
	}
	if _, err := s.TrainSteps(tr, 1, nil); !errors.Is(err, sampler.ErrHandle) {
		t.Errorf("TrainSteps on a freed trainer: %v, want ErrHandle", err)
	}
}
