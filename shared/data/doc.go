// Package data holds the training data of gebm: the 2-D toy distributions of
// the GAN and energy-based-model literature, the MNIST reader, readers and
// writers for user data in .npy and .csv form, and the Dataset type with its
// train/test split and allocation-free minibatch drawer.
//
// Everything here is pure Go and builds for linux/amd64, js/wasm and
// wasip1/wasm. Readers take an io.Reader plus a name used in error messages;
// the path-based wrappers (ReadFile, LoadMNIST, ...) open files with package os,
// which compiles everywhere but finds no files in a browser. Only FindMNISTDir,
// which runs the go command, is native-only (a stub elsewhere).
//
// Errors that a user can cause (bad files, bad specs) are returned, never
// panicked; wrong buffer sizes passed by a caller are programming errors and
// panic, as in gonum.
package data
