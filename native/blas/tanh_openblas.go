//go:build cgo && !noopenblas

package blas

/*
#cgo CFLAGS: -O2
#include <stddef.h>
// No fused multiply-adds (cgo refuses -ffp-contract=off as a flag): Go
// rounds each product and sum.
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#elif defined(__GNUC__)
#pragma GCC optimize ("fp-contract=off")
#endif

// gebm_tanh1 is nn.Tanh32 on one value: the same float64 operations in the
// same order (c: clamp, P1..P6, Q1..Q3).
static inline float gebm_tanh1(float x, const double *c) {
	double z = x;
	if (z > c[0]) {
		z = c[0];
	} else if (z < -c[0]) {
		z = -c[0];
	}
	double t = z * z;
	double p = t * c[6] + c[5];
	p = t * p + c[4];
	p = t * p + c[3];
	p = t * p + c[2];
	p = t * p + c[1];
	p = t * p + 1;
	double q = t * c[9] + c[8];
	q = t * q + c[7];
	q = t * q + 1;
	return (float)((z * p) / q);
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
// gebm_tanh_avx: four values an instruction in float64. min(c, z) and then
// max(-c, ·) keep a NaN z (x86's min and max return the second operand
// when either is NaN) and clamp like Tanh32's comparisons; the rest is
// gebm_tanh1's operations lane by lane, rounded to float32 to nearest even
// as Go's conversion is. AVX only, not FMA: no contraction is possible.
__attribute__((target("avx")))
static void gebm_tanh_avx(float *y, const float *x, size_t n, const double *c) {
	const __m256d clamp = _mm256_set1_pd(c[0]), nclamp = _mm256_set1_pd(-c[0]), one = _mm256_set1_pd(1);
	const __m256d p1 = _mm256_set1_pd(c[1]), p2 = _mm256_set1_pd(c[2]), p3 = _mm256_set1_pd(c[3]),
		p4 = _mm256_set1_pd(c[4]), p5 = _mm256_set1_pd(c[5]), p6 = _mm256_set1_pd(c[6]),
		q1 = _mm256_set1_pd(c[7]), q2 = _mm256_set1_pd(c[8]), q3 = _mm256_set1_pd(c[9]);
	size_t i = 0;
#define GEBM_TANH4(z, out)                                              \
	do {                                                               \
		z = _mm256_max_pd(nclamp, _mm256_min_pd(clamp, z));        \
		__m256d t = _mm256_mul_pd(z, z);                           \
		__m256d p = _mm256_add_pd(_mm256_mul_pd(t, p6), p5);       \
		p = _mm256_add_pd(_mm256_mul_pd(t, p), p4);                \
		p = _mm256_add_pd(_mm256_mul_pd(t, p), p3);                \
		p = _mm256_add_pd(_mm256_mul_pd(t, p), p2);                \
		p = _mm256_add_pd(_mm256_mul_pd(t, p), p1);                \
		p = _mm256_add_pd(_mm256_mul_pd(t, p), one);               \
		__m256d q = _mm256_add_pd(_mm256_mul_pd(t, q3), q2);       \
		q = _mm256_add_pd(_mm256_mul_pd(t, q), q1);                \
		q = _mm256_add_pd(_mm256_mul_pd(t, q), one);               \
		out = _mm256_cvtpd_ps(_mm256_div_pd(_mm256_mul_pd(z, p), q)); \
	} while (0)
	// Two blocks of four a round: their chains of dependent operations
	// interleave.
	for (; i + 8 <= n; i += 8) {
		__m256d za = _mm256_cvtps_pd(_mm_loadu_ps(x + i)), zb = _mm256_cvtps_pd(_mm_loadu_ps(x + i + 4));
		__m128 ya, yb;
		GEBM_TANH4(za, ya);
		GEBM_TANH4(zb, yb);
		_mm_storeu_ps(y + i, ya);
		_mm_storeu_ps(y + i + 4, yb);
	}
	for (; i + 4 <= n; i += 4) {
		__m256d z = _mm256_cvtps_pd(_mm_loadu_ps(x + i));
		__m128 o;
		GEBM_TANH4(z, o);
		_mm_storeu_ps(y + i, o);
	}
#undef GEBM_TANH4
	for (; i < n; i++) {
		y[i] = gebm_tanh1(x[i], c);
	}
}
#define GEBM_HAVE_AVX 1
#endif

static void gebm_tanh(float *y, const float *x, size_t n, const double *c) {
#if defined(GEBM_HAVE_AVX)
	if (__builtin_cpu_supports("avx")) {
		gebm_tanh_avx(y, x, n, c);
		return;
	}
#endif
	for (size_t i = 0; i < n; i++) {
		y[i] = gebm_tanh1(x[i], c);
	}
}
*/
import "C"

import (
	"unsafe"

	"github.com/gebm/gebm/shared/nn"
)

// tanhCoef is nn.Tanh32's clamp and coefficients, as gebm_tanh reads them.
var tanhCoef = nn.TanhCoefficients()

// FastestTanh is nn.TanhSlice in C, four values an AVX instruction in
// float64 where the processor has AVX (scalar C otherwise), bit for bit
// nn.Tanh32 (TestTanhMatchesGo): Go's loop computes one value at a time,
// waiting on a chain of nine multiplications and a division.
func FastestTanh() nn.TanhKernel { return tanhC }

func tanhC(y, x []float32) {
	n := len(x)
	if n == 0 {
		return
	}
	_ = y[n-1]
	C.gebm_tanh((*C.float)(unsafe.Pointer(&y[0])), (*C.float)(unsafe.Pointer(&x[0])), C.size_t(n),
		(*C.double)(unsafe.Pointer(&tanhCoef[0])))
}
