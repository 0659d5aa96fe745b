//go:build cgo && !noopenblas

package blas

/*
#cgo CFLAGS: -O2
#cgo LDFLAGS: -lm
#include <stddef.h>
// No fused multiply-adds (cgo refuses -ffp-contract=off as a flag): Go
// rounds each product and sum.
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#elif defined(__GNUC__)
#pragma GCC optimize ("fp-contract=off")
#endif
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

typedef struct { float b1, omb1, b2, omb2, step, inv, eps; } gebm_adam_coefs;

// gebm_adam is nn.AdamStep, four lanes at a time where SSE2 is (every
// x86-64): the same float32 operations in the same order, none fused,
// so the same bits.
static void gebm_adam(float *p, const float *g, float *m, float *v, size_t n, gebm_adam_coefs c) {
	size_t i = 0;
#if defined(__SSE2__)
	const __m128 b1 = _mm_set1_ps(c.b1), omb1 = _mm_set1_ps(c.omb1), b2 = _mm_set1_ps(c.b2),
		omb2 = _mm_set1_ps(c.omb2), step = _mm_set1_ps(c.step), inv = _mm_set1_ps(c.inv), eps = _mm_set1_ps(c.eps);
	for (; i + 4 <= n; i += 4) {
		__m128 gi = _mm_loadu_ps(g + i);
		__m128 mi = _mm_add_ps(_mm_mul_ps(b1, _mm_loadu_ps(m + i)), _mm_mul_ps(omb1, gi));
		__m128 vi = _mm_add_ps(_mm_mul_ps(b2, _mm_loadu_ps(v + i)), _mm_mul_ps(_mm_mul_ps(omb2, gi), gi));
		_mm_storeu_ps(m + i, mi);
		_mm_storeu_ps(v + i, vi);
		__m128 d = _mm_add_ps(_mm_mul_ps(_mm_sqrt_ps(vi), inv), eps);
		_mm_storeu_ps(p + i, _mm_sub_ps(_mm_loadu_ps(p + i), _mm_div_ps(_mm_mul_ps(step, mi), d)));
	}
#endif
	for (; i < n; i++) {
		float gi = g[i];
		float mi = c.b1 * m[i] + c.omb1 * gi;
		float vi = c.b2 * v[i] + (c.omb2 * gi) * gi;
		m[i] = mi;
		v[i] = vi;
		float d = __builtin_sqrtf(vi) * c.inv + c.eps;
		p[i] -= (c.step * mi) / d;
	}
}
*/
import "C"

import (
	"unsafe"

	"github.com/gebm/gebm/shared/nn"
)

// FastestAdam is Adam's update in C with SSE2 (four elements an
// instruction), bit for bit nn.AdamStep (TestAdamMatchesGo): Go's scalar
// loop waits on one square root and one division an element.
func FastestAdam() nn.AdamKernel { return adamC }

func adamC(value, grad, m, v []float32, c nn.AdamCoefs) {
	n := len(value)
	if n == 0 {
		return
	}
	_, _, _ = grad[n-1], m[n-1], v[n-1]
	C.gebm_adam((*C.float)(unsafe.Pointer(&value[0])), (*C.float)(unsafe.Pointer(&grad[0])),
		(*C.float)(unsafe.Pointer(&m[0])), (*C.float)(unsafe.Pointer(&v[0])), C.size_t(n),
		C.gebm_adam_coefs{b1: C.float(c.Beta1), omb1: C.float(c.OneMinusBeta1), b2: C.float(c.Beta2),
			omb2: C.float(c.OneMinusBeta2), step: C.float(c.StepSize), inv: C.float(c.InvSqrtBC2), eps: C.float(c.Eps)})
}
