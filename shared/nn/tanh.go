package nn

// Tanh32 returns tanh(x) for a float32 x, as the odd rational function
//
//	tanh(x) ≈ x·P(x²)/Q(x²),  P of degree 6 and Q of degree 3 in x², P(0) = Q(0) = 1,
//
// evaluated in float64 and rounded to float32, with x first clamped to
// [-9.5, 9.5] (beyond 9.02 tanh rounds to ±1 in float32). The coefficients
// are a near-minimax fit of the relative error on (0, 9.5]
// (scripts/tanh-fit.py 6 3 9.5): within 1.6e-8 of tanh at the fit's points,
// a third of float32's half-ulp or less, so the float32 result is within
// one unit in the last place of the correctly rounded float32(tanh x).
// Measured against math.Tanh over every float32 in [0, 10]
// (TestTanh32 with GEBM_TANH_EXHAUSTIVE=1, 1.09 billion inputs): absolute error at most
// 4.6e-8, relative error at most 7.1e-8, at most 1 ulp from
// float32(math.Tanh(float64(x))) and equal to it for 99.5% of inputs —
// float32 rounding noise, far below what training and sampling add.
//
// Properties that hold exactly (the tests check them): Tanh32(-x) =
// -Tanh32(x), signed zeros included; |Tanh32(x)| ≤ 1; Tanh32 never
// decreases from one float32 to the next; Tanh32(x) = x for |x| < 2⁻²⁶ (P
// and Q round to 1 there); Tanh32(±Inf) = ±1; NaN gives NaN.
//
// Why float64 inside: the same rational function in float32 arithmetic is
// off by up to 5 ulp, exceeds 1 near x = 8.3 and decreases from one input
// to the next tens of thousands of times on every 61st float32 in [0, 10]
// (TestTanh32's grid); Go does not vectorise, so
// a float64 operation costs what a float32 one does, natively and in
// WebAssembly. Every product is rounded before its sum (the explicit
// conversions forbid fused multiply-adds), so the result has the same bits
// on every platform — amd64, arm64 and WebAssembly alike — where
// float32(math.Tanh(float64(x))) went through math.Exp, which is assembly on
// amd64 and pure Go in WebAssembly. On inputs like the trained MNIST
// generator's it is about 5 times as fast as that expression, natively and
// in Node; on small inputs (|x| < 0.625, math.Tanh's polynomial) 1.4-2.6
// times (BenchmarkTanh).
func Tanh32(x float32) float32 {
	z := float64(x)
	// NaN fails both comparisons and passes through.
	if z > tanhClamp {
		z = tanhClamp
	} else if z < -tanhClamp {
		z = -tanhClamp
	}
	t := z * z
	p := float64(t*tanhP6) + tanhP5
	p = float64(t*p) + tanhP4
	p = float64(t*p) + tanhP3
	p = float64(t*p) + tanhP2
	p = float64(t*p) + tanhP1
	p = float64(t*p) + 1
	q := float64(t*tanhQ3) + tanhQ2
	q = float64(t*q) + tanhQ1
	q = float64(t*q) + 1
	return float32(float64(z*p) / q)
}

// The clamp and the coefficients of Tanh32: P(t) = 1 + P1 t + … + P6 t⁶,
// Q(t) = 1 + Q1 t + Q2 t² + Q3 t³.
const (
	tanhClamp = 9.5

	tanhP1 = 0.13066178371004658
	tanhP2 = 0.0030839685712906245
	tanhP3 = 1.0943284871134501e-05
	tanhP4 = -1.9358320069268948e-08
	tanhP5 = 4.856127809225329e-11
	tanhP6 = -7.400066372337153e-14

	tanhQ1 = 0.4639950490532102
	tanhQ2 = 0.024415773315100843
	tanhQ3 = 0.00025169230137396027
)

// TanhSlice sets y[i] = Tanh32(x[i]) for every i of x (y may be x): the
// definition that a native kernel (SetTanhKernel) reproduces bit for bit.
func TanhSlice(y, x []float32) {
	y = y[:len(x)]
	for i, v := range x {
		y[i] = Tanh32(v)
	}
}

// TanhKernel sets y[i] = Tanh32(x[i]) for every i of x, with TanhSlice's
// bits; y may be x.
type TanhKernel func(y, x []float32)

// tanhKernel is the kernel the tanh activation runs; see SetTanhKernel.
var tanhKernel TanhKernel = TanhSlice

// SetTanhKernel replaces the kernel of every tanh activation (the forward
// pass and the fused epilogue's Go path) by k, which must give TanhSlice's
// bits (native entry points pass native/blas's vectorised one:
// blas.UseFastest); nil restores TanhSlice. Not meant to be called while a
// network runs.
func SetTanhKernel(k TanhKernel) {
	if k == nil {
		k = TanhSlice
	}
	tanhKernel = k
}
