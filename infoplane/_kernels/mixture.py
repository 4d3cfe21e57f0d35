"""Gaussian-mixture log-density and score kernels.

Inputs are clean float64 arrays:

``X`` (n, d) points; ``log_w`` (K,) log-weights; ``means`` (K, d); ``chols`` (K, d, d) lower
Cholesky factors of the component covariances; ``log_norm`` (K,) the per-component
log-normalisers ``log w_k - ½ d log 2π - Σ log diag L_k``.

Each point is independent, so the loop over points is a ``prange``; the sum over
components is a stable log-sum-exp. Each kernel comes in two variants, separate Python
functions around one per-point worker: ``parallel=True`` for many points, and serial
(``*_serial``) for few points, where waking a thread pool costs more than the work
(milliseconds on a loaded machine).

Compiled by the project preset (:mod:`._jit`: cached, ``nogil``, so a kernel runs
beside other threads).
"""

import numpy as np

from ._jit import njit, prange

__all__ = [
    "_mixture_logpdf",
    "_mixture_logpdf_score",
    "_mixture_logpdf_serial",
    "_mixture_logpdf_score_serial",
]


@njit(inline="always")
def _whiten(x, mu, L, z):
    """Solve L z = x - mu by forward substitution (writes into z)."""
    d = x.shape[0]
    for i in range(d):
        acc = x[i] - mu[i]
        for j in range(i):
            acc -= L[i, j] * z[j]
        z[i] = acc / L[i, i]


@njit
def _logpdf_point(x, means, chols, log_norm, z, lc):
    """Log-density of a Gaussian mixture at one point `x` (d,); `z` (d,) and `lc` (K,)
    are scratch."""
    d = x.shape[0]
    K = means.shape[0]
    m = -np.inf
    for k in range(K):
        _whiten(x, means[k], chols[k], z)
        q = 0.0
        for j in range(d):
            q += z[j] * z[j]
        lc[k] = log_norm[k] - 0.5 * q
        if lc[k] > m:
            m = lc[k]
    if m == -np.inf:
        return -np.inf
    s = 0.0
    for k in range(K):
        s += np.exp(lc[k] - m)
    return m + np.log(s)


@njit
def _logpdf_score_point(x, means, chols, log_norm, Z, lc, g, score):
    """Log-density at one point `x` (returned) and its score, added into `score` (d,).

    The score is Σ_k r_k(x) · (-Σ_k⁻¹ (x - μ_k)) with responsibilities r_k; the inner
    term is ``-L_k⁻ᵀ z_k`` where ``z_k = L_k⁻¹ (x - μ_k)`` (back substitution).
    `Z` (K, d), `lc` (K,) and `g` (d,) are scratch.
    """
    d = x.shape[0]
    K = means.shape[0]
    m = -np.inf
    for k in range(K):
        _whiten(x, means[k], chols[k], Z[k])
        q = 0.0
        for j in range(d):
            q += Z[k, j] * Z[k, j]
        lc[k] = log_norm[k] - 0.5 * q
        if lc[k] > m:
            m = lc[k]
    s = 0.0
    for k in range(K):
        lc[k] = np.exp(lc[k] - m)
        s += lc[k]
    for k in range(K):
        r = lc[k] / s
        if r == 0.0:
            continue
        L = chols[k]
        # g = L⁻ᵀ z: back substitution on the transposed factor
        for a in range(d - 1, -1, -1):
            acc = Z[k, a]
            for b in range(a + 1, d):
                acc -= L[b, a] * g[b]
            g[a] = acc / L[a, a]
        for a in range(d):
            score[a] -= r * g[a]
    return m + np.log(s)


# One Python function per variant: numba's on-disk cache keys entries by function and
# signature, not by the `parallel` flag, so a function compiled both ways would load
# whichever variant was cached first for both (tests/test_mixture_kernels.py checks).
@njit(parallel=True)
def _mixture_logpdf(X, means, chols, log_norm):
    """Per-point log-density of a Gaussian mixture, shape (n,) (parallel over points)."""
    n, d = X.shape
    K = means.shape[0]
    out = np.empty(n)
    for i in prange(n):
        out[i] = _logpdf_point(X[i], means, chols, log_norm, np.empty(d), np.empty(K))
    return out


@njit
def _mixture_logpdf_serial(X, means, chols, log_norm):
    """Serial :func:`_mixture_logpdf`."""
    n, d = X.shape
    K = means.shape[0]
    out = np.empty(n)
    z = np.empty(d)
    lc = np.empty(K)
    for i in range(n):
        out[i] = _logpdf_point(X[i], means, chols, log_norm, z, lc)
    return out


@njit(parallel=True)
def _mixture_logpdf_score(X, means, chols, log_norm):
    """Per-point log-density (n,) and score ∇ₓ log f (n, d) (parallel over points)."""
    n, d = X.shape
    K = means.shape[0]
    logp = np.empty(n)
    score = np.zeros((n, d))
    for i in prange(n):
        logp[i] = _logpdf_score_point(X[i], means, chols, log_norm, np.empty((K, d)),
                                      np.empty(K), np.empty(d), score[i])
    return logp, score


@njit
def _mixture_logpdf_score_serial(X, means, chols, log_norm):
    """Serial :func:`_mixture_logpdf_score`."""
    n, d = X.shape
    K = means.shape[0]
    logp = np.empty(n)
    score = np.zeros((n, d))
    Z = np.empty((K, d))
    lc = np.empty(K)
    g = np.empty(d)
    for i in range(n):
        logp[i] = _logpdf_score_point(X[i], means, chols, log_norm, Z, lc, g, score[i])
    return logp, score
