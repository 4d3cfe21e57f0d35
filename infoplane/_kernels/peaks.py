"""The resolution check's first pass: which runs of sorted samples could be a peak narrower
than the kernel (one loop instead of NumPy's temporaries over every run).

Kernels take clean float64 arrays; :func:`infoplane.estimators.fft_kde_fisher.
_unresolved_peak` builds them and tests the candidates exactly.
"""

import numpy as np

from ._jit import njit

__all__ = ["_dense_run_candidates", "_dense_run_candidates_hypot"]


@njit(fastmath=False)
def _interp(v, sub, rank, j):
    """``np.interp(v, sub, rank)`` for increasing `sub` (ties allowed; at ``v == sub[0]``
    with ``sub[0]`` tied this gives ``rank[0]``, np.interp the rank of the last tie: a
    count of the samples below that is still a lower bound), walking from the interval
    `j` of the previous call (the run centres increase, so the walk is short):
    ``(value, interval)``."""
    m = sub.shape[0]
    if not v > sub[0]:
        return rank[0], 0
    if not v < sub[m - 1]:
        return rank[m - 1], m - 2
    while sub[j] > v:                  # sub[j] <= v < sub[j + 1] at the end
        j -= 1
    while sub[j + 1] <= v:
        j += 1
    return rank[j] + (v - sub[j]) * (rank[j + 1] - rank[j]) / (sub[j + 1] - sub[j]), j


@njit(fastmath=False)
def _candidate(span, c, hw, k, sub, rank, b, ratio_min, jl, jh):
    """One run of span `span`, centre `c`, window ``± hw``: ``(whether it is a
    candidate, jl, jh)`` with the two interpolation pointers moved on."""
    if not (span < hw and np.isfinite(2.0 * hw)):
        return False, jl, jh
    up, jh = _interp(c + hw, sub, rank, jh)
    down, jl = _interp(c - hw, sub, rank, jl)
    return k * (2.0 * hw - span) >= ratio_min * span * (up - down - 2 * b - k - 1), jl, jh


@njit(fastmath=False)
def _dense_run_candidates(x, k, stride, mid, hw, step, sub, rank, b, ratio_min, out):
    """``out[i]``: whether run i (samples ``x[i*stride] .. x[i*stride + k]``, centre
    ``mid[i]``, window ``± hw[i]``) is narrower than its window and could hold a density
    `ratio_min` times that around it, counting the window's samples from the subsample
    `sub` (every b-th sample, ranks `rank`): at least ``rough - 2b`` of them.
    """
    jl = 0
    jh = 0
    for i in range(mid.shape[0]):
        s = i * stride
        out[i], jl, jh = _candidate(x[s + k] - x[s] + step, mid[i], hw[i], k, sub, rank, b,
                                    ratio_min, jl, jh)


@njit(fastmath=False)
def _dense_run_candidates_hypot(x, k, stride, step, sub, rank, b, ratio_min, h, scale,
                                center, limit, out):
    """:func:`_dense_run_candidates` with the window ``h·hypot(scale, mid - center)``
    (nan where ``|mid - center| > limit``) and the centres computed here: the run
    starts are ``0, stride, ...`` (``out.shape[0]`` of them)."""
    jl = 0
    jh = 0
    for i in range(out.shape[0]):
        s = i * stride
        lo = x[s]
        hi = x[s + k]
        c = 0.5 * (lo + hi)
        d = c - center
        if np.abs(d) > limit:
            out[i] = False
            continue
        hw = h * np.sqrt(scale * scale + d * d)     # hypot to within an ulp
        out[i], jl, jh = _candidate(hi - lo + step, c, hw, k, sub, rank, b, ratio_min,
                                    jl, jh)
