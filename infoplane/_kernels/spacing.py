"""Order-statistic kernels for 1-D entropy: k-NN radii and m-spacings on sorted data.

Each kernel is a serial worker over a range of points, called by a parallel driver
(``prange`` over chunks, independent outputs) and by a serial driver. Separate Python
functions on purpose: numba's on-disk cache keys by function, not by the ``parallel``
flag, so one function compiled twice would share a cache entry.

Compiled by the project preset (:mod:`._jit`: cached, ``nogil``, so a kernel runs
beside other threads).
"""

import numpy as np

from .._threads import parallel_allowed
from ._jit import njit, prange

__all__ = ["_knn_radii_sorted", "_knn_log_radii_sum", "_ebrahimi_log_terms", "PARALLEL_MIN"]

#: Below this many points the serial drivers are faster: starting the thread pool costs
#: milliseconds on a busy machine (measured 16 ms median for n = 1000 under load).
PARALLEL_MIN = 100_000
_N_CHUNKS = 64


@njit
def _kth_window(xs, k, i, j, n):
    """Distance from ``xs[i]`` (sorted `xs`) to its `k`-th nearest neighbour, and the
    start of the window that gives it (the search starts at `j`; see below)."""
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
    return r, j


@njit
def _knn_radii_range(xs, k, i0, i1, out):
    """Distance from ``xs[i]`` (sorted `xs`) to its `k`-th nearest neighbour, i0 <= i < i1.

    On sorted data the k nearest neighbours of ``xs[i]`` fill a window ``xs[j..j+k]``
    that contains i, so ``r_i = min_j max(xs[i] - xs[j], xs[j+k] - xs[i])`` over
    ``max(0, i-k) <= j <= min(i, n-1-k)``. The first term falls and the second rises
    with j, so the best j is found by walking right, and it never moves left as i grows:
    one pass, O(i1 - i0 + k). Requires ``1 <= k < len(xs)``.
    """
    n = xs.shape[0]
    j = max(0, i0 - k)
    for i in range(i0, i1):
        r, j = _kth_window(xs, k, i, j, n)
        out[i] = r


_LOG_BLOCK = 1024


@njit
def _knn_logsum_range(xs, k, i0, i1):
    """``Σ log r_i`` over i0 <= i < i1 (radii as in :func:`_knn_radii_range`, never
    stored) and the number of zero radii, which the sum leaves out.

    Partial sums over blocks of 1024 terms are added to the total, so the rounding
    error grows like (1024 + n/1024) ulps rather than n.
    """
    n = xs.shape[0]
    j = max(0, i0 - k)
    total = 0.0
    n_zero = 0
    for b0 in range(i0, i1, _LOG_BLOCK):
        part = 0.0
        for i in range(b0, min(b0 + _LOG_BLOCK, i1)):
            r, j = _kth_window(xs, k, i, j, n)
            if r > 0.0:
                part += np.log(r)
            else:
                n_zero += 1
        total += part
    return total, n_zero


@njit
def _ebrahimi_range(xs, m, i0, i1, out):
    """Terms ``log(n (x_(i+m) - x_(i-m)) / (c_i m))`` of Ebrahimi's estimator, i0 <= i < i1.

    Order statistics beyond the ends are clamped to the extremes; ``c_i`` is Ebrahimi,
    Pflughoeft & Soofi's (1994) boundary weight. The mean of all terms is the estimate.
    Gives -inf where a spacing is zero (ties); the caller checks.
    """
    n = xs.shape[0]
    for i in range(i0, i1):
        up = min(i + m, n - 1)
        dn = max(i - m, 0)
        j = i + 1  # 1-based index as in the paper
        if j <= m:
            c = 1.0 + (j - 1.0) / m
        elif j >= n - m + 1:
            c = 1.0 + (n - j) / m
        else:
            c = 2.0
        out[i] = np.log(n * (xs[up] - xs[dn]) / (c * m))


@njit(parallel=True)
def _knn_radii_par(xs, k, n_chunks):
    n = xs.shape[0]
    out = np.empty(n)
    size = (n + n_chunks - 1) // n_chunks
    for c in prange(n_chunks):
        _knn_radii_range(xs, k, c * size, min(n, (c + 1) * size), out)
    return out


@njit
def _knn_radii_ser(xs, k):
    out = np.empty(xs.shape[0])
    _knn_radii_range(xs, k, 0, xs.shape[0], out)
    return out


@njit
def _knn_logsum_ser(xs, k):
    return _knn_logsum_range(xs, k, 0, xs.shape[0])


@njit(parallel=True)
def _ebrahimi_par(xs, m, n_chunks):
    n = xs.shape[0]
    out = np.empty(n)
    size = (n + n_chunks - 1) // n_chunks
    for c in prange(n_chunks):
        _ebrahimi_range(xs, m, c * size, min(n, (c + 1) * size), out)
    return out


@njit
def _ebrahimi_ser(xs, m):
    out = np.empty(xs.shape[0])
    _ebrahimi_range(xs, m, 0, xs.shape[0], out)
    return out


def _knn_radii_sorted(xs, k):
    """k-th nearest-neighbour distances on sorted data (parallel for large inputs)."""
    if xs.shape[0] >= PARALLEL_MIN and parallel_allowed():
        return _knn_radii_par(xs, k, _N_CHUNKS)
    return _knn_radii_ser(xs, k)


def _knn_log_radii_sum(xs, k):
    """``(Σ log r_i, number of zero radii)`` of the k-th nearest-neighbour distances of
    sorted data, without storing the radii.

    Serial at every size: the walk costs a fraction of the sort before it, and on a
    shared 2-core machine the ``prange`` driver (OpenMP layer) took 1.7x the serial time
    at n = 10⁶ (one descheduled thread holds up the other), and it starts the thread
    pool, which the rest of a 1-D FS point does not need.
    """
    s, n_zero = _knn_logsum_ser(xs, k)
    return float(s), int(n_zero)


def _ebrahimi_log_terms(xs, m):
    """Per-sample Ebrahimi terms on sorted data (parallel for large inputs)."""
    if xs.shape[0] >= PARALLEL_MIN and parallel_allowed():
        return _ebrahimi_par(xs, m, _N_CHUNKS)
    return _ebrahimi_ser(xs, m)
