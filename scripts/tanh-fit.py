#!/usr/bin/env python3
"""The coefficients of shared/nn.Tanh32: a near-minimax fit of the relative
error of tanh(x) ≈ x·P(x²)/Q(x²), P(0) = Q(0) = 1, on (0, c].

    python3 scripts/tanh-fit.py 6 3 9.5     # deg P, deg Q (in x²), c; ~1 min

Lawson-weighted linearised least squares in 40-digit arithmetic: each
iteration solves min Σ wᵢ ((xᵢ P(tᵢ) − fᵢ Q(tᵢ)) / (fᵢ Q_prev(tᵢ)))² over the
coefficients (t = x², f = tanh x, Q_prev the last iteration's denominator),
then multiplies each weight by its point's error; the iterate with the
smallest maximum error over the 700 Chebyshev points is printed, with that
error and the coefficients as float64 (what Tanh32 uses). Needs mpmath
(Debian: python3-mpmath).
"""
import sys
from mpmath import mp, mpf, tanh, cos, pi, matrix, lu_solve, fabs

mp.dps = 40
m, n, c = int(sys.argv[1]), int(sys.argv[2]), mpf(sys.argv[3])
N = 700
xs = [c * (1 - cos(pi * (i + 0.5) / N)) / 2 for i in range(N)]
xs = [x for x in xs if x > mpf("1e-6")]
fs = [tanh(x) for x in xs]
w = [mpf(1)] * len(xs)
qprev = [mpf(1)] * len(xs)
best = None
for it in range(40):
    k = m + n
    A = matrix(k, k)
    b = matrix(k, 1)
    for x, f, wi, qp in zip(xs, fs, w, qprev):
        t = x * x
        s = wi / (f * qp)
        row = [x * t**j * s for j in range(1, m + 1)] + [-f * t**j * s for j in range(1, n + 1)]
        rhs = (f - x) * s
        for a in range(k):
            b[a] += row[a] * rhs
            for bb in range(k):
                A[a, bb] += row[a] * row[bb]
    sol = lu_solve(A, b)
    p = [mpf(1)] + [sol[j] for j in range(m)]
    q = [mpf(1)] + [sol[m + j] for j in range(n)]
    errs = []
    for i, (x, f) in enumerate(zip(xs, fs)):
        t = x * x
        P = sum(p[j] * t**j for j in range(m + 1))
        Q = sum(q[j] * t**j for j in range(n + 1))
        qprev[i] = Q
        errs.append(x * P / Q / f - 1)
    e = max(fabs(v) for v in errs)
    if best is None or e < best[0]:
        best = (e, p, q)
    tot = sum(wi * fabs(ev) for wi, ev in zip(w, errs))
    w = [wi * fabs(ev) / tot for wi, ev in zip(w, errs)]
e, p, q = best
print("deg P %d, deg Q %d (in x²), c = %s: max relative error %s" % (m, n, c, mp.nstr(e, 4)))
print("P:", ", ".join(repr(float(v)) for v in p))
print("Q:", ", ".join(repr(float(v)) for v in q))
