package www

import _ "embed" // the bundled classifier

// MNISTClassifierFile is where the repository keeps the classifier that
// gebm eval uses for FID and KID on MNIST (written by gebm
// train-classifier).
const MNISTClassifierFile = "www/models/mnist-classifier.clf"

// mnistClassifier is that file, embedded so that gebm eval finds it from
// any folder. It is not served by the demo page.
//
//go:embed models/mnist-classifier.clf
var mnistClassifier []byte

// MNISTClassifier returns the bundled classifier file's bytes (shared: do
// not modify).
func MNISTClassifier() []byte { return mnistClassifier }
