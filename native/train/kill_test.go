package train

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/gebm/gebm/native/blas"
	"github.com/gebm/gebm/shared/ckpt"
)

// TestMain runs every test with the matrix product bin/gebm uses
// (blas.Fastest) and lets the test binary act as a training process for
// TestKillNeverCorrupts.
func TestMain(m *testing.M) {
	blas.UseFastest()
	if dir := os.Getenv("GEBM_TRAIN_CHILD"); dir != "" {
		o := Defaults("8gaussians")
		o.Out = dir
		o.Steps = 1000000
		o.BaseHidden, o.EnergyHidden = []int{64, 64}, []int{64, 64}
		o.CheckpointEvery, o.LogEvery = 1, 1
		o.Resume = os.Getenv("GEBM_TRAIN_RESUME") == "1"
		o.Force = !o.Resume // a killed round may leave a log but no checkpoint
		tr, err := New(o)
		if err != nil {
			os.Stderr.WriteString(err.Error())
			os.Exit(3)
		}
		tr.Run(context.Background())
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// TestKillNeverCorrupts starts training processes that write a checkpoint
// after every base step and kills them with SIGKILL at random moments: the
// checkpoint (and model, when present) must always decode, and training
// must resume from it.
func TestKillNeverCorrupts(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and kills processes for several seconds")
	}
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(1, 1))
	written := 0
	for round := range 12 {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), "GEBM_TRAIN_CHILD="+dir)
		if round > 0 {
			if _, err := os.Stat(filepath.Join(dir, CheckpointFile)); err == nil {
				cmd.Env = append(cmd.Env, "GEBM_TRAIN_RESUME=1")
			}
		}
		started := time.Now()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Kill while training runs, not while the process starts: on a
		// loaded machine start-up alone can outlast any fixed delay.
		if err := waitForCheckpoint(filepath.Join(dir, CheckpointFile), started, 2*time.Minute); err != nil {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("round %d: %v", round, err)
		}
		time.Sleep(time.Duration(rng.IntN(1300)) * time.Millisecond)
		cmd.Process.Kill()
		cmd.Wait()
		for _, name := range []string{CheckpointFile, ModelFile} {
			b, err := os.ReadFile(filepath.Join(dir, name))
			if os.IsNotExist(err) {
				continue
			}
			if err != nil {
				t.Fatal(err)
			}
			f, err := ckpt.Decode(b)
			if err != nil {
				t.Fatalf("round %d: %s corrupt after SIGKILL: %v", round, name, err)
			}
			if name == CheckpointFile {
				written = f.Training.Steps
			}
		}
	}
	if written == 0 {
		t.Fatal("no checkpoint was ever written: the test did not exercise anything")
	}
	t.Logf("last checkpoint at base step %d after 12 kills", written)
	// No temporary files pile up beyond the one a killed write may leave.
	tmps, _ := filepath.Glob(filepath.Join(dir, ".*.tmp*"))
	if len(tmps) > 12 {
		t.Fatalf("%d temporary files left", len(tmps))
	}
}

// waitForCheckpoint polls until the checkpoint at path has been written
// since started (a training process has begun its steps), or fails after
// limit.
func waitForCheckpoint(path string, started time.Time, limit time.Duration) error {
	for deadline := time.Now().Add(limit); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if fi, err := os.Stat(path); err == nil && !fi.ModTime().Before(started) {
			return nil
		}
	}
	return fmt.Errorf("no checkpoint written within %v of starting the training process", limit)
}
