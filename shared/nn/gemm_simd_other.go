//go:build wasm && !wasmsimd

package nn

const simdImported = false

var simdStats SIMDStats
