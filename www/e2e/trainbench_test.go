package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// The run BenchmarkPageTrain times: the page's Train mode defaults for
// 8gaussians (gebm train's 2-D defaults, 1500 base steps, 470 final
// energy-only steps) and the same options on gebm train's command line.
const (
	benchSteps = 1500
	benchFinal = 470
)

// BenchmarkPageTrain trains the page's default 8gaussians run (the bundled
// model's size, 1500 base steps and 470 final ones) in headless Chromium's
// Train mode (one worker, the SIMD128 kernel) and then with native `gebm
// train` (GEBM_BIN, default bin/gebm: `make build` first; OpenBLAS on one
// thread) with the same options, and reports both wall times (the page's
// own clock from Train to the last step; the process's, files and plots
// included), their steps/s (base and final steps per second) and the ratio
// page/native. One pair per b.N:
//
//	go test -run='^$' -bench=PageTrain -benchtime=1x ./www/e2e/
//
// A benchmark, not a test: timings on a loaded machine are noise, the ratio
// within one run is what to compare.
func BenchmarkPageTrain(b *testing.B) {
	bin := os.Getenv("GEBM_BIN")
	if bin == "" {
		bin = filepath.Join("..", "..", "bin", "gebm")
	}
	if _, err := os.Stat(bin); err != nil {
		b.Fatalf("native gebm: %v (make build, or set GEBM_BIN)", err)
	}
	p := openPageFor(b, viewport{}, time.Duration(b.N+1)*10*time.Minute)
	p.enterTrainMode()
	if st := p.train(); st.Source != "8gaussians" {
		b.Fatalf("Train mode starts on %q, want 8gaussians", st.Source)
	}
	var pageS, trainerS, nativeS float64
	for i := range b.N {
		if i > 0 {
			p.click("train-new")
			p.waitFor(`!window.gebmDemo.train.started`, time.Minute)
		}
		p.click("train-run")
		p.waitFor(`window.gebmDemo.train.finished || window.gebmDemo.train.error`, 10*time.Minute)
		st := p.train()
		if st.Error != nil || st.Step != benchSteps || st.FinalStep != benchFinal {
			b.Fatalf("the page's run: %+v", st)
		}
		out := b.TempDir()
		cmd := exec.Command(bin, "train", "--data", "8gaussians", "--steps", fmt.Sprint(benchSteps),
			"--final-energy-steps", fmt.Sprint(benchFinal), "--seed", "1", "--out", out, "--checkpoint-every", "0", "--quiet")
		cmd.Env = append(os.Environ(), "OPENBLAS_NUM_THREADS=1")
		start := time.Now()
		if msg, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("gebm train: %v\n%s", err, msg)
		}
		native := time.Since(start).Seconds()
		pageS, trainerS, nativeS = pageS+st.WallSeconds, trainerS+st.Seconds, nativeS+native
		b.Logf("run %d: page %.1f s (%.1f s in trainSteps, %d frames in %.1f s), native gebm train %.1f s: page/native %.2f (%s, load average %s)",
			i+1, st.WallSeconds, st.Seconds, st.Frames, st.FrameSeconds, native, st.WallSeconds/native, time.Now().UTC().Format("2006-01-02 15:04 UTC"), loadAverage())
	}
	n := float64(b.N)
	steps := float64(benchSteps + benchFinal)
	b.ReportMetric(pageS/n, "page-s")
	b.ReportMetric(trainerS/n, "page-trainer-s")
	b.ReportMetric(nativeS/n, "native-s")
	b.ReportMetric(steps*n/pageS, "page-steps/s")
	b.ReportMetric(steps*n/nativeS, "native-steps/s")
	b.ReportMetric(pageS/nativeS, "page/native")
	p.noConsoleErrors()
}
