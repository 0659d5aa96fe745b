package main

import (
	"encoding/json"
	"math"
	"slices"
	"strings"
	"testing"
)

// TestBenchSample: gebm bench sample measures every row at every n in every
// round, reports medians within the rounds' range with their GFLOP/s, and
// compares the gebm sample/eval row with each other row; the table names
// every row.
func TestBenchSample(t *testing.T) {
	m := writeModel(t, t.TempDir(), "m.gebm", 2, nil)
	args := []string{"bench", "sample", "--model", m, "--n", "10,300", "--steps", "3", "--rounds", "2", "--workers", "2", "--quiet"}
	code, out, errOut := gebm(t, append(args, "--json")...)
	if code != 0 {
		t.Fatalf("code %d: %s", code, errOut)
	}
	var rep benchSampleReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("%v in %s", err, out)
	}
	names := []string{"gebm sample/eval (2 workers)", "gebm sample/eval (1 worker)", rowAPI, rowBefore}
	if len(rep.Rows) != 2*len(names) || len(rep.Ratios) != 2*(len(names)-1) {
		t.Fatalf("%d rows and %d ratios, want %d and %d", len(rep.Rows), len(rep.Ratios), 2*len(names), 2*(len(names)-1))
	}
	flops := 2 * (2*3*16 + 2*16*2 + 2*2*16 + 2*16*1) // base 3→16→2, energy 2→16→1, forward and back
	if rep.FLOPs != flops || rep.Steps != 3 || rep.Rounds != 2 || rep.Workers != 2 {
		t.Fatalf("report %+v: want %d FLOP per chain-step", rep, flops)
	}
	for i, row := range rep.Rows {
		if want := names[i%len(names)]; row.Name != want || row.N != []int{10, 300}[i/len(names)] {
			t.Fatalf("row %d: %q at n = %d, want %q", i, row.Name, row.N, want)
		}
		if len(row.ChainSteps) != 2 || !(slices.Min(row.ChainSteps) > 0) ||
			row.Median < slices.Min(row.ChainSteps) || row.Median > slices.Max(row.ChainSteps) {
			t.Fatalf("row %d: speeds %v, median %v", i, row.ChainSteps, row.Median)
		}
		if math.Abs(row.GFLOPs-row.Median*float64(flops)/1e9) > 1e-9*row.GFLOPs {
			t.Fatalf("row %d: %v GFLOP/s at %v chain-steps/s", i, row.GFLOPs, row.Median)
		}
	}
	for _, q := range rep.Ratios {
		if !(q.Min > 0 && q.Min <= q.Median && q.Median <= q.Max) {
			t.Fatalf("ratio %+v", q)
		}
	}
	code, out, errOut = gebm(t, args...)
	if code != 0 {
		t.Fatalf("code %d: %s", code, errOut)
	}
	for _, s := range append(names, "chain-steps/s", "GFLOP/s", "load average") {
		if !strings.Contains(out, s) {
			t.Errorf("the table does not mention %q:\n%s", s, out)
		}
	}
	// Without --model: the bundled MNIST model, 4,326,400 FLOP per
	// chain-step (docs/WASM-BENCH.md).
	code, out, errOut = gebm(t, "bench", "sample", "--n", "1", "--steps", "1", "--rounds", "1", "--json", "--quiet")
	if code != 0 {
		t.Fatalf("bundled model: code %d: %s", code, errOut)
	}
	rep = benchSampleReport{}
	if err := json.Unmarshal([]byte(out), &rep); err != nil || rep.FLOPs != 4326400 || !strings.Contains(rep.Model, "mnist") {
		t.Fatalf("bundled model: %v, %d FLOP per chain-step, model %q", err, rep.FLOPs, rep.Model)
	}
}

// TestBenchSampleRefuses: bad flags are errors that say what is allowed.
func TestBenchSampleRefuses(t *testing.T) {
	m := writeModel(t, t.TempDir(), "m.gebm", 2, nil)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--n", "0"}, "1..2000"},
		{[]string{"--n", "2001"}, "1..2000"},
		{[]string{"--n", ","}, "no numbers"},
		{[]string{"--sampler", "hmc"}, "ula or mala"},
		{[]string{"--steps", "0"}, "--steps"},
		{[]string{"--rounds", "0"}, "--rounds"},
		{[]string{"--workers", "0"}, "--workers"},
		{[]string{"--beta", "-1"}, "--beta"},
		{[]string{"--step-size", "0"}, "--step-size"},
		{[]string{"--model", m + ".missing"}, "reading the model"},
	} {
		args := append([]string{"bench", "sample", "--model", m, "--quiet"}, c.args...)
		if code, _, errOut := gebm(t, args...); code != 1 || !strings.Contains(errOut, c.want) {
			t.Errorf("%v: code %d, %q (want %q)", c.args, code, errOut, c.want)
		}
	}
}
