// Package toy holds the 2-D toy distributions of the GAN and
// energy-based-model literature (8gaussians, 25gaussians, swissroll,
// 2spirals, rings, moons, checkerboard, circle), their registry by name and,
// where they have one, their closed-form densities.
//
// It is package data's toy half (data re-exports every name), split off so
// that what needs only the toy sets, the browser's sampler drawing a flow's
// targets, links only fmt, math, math/rand/v2 and strings: data's file
// readers bring in compress/gzip, encoding/csv and os, which cost that
// module about 11 KB gzipped (docs/WASM-BENCH.md).
package toy
