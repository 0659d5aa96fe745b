package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/gebm/gebm/native/classifier"
	"github.com/gebm/gebm/native/train"
	"github.com/gebm/gebm/shared/data"
	"github.com/gebm/gebm/www"
)

func init() {
	commands["train-classifier"] = command{"train the MNIST classifier whose features FID and KID use", runTrainClassifier}
}

func runTrainClassifier(args []string, stdout, stderr io.Writer) error {
	o := classifier.DefaultOptions()
	fs := newFlags("train-classifier", stderr)
	out := fs.String("out", "", "output file (required; gebm eval uses it with --classifier, or, written to "+
		www.MNISTClassifierFile+" before building gebm, as its bundled classifier)")
	force := fs.Bool("force", false, "replace --out if it exists")
	dir := fs.String("mnist-dir", "", "directory of the MNIST .gz files (default: found in the Go module cache)")
	fs.Var(intList{&o.Hidden}, "hidden", "hidden widths; the last hidden layer is the feature layer of FID/KID")
	fs.IntVar(&o.Epochs, "epochs", o.Epochs, "passes over the 60000 training images")
	fs.IntVar(&o.Batch, "batch", o.Batch, "batch size")
	fs.Float64Var(&o.LR, "lr", o.LR, "Adam's initial learning rate (cosine decay to 0)")
	fs.IntVar(&o.Shift, "shift", o.Shift, "random translation of training images by up to this many pixels (0: none)")
	fs.Uint64Var(&o.Seed, "seed", o.Seed, "random seed")
	trainRows := fs.Int("train-rows", 0, "train on the first N training images only (0: all 60000; for smoke tests)")
	minAcc := fs.Float64("min-accuracy", 0.98, "fail (and write nothing) below this test accuracy")
	quiet := fs.Bool("quiet", false, "no progress output")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := o.Validate(); err != nil {
		return err
	}
	if *trainRows < 0 {
		return fmt.Errorf("--train-rows %d must be >= 0", *trainRows)
	}
	if *out == "" {
		return fmt.Errorf("--out is required (the bundled classifier is %s; replacing it needs --force and a rebuild of gebm)", www.MNISTClassifierFile)
	}
	if _, err := os.Lstat(*out); err == nil && !*force {
		return fmt.Errorf("--out %s exists: --force replaces it", *out)
	}
	trainSet, testSet, err := data.Load(data.Spec{Kind: data.SpecMNIST, Name: "mnist"}, data.LoadOptions{MNISTDir: *dir})
	if err != nil {
		return err
	}
	if *trainRows > 0 && *trainRows < trainSet.Rows() {
		idx := make([]int, *trainRows)
		for i := range idx {
			idx[i] = i
		}
		trainSet = trainSet.Subset(trainSet.Name, idx)
	}
	fmt.Fprintf(stderr, "training a %d→%v→%d classifier on %d MNIST images for %d epochs\n",
		trainSet.Dim, o.Hidden, trainSet.Classes, trainSet.Rows(), o.Epochs)
	show := bar(stderr, 1, "step", *quiet)
	o.Progress = func(step, steps int, loss float64) {
		if step == 1 {
			show = bar(stderr, steps, "step", *quiet)
		}
		show(step, fmt.Sprintf("loss %.4f", loss))
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	start := time.Now()
	c, err := classifier.Train(ctx, trainSet, testSet, o)
	if err != nil {
		return err
	}
	c.Info.Data = "mnist"
	fmt.Fprintf(stdout, "test accuracy %.2f%% after %d epochs in %s\n", 100*c.Info.TestAccuracy, o.Epochs, time.Since(start).Round(time.Second))
	if c.Info.TestAccuracy < *minAcc {
		return fmt.Errorf("test accuracy %.4f is below --min-accuracy %.4f; not writing %s", c.Info.TestAccuracy, *minAcc, *out)
	}
	b, err := c.Encode()
	if err != nil {
		return err
	}
	if err := train.WriteFileAtomic(*out, b); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s (%d bytes)\n", *out, len(b))
	return nil
}
