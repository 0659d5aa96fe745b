package train

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/gebm/gebm/shared/ckpt"
)

// runFiles are the files a run writes in its folder.
var runFiles = []string{CheckpointFile, ModelFile, LogFile, CurvesFile, SamplesFile}

// checkFolder refuses to start a run that would lose earlier work: a folder
// that holds any of a run's files needs Resume (continue the run from its
// checkpoint, which checkFolder returns) or Force (start over). Files of
// other names are never touched.
func checkFolder(o *Options) (*ckpt.File, error) {
	if o.Resume && o.Force {
		return nil, fmt.Errorf("--resume and --force contradict each other: --resume continues the run in %s, "+
			"--force deletes its files and starts a new one", o.Out)
	}
	var found []string
	for _, name := range runFiles {
		if _, err := os.Lstat(filepath.Join(o.Out, name)); err == nil {
			found = append(found, name)
		}
	}
	path := filepath.Join(o.Out, CheckpointFile)
	if o.Resume {
		f, err := readCheckpoint(path)
		switch {
		case errors.Is(err, fs.ErrNotExist) && len(found) > 0:
			return nil, fmt.Errorf("--resume: %s holds %s but no %s to continue from (a run writes one every "+
				"--checkpoint-every base steps and when interrupted); --force instead of --resume starts a new run there",
				o.Out, strings.Join(found, ", "), CheckpointFile)
		case errors.Is(err, fs.ErrNotExist):
			return nil, fmt.Errorf("--resume: %s holds no run to continue (no %s); leave out --resume to start one",
				o.Out, CheckpointFile)
		case err != nil:
			return nil, fmt.Errorf("--resume: %w", err)
		}
		return f, nil
	}
	if len(found) == 0 || o.Force {
		return nil, nil
	}
	what := "the files of a training run (" + strings.Join(found, ", ") + ")"
	if f, err := readCheckpoint(path); err == nil {
		what = fmt.Sprintf("a training run at base step %d (%s)", f.Training.Steps, strings.Join(found, ", "))
		if t, ok := f.Training.Options["target_steps"]; ok {
			what = fmt.Sprintf("a training run at base step %d of %s (%s)", f.Training.Steps, t, strings.Join(found, ", "))
		}
		return nil, fmt.Errorf("%s already holds %s: continue it with --resume, or start over with --force, "+
			"which deletes those files", o.Out, what)
	}
	return nil, fmt.Errorf("%s already holds %s: start over with --force, which deletes them, or choose another --out",
		o.Out, what)
}

// readCheckpoint reads and decodes a checkpoint, with errors that name it.
func readCheckpoint(path string) (*ckpt.File, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	f, err := ckpt.Decode(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if f.Resume == nil {
		return nil, fmt.Errorf("%s holds no optimiser state: it is a model file, not a checkpoint", path)
	}
	return f, nil
}

// clearFolder removes a run's files from dir, and the temporary files that
// a write killed half-way (WriteFileAtomic) may have left.
func clearFolder(dir string) error {
	for _, name := range runFiles {
		if err := os.Remove(filepath.Join(dir, name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		tmps, _ := filepath.Glob(filepath.Join(dir, "."+name+".tmp*"))
		for _, tmp := range tmps {
			os.Remove(tmp)
		}
	}
	return nil
}

// ResumeOptions returns the options that continue the run in o.Out (o.Resume
// must be set): those o gives on the command line, which given reports by
// flag name, must agree with the run's, except the planned steps, the log
// and checkpoint intervals and the device, which may change; every other
// option takes the value recorded in the run's checkpoint. The error names
// each contradicting flag with both values.
func ResumeOptions(o Options, given func(flag string) bool) (Options, error) {
	if !o.Resume {
		return o, errors.New("train: ResumeOptions needs Options.Resume")
	}
	if o.Out == "" {
		return o, errors.New("--out: required (the folder of the run to continue)")
	}
	f, err := checkFolder(&o)
	if err != nil {
		return o, err
	}
	if err := reconcile(&o, f, filepath.Join(o.Out, CheckpointFile), given); err != nil {
		return o, err
	}
	return o, nil
}
