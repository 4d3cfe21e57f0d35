"""Numerics shared by the densities and the estimators.

Robust location and scale, the robust scatter of heavy-tailed data, whitening, the
exact power-of-two standardisation, Silverman's and the score-matching bandwidth, and the
single-threaded-BLAS guard. Both :mod:`infoplane.densities` (the :class:`~infoplane.KDE`
bandwidth) and :mod:`infoplane.estimators` use them, so they live below both; this module
imports only numpy, scipy and (inside functions) the Numba kernels.
"""

from __future__ import annotations

import contextlib
import functools
import math
import threading
from typing import Any, Callable, Iterator, TypeVar

import numpy as np
from scipy import linalg

F = TypeVar("F", bound=Callable)

__all__ = [
    "sorted_quantile",
    "robust_scale_sorted",
    "robust_scales",
    "pow2_standardize",
    "robust_cov",
    "whiten",
    "rank_message",
    "silverman",
    "cv_factor",
    "sm_bandwidth",
    "single_threaded_blas",
    "blas_single_thread",
]


# ----------------------------------------------------------------------- 1-D robust scale
def sorted_quantile(xs: np.ndarray, p: float) -> float:
    """Quantile of sorted data with linear interpolation (numpy's default rule)."""
    t = (xs.size - 1) * p
    i = int(math.floor(t))
    j = min(i + 1, xs.size - 1)
    return float(xs[i] + (t - i) * (xs[j] - xs[i]))


def robust_scale_sorted(xs: np.ndarray) -> float:
    """IQR/1.349, else 1.4826 MAD, else the standard deviation (`xs` sorted)."""
    s = (sorted_quantile(xs, 0.75) - sorted_quantile(xs, 0.25)) / 1.3489795003921634
    if not s > 0:
        med = sorted_quantile(xs, 0.5)
        s = 1.482602218505602 * float(np.median(np.abs(xs - med)))
    if not s > 0:
        s = float(np.std(xs))
    return float(s)


def _sorted_percentile(xs: np.ndarray, q: float) -> float:
    """numpy's default ('linear') percentile `q` (in %) of sorted 1-D `xs`, bit for bit.

    Reads the two order statistics around the virtual index ``(n - 1) q / 100`` and
    interpolates with numpy's own formula (``a + (b - a) t``, or ``b - (b - a)(1 - t)``
    for ``t >= 0.5``), so it equals ``np.percentile(xs, q)`` without a partition pass.
    """
    n = xs.shape[0]
    v = (n - 1) * (q / 100.0)
    i = int(math.floor(v))
    if v >= n - 1:
        return float(xs[n - 1])
    t = v - i
    a, b = float(xs[i]), float(xs[i + 1])
    diff = b - a
    return b - diff * (1.0 - t) if t >= 0.5 else a + diff * t


def robust_scales(X: np.ndarray, *, presorted: bool = False
                  ) -> tuple[np.ndarray, np.ndarray]:
    """Per-column median and robust scale (IQR/1.349, else MAD, else max |x - median|).

    The scale is 0 only for a constant column. Computed without squaring, so it does not
    overflow for data near the float64 limits. The median and quartiles are numpy's
    default ('linear') percentiles, found in one partition pass; with ``presorted=True``
    (a single column, sorted ascending) they are read off the order statistics with the
    same arithmetic (no pass over the data), so both give the same bits.
    """
    if presorted:
        xs = X.reshape(-1)
        q25, med, q75 = (np.array([_sorted_percentile(xs, q)]) for q in (25.0, 50.0, 75.0))
    else:
        q25, med, q75 = np.percentile(X, [25.0, 50.0, 75.0], axis=0)
    s = (q75 - q25) / 1.3489795003921634
    if not np.all(s > 0):
        dev = np.abs(X - med)
        mad = 1.482602218505602 * np.median(dev, axis=0)
        s = np.where(s > 0, s, mad)
        if not np.all(s > 0):
            s = np.where(s > 0, s, dev.max(axis=0))
    return med, s


def pow2_standardize(X: np.ndarray, *, presorted: bool = False, overwrite: bool = False
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``Y = (X - c) / 2**e`` per column, with ``2**e`` the power of two nearest the robust
    scale and ``c`` the median (rounded to the representable grid of ``X / 2**e``).

    Dividing by a power of two is exact, so estimators run on ``Y`` and mapped back
    (``H + Σ e log 2``, ``J_ij / 2**(e_i + e_j)``) are scale equivariant to the last bit,
    and no intermediate (variances, squared distances) overflows or underflows for any
    finite input. Returns ``(Y, e, median)``; ``e`` is 0 for a constant column.

    ``presorted=True`` says `X` is one column sorted ascending (``Y`` is then sorted
    too: the map is monotone); ``overwrite=True`` writes ``Y`` into `X`. Either way ``Y``
    has the same bits as the sort of the unsorted result (see :func:`robust_scales`).

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[1e300], [3e300], [2e300]])
    >>> Y, e, med = pow2_standardize(X)
    >>> e                                   # the robust scale 7.4e299 is about 2**996
    array([996.])
    >>> bool(np.all(Y * 2.0**996 + med == X))   # exact: no overflow, no rounding
    True
    """
    med, s = robust_scales(X, presorted=presorted)
    e = np.where(s > 0, np.round(np.log2(np.where(s > 0, s, 1.0))), 0.0)
    f = np.exp2(-e)
    if overwrite:
        Y = np.multiply(X, f, out=X)
        np.subtract(Y, med * f, out=Y)
    else:
        Y = X * f - med * f
    return np.ascontiguousarray(Y), e, med


# ------------------------------------------------------------------- d-D scatter, whitening
#: heavy-tail trigger of the robust scatter: some coordinate's standard deviation exceeds
#: this multiple of its robust scale IQR/1.349 (about 1.0 for Gaussian data, 1.53 for t3)
HEAVY_TAIL_RATIO = 1.5
#: rows used for Kendall's tau in the robust scatter (an evenly strided subsample)
TAU_ROWS = 4000


def robust_cov(X: np.ndarray) -> np.ndarray | None:
    """Robust scatter for heavy-tailed data, or ``None`` when the tails look light.

    Scales are min(sd, IQR/1.349) per coordinate (Silverman's choice); correlations come
    from Kendall's tau through r = sin(πτ/2), which holds for every elliptical law,
    projected to positive definite. For light tails (every sd < 1.5 IQR/1.349) returns
    ``None`` and the sample covariance is used.
    """
    from scipy import stats

    n, d = X.shape
    sd = X.std(axis=0, ddof=1)
    q75, q25 = np.percentile(X, [75.0, 25.0], axis=0)
    rs = (q75 - q25) / 1.349
    if np.any(rs <= 0) or np.all(sd < HEAVY_TAIL_RATIO * rs):
        return None
    s = np.minimum(sd, rs)
    Xs = X[:: max(1, n // TAU_ROWS)]
    R = np.eye(d)
    for i in range(d):
        for j in range(i):
            tau = stats.kendalltau(Xs[:, i], Xs[:, j])[0]
            R[i, j] = R[j, i] = math.sin(0.5 * math.pi * (0.0 if np.isnan(tau) else tau))
    w, V = np.linalg.eigh(R)
    R = (V * np.maximum(w, 1e-3)) @ V.T
    return s[:, None] * R * s[None, :]


#: a column whose part orthogonal to the previous ones is below this fraction of its own
#: norm counts as linearly dependent (rounding in a QR factorisation is ~1e-16)
RANK_RTOL = 1e-10


def whiten(X: np.ndarray, scatter: np.ndarray | None = None):
    """Centre and whiten by the Cholesky factor L of a scatter matrix (Σ̂ = L Lᵀ).

    Returns ``Y = (X - centre) L⁻ᵀ``, ``L`` and ``log|det L|``; ``L`` is ``None`` when the
    data lie in a lower-dimensional affine subspace. The factor of the sample covariance
    comes from a QR factorisation of the centred data (``Xc = QR``, ``L = Rᵀ/√(n-1)``),
    not from the covariance itself: that resolves directions down to ~1e-10 of a column's
    scale (strongly correlated but non-degenerate data keep a finite entropy), where a
    Cholesky factor of the covariance loses everything below ~1e-8. With a `scatter`
    matrix (e.g. :func:`robust_cov` of heavy-tailed data) the data are centred at the
    coordinatewise median and whitened by it instead of the sample mean and covariance,
    which outliers would inflate.
    """
    n = X.shape[0]
    mu = X.mean(axis=0)
    Xc = X - mu
    R = np.asarray(np.linalg.qr(Xc, mode="r"))
    diag = np.diag(R)
    signs = np.where(diag < 0, -1.0, 1.0)
    L = (R * signs[:, None]).T / math.sqrt(n - 1)
    col = np.sqrt(np.einsum("ij,ij->j", Xc, Xc))
    if not np.all(np.abs(diag) > RANK_RTOL * col) or not np.all(col > 0):
        return None, None, -math.inf
    diag = np.diag(L)
    if scatter is not None:
        Xc = X - np.median(X, axis=0)
        L = linalg.cholesky(scatter, lower=True)
        diag = np.diag(L)
    Y = linalg.solve_triangular(L, Xc.T, lower=True).T
    return np.ascontiguousarray(Y), L, float(np.sum(np.log(diag)))


def rank_message(X: np.ndarray) -> str:
    """Why whitening failed: the dimension of the affine subspace that holds `X`."""
    Xc = X - X.mean(axis=0)
    sv = np.linalg.svd(Xc, compute_uv=False)
    col = np.sqrt(np.einsum("ij,ij->j", Xc, Xc))
    r = int(np.sum(sv > RANK_RTOL * max(float(col.max()), 1e-300)))
    return (
        f"`x` lies in an affine subspace of dimension {r} < {X.shape[1]} "
        "(singular sample covariance)"
    )


# ------------------------------------------------------------------------- bandwidths
#: log2 offsets from Silverman's factor spanned by the score-matching bandwidth search
CV_GRID = np.linspace(-1.75, 1.0, 12)
#: coarse stage of the default search (step 0.55 in log2 h), refined at ± half a step
CV_COARSE = np.linspace(-1.75, 1.0, 6)


def silverman(n: int, d: int) -> float:
    """Silverman's normal-reference factor ``(4/(d+2))^(1/(d+4)) n^(-1/(d+4))``."""
    return (4.0 / (d + 2.0)) ** (1.0 / (d + 4.0)) * n ** (-1.0 / (d + 4.0))


def cv_factor(dim: int) -> float:
    """Multiplier of the score-matching bandwidth used for J (0.85 for d <= 3, else 1)."""
    return 0.85 if dim <= 3 else 1.0


def _sm_loss(Y, q, hs):
    from ._kernels.kde import kde_sm_terms

    d = Y.shape[1]
    uu, trc = kde_sm_terms(Y, Y[q], q.astype(np.int64), hs)
    h2 = hs**2
    return np.mean(0.5 * uu / h2**2 + (-d / h2 + trc / h2**2), axis=0)


def sm_bandwidth(Y: np.ndarray, rng: np.random.Generator, n_queries: int, grid=None):
    """Bandwidth factor minimising the held-out (leave-one-out) score-matching loss.

    The loss ``E[½‖ŝ‖² + ∇·ŝ] = ½E‖ŝ - s‖² - J/2`` (Hyvärinen 2005) is estimated on a
    random subset of query points of whitened data `Y` against all others. With ``grid``
    (log2 offsets from Silverman's factor) the loss is evaluated on that grid; by default
    (``grid=None``) on the 6-point grid :data:`CV_COARSE` and then at half a step on each
    side of its minimum. A parabola in ``log h`` through the minimum and its two
    neighbours refines the choice.

    Returns ``(h, bandwidths, losses, query_rows)``.
    """
    n, d = Y.shape
    m = min(n, n_queries)
    q = np.sort(rng.choice(n, m, replace=False)) if m < n else np.arange(n)
    h0 = silverman(n, d)
    if grid is None:
        g = np.asarray(CV_COARSE, dtype=float)
        loss = _sm_loss(Y, q, h0 * np.exp2(g))
        i = int(np.argmin(loss))
        step = 0.5 * (g[1] - g[0])
        extra = np.array([g[i] + s for s in (-step, step) if g[0] <= g[i] + s <= g[-1]])
        if extra.size:
            g = np.concatenate([g, extra])
            loss = np.concatenate([loss, _sm_loss(Y, q, h0 * np.exp2(extra))])
            order = np.argsort(g)
            g, loss = g[order], loss[order]
        hs = h0 * np.exp2(g)
    else:
        hs = h0 * np.exp2(np.asarray(grid, dtype=float))
        loss = _sm_loss(Y, q, hs)
    i = int(np.argmin(loss))
    h = hs[i]
    if 0 < i < len(hs) - 1:  # parabolic refinement in log h
        x = np.log(hs[i - 1: i + 2])
        y = loss[i - 1: i + 2]
        den = (x[0] - x[1]) * (x[0] - x[2]) * (x[1] - x[2])
        a = (x[2] * (y[1] - y[0]) + x[1] * (y[0] - y[2]) + x[0] * (y[2] - y[1])) / den
        b = (
            x[2] ** 2 * (y[0] - y[1]) + x[1] ** 2 * (y[2] - y[0]) + x[0] ** 2 * (y[1] - y[2])
        ) / den
        if a > 0:
            h = float(np.exp(np.clip(-b / (2 * a), x[0], x[2])))
    return float(h), hs, loss, q


# ----------------------------------------------------------------------- thread limits
_blas_lock = threading.Lock()
_blas_depth = 0
_blas_limiter: Any = None
_controller: Any = None


@contextlib.contextmanager
def blas_single_thread() -> Iterator[None]:
    """Limit BLAS to one thread while any caller is inside; restore when the last leaves.

    The estimators alternate small BLAS calls with Numba-parallel loops and cKDTree's
    worker threads; OpenBLAS threads spin-wait after each call and steal the cores those
    loops need (kNN entropy at n = 1e3, d = 2 took 10x longer with 2 BLAS threads on a
    2-core machine). BLAS thread limits are process-wide, so entries from several Python
    threads share one limit: the first entry saves the original limits, nested and
    concurrent entries only count, and the last exit restores them. Re-entry costs a lock
    and a counter, so the guard can wrap inner loops cheaply.
    """
    global _blas_depth, _blas_limiter, _controller
    with _blas_lock:
        if _blas_depth == 0:
            if _controller is None:
                from threadpoolctl import ThreadpoolController

                _controller = ThreadpoolController()
            _blas_limiter = _controller.limit(limits=1, user_api="blas")
        _blas_depth += 1
    try:
        yield
    finally:
        with _blas_lock:
            _blas_depth -= 1
            if _blas_depth == 0:
                _blas_limiter.restore_original_limits()
                _blas_limiter = None


def single_threaded_blas(func: F) -> F:
    """Decorator form of :func:`blas_single_thread`."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with blas_single_thread():
            return func(*args, **kwargs)

    return wrapper  # type: ignore[return-value]
