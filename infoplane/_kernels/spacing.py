"""Order-statistic kernels for 1-D entropy: k-NN radii and m-spacings on sorted data."""

import numpy as np

from ._jit import njit, prange

__all__ = ["_knn_radii_sorted", "_ebrahimi_log_terms", "PARALLEL_MIN"]

#: Below this many points the serial variants are faster: starting the thread pool costs
#: milliseconds on a busy machine (measured 16 ms median for n = 1000 under load).
PARALLEL_MIN = 100_000


def _knn_radii_sorted_py(xs, k, n_chunks):
    """Distance from each point of the sorted array `xs` to its `k`-th nearest neighbour.

    On sorted data the k nearest neighbours of ``xs[i]`` fill a window ``xs[j..j+k]``
    that contains i, so ``r_i = min_j max(xs[i] - xs[j], xs[j+k] - xs[i])`` over
    ``max(0, i-k) <= j <= min(i, n-1-k)``. The first term falls and the second rises
    with j, so the best j is found by walking right, and it never moves left as i grows:
    one pass, O(n) in total. `n_chunks` independent runs (one per prange step) restart
    the walk at their first point. Requires ``1 <= k < len(xs)``.
    """
    n = xs.shape[0]
    out = np.empty(n)
    size = (n + n_chunks - 1) // n_chunks
    for c in prange(n_chunks):
        i0 = c * size
        i1 = min(n, i0 + size)
        j = max(0, i0 - k)
        for i in range(i0, i1):
            xi = xs[i]
            if j < i - k:
                j = i - k
            jmax = min(i, n - 1 - k)
            r = max(xi - xs[j], xs[j + k] - xi)
            while j < jmax:
                r2 = max(xi - xs[j + 1], xs[j + 1 + k] - xi)
                if r2 > r:
                    break
                r = r2
                j += 1
            out[i] = r
    return out


def _ebrahimi_log_terms_py(xs, m):
    """Per-sample terms ``log(n (x_(i+m) - x_(i-m)) / (c_i m))`` of Ebrahimi's estimator.

    Order statistics beyond the ends are clamped to the extremes; ``c_i`` is Ebrahimi,
    Pflughoeft & Soofi's (1994) boundary weight. The mean of the terms is the estimate.
    Returns -inf where a spacing is zero (ties); the caller checks.
    """
    n = xs.shape[0]
    out = np.empty(n)
    for i in prange(n):
        up = i + m
        if up > n - 1:
            up = n - 1
        dn = i - m
        if dn < 0:
            dn = 0
        j = i + 1  # 1-based index as in the paper
        if j <= m:
            c = 1.0 + (j - 1.0) / m
        elif j >= n - m + 1:
            c = 1.0 + (n - j) / m
        else:
            c = 2.0
        out[i] = np.log(n * (xs[up] - xs[dn]) / (c * m))
    return out


_knn_radii_sorted_par = njit(parallel=True)(_knn_radii_sorted_py)
_knn_radii_sorted_ser = njit(_knn_radii_sorted_py)
_ebrahimi_log_terms_par = njit(parallel=True)(_ebrahimi_log_terms_py)
_ebrahimi_log_terms_ser = njit(_ebrahimi_log_terms_py)


def _knn_radii_sorted(xs, k):
    """k-th nearest-neighbour distances on sorted data (parallel for large inputs)."""
    if xs.shape[0] >= PARALLEL_MIN:
        return _knn_radii_sorted_par(xs, k, 64)
    return _knn_radii_sorted_ser(xs, k, 1)


def _ebrahimi_log_terms(xs, m):
    """Per-sample Ebrahimi terms (parallel for large inputs)."""
    f = _ebrahimi_log_terms_par if xs.shape[0] >= PARALLEL_MIN else _ebrahimi_log_terms_ser
    return f(xs, m)
