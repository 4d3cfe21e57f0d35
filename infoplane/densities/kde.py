"""Gaussian kernel density estimate as a :class:`~infoplane.densities.Density`."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from scipy import linalg

from .._numerics import (blas_single_thread, cv_factor, robust_cov, silverman, sm_bandwidth,
                         whiten)
from .._validation import check_cov, check_rng, check_samples, check_scalar
from ._base import Density

__all__ = ["KDE"]

_LOG2PI = math.log(2.0 * math.pi)
#: 1-D evaluation drops kernels whose weight is below e^-_LOG_CUT of the largest one
#: (each such term changes log f̂ and the score by < n e^-60 ≈ 1e-23 relative)
_LOG_CUT = 60.0
#: queries per block of the 1-D evaluation
_BLOCK_1D = 128


class KDE(Density):
    r"""Gaussian kernel density estimate ``f̂(x) = (1/n) Σ_j N(x; x_j, H)`` in any dimension.

    It is a density like any other: :func:`infoplane.fisher` and :func:`infoplane.entropy`
    of a ``KDE`` are the exact functionals *of the KDE* (quadrature in 1-D, Monte Carlo
    with the exact score in d-D), not estimates of the data's own ``J`` and ``H`` (the
    kernel smooths: ``J(f̂)`` is biased low; use ``ip.fisher(x)`` on the samples for that).

    Parameters
    ----------
    x : array_like, shape (n,) or (n, d)
        Kernel centres (finite; at least 2 rows).
    bandwidth : "auto", "silverman", float or array_like (d, d)
        Kernel covariance ``H``. ``"auto"`` (default): ``h² Σ̂`` with ``h`` minimising the
        leave-one-out score-matching loss, times the factor of
        :func:`infoplane._numerics.cv_factor` (the bandwidth of the sample
        Fisher estimator);
        ``"silverman"``: ``h`` from Silverman's rule,
        ``h = (4/(d+2))^{1/(d+4)} n^{-1/(d+4)}``; a float: the kernel standard deviation
        ``σ``, ``H = σ² I``; a matrix: ``H`` itself (symmetric positive definite).
    rng : None, int or numpy.random.Generator
        Randomness of the ``"auto"`` bandwidth search (it subsamples query points).

    Attributes
    ----------
    data : ndarray (n, d)
    bandwidth_matrix : ndarray (d, d)
        The kernel covariance ``H``.

    Notes
    -----
    ``log f̂`` uses a log-sum-exp over all kernels, so it is finite far in the tails; the
    score is ``∇ log f̂(x) = H⁻¹ (Σ_j w_j x_j - x)`` with softmax weights ``w_j``.
    ``mean = x̄`` and ``cov = Σ̂₀ + H`` (``Σ̂₀`` the biased sample covariance) are exact.

    Examples
    --------
    >>> import numpy as np, infoplane as ip
    >>> kde = ip.KDE(np.array([0.0, 1.0]), bandwidth=0.5)
    >>> float(kde.pdf(0.5)) == float(np.exp(-0.5) / np.sqrt(2 * np.pi * 0.25))
    True
    >>> ip.fisher(kde).method
    'quadrature'
    """

    def __init__(self, x: ArrayLike, bandwidth: Any = "auto", *, rng: Any = None) -> None:
        X = check_samples(x, name="x", min_samples=2)
        n, d = X.shape
        self._X = X
        self._d = d
        self._center = X.mean(axis=0)
        if isinstance(bandwidth, str):
            if bandwidth not in ("auto", "silverman"):
                raise ValueError(
                    f"`bandwidth` must be 'auto', 'silverman', a float or a ({d}, {d}) "
                    f"matrix; got {bandwidth!r}."
                )
            Y, L, _ = whiten(X, scatter=robust_cov(X))
            if Y is None:
                raise ValueError(
                    "`x` has a singular sample covariance; pass an explicit `bandwidth`."
                )
            if bandwidth == "auto":
                h = sm_bandwidth(Y, check_rng(rng), 1000)[0] * cv_factor(d)
            else:
                h = silverman(n, d)
            H = h * h * (L @ L.T)
        elif np.ndim(bandwidth) == 0:
            s = check_scalar("bandwidth", bandwidth, positive=True)
            H = s * s * np.eye(d)
        else:
            H = check_cov("bandwidth", bandwidth, d)
        self._H = H
        self._L = linalg.cholesky(H, lower=True)
        self._logdetL = float(np.sum(np.log(np.diag(self._L))))
        self._Y = self._to_kernel_coords(X)
        self._ys = np.sort(self._Y[:, 0]) if d == 1 else None

    def _to_kernel_coords(self, X):
        return np.ascontiguousarray(
            linalg.solve_triangular(self._L, (X - self._center).T, lower=True).T
        )

    @property
    def dim(self) -> int:
        return self._d

    @property
    def data(self) -> np.ndarray:
        return self._X.copy()

    @property
    def bandwidth_matrix(self) -> np.ndarray:
        return self._H.copy()

    def _moments(self, X):
        with blas_single_thread():
            return self._moments_impl(X)

    def _moments_impl(self, X):
        from .._kernels.kde import kde_moments

        Yq = self._to_kernel_coords(X)
        if self._d == 1:
            return self._moments_1d(Yq[:, 0])
        if Yq.shape[0] * self._Y.shape[0] <= 100_000:  # few points: plain NumPy, no threads
            D = self._Y[None, :, :] - Yq[:, None, :]
            a = -0.5 * np.einsum("qjk,qjk->qj", D, D)
            amax = a.max(axis=1, keepdims=True)
            e = np.exp(a - amax)
            W = e.sum(axis=1)
            return np.log(W) + amax[:, 0], np.einsum("qj,qjk->qk", e, D) / W[:, None]
        none = np.full(Yq.shape[0], -1, dtype=np.int64)
        logw, u, _, _ = kde_moments(self._Y, Yq, none, 1.0, 0)
        return logw, u

    def _moments_1d(self, yq):
        """``log Σ_j exp(-(y_j - q)²/2)`` and ``u = Σ_j w_j (y_j - q)`` (softmax weights)
        at 1-D queries `yq` (kernel units), from the kernels that matter.

        With the centres sorted, a query whose nearest centre is at distance r₀ only needs
        the centres within ``sqrt(r₀² + 2·60)``: the others weigh < e^-60 relative to the
        nearest. Queries are taken in sorted blocks, each against the union of its
        members' windows, so heavy-tailed data (isolated kernels far out) and queries in
        the tails cost a few kernels each instead of n.
        """
        ys = self._ys
        n = ys.size
        order = np.argsort(yq, kind="stable")
        q = yq[order]
        pos = np.searchsorted(ys, q)
        left = np.abs(q - ys[np.maximum(pos - 1, 0)])
        right = np.abs(ys[np.minimum(pos, n - 1)] - q)
        reach = np.sqrt(np.minimum(left, right) ** 2 + 2.0 * _LOG_CUT)
        lo = np.searchsorted(ys, q - reach, side="left")
        hi = np.searchsorted(ys, q + reach, side="right")
        logw = np.empty(q.size)
        u = np.empty(q.size)
        for b0 in range(0, q.size, _BLOCK_1D):
            b1 = min(b0 + _BLOCK_1D, q.size)
            j0, j1 = int(lo[b0:b1].min()), int(hi[b0:b1].max())
            D = ys[None, j0:j1] - q[b0:b1, None]
            a = -0.5 * D * D
            amax = a.max(axis=1, keepdims=True)
            e = np.exp(a - amax)
            W = e.sum(axis=1)
            logw[b0:b1] = np.log(W) + amax[:, 0]
            u[b0:b1] = np.einsum("qj,qj->q", e, D) / W
        out_logw = np.empty_like(logw)
        out_u = np.empty((q.size, 1))
        out_logw[order] = logw
        out_u[order, 0] = u
        return out_logw, out_u

    def _evaluation(self):
        return blas_single_thread()

    def _logpdf(self, X):
        return self._logpdf_score(X, score=False)[0]

    def _score(self, X):
        return self._logpdf_score(X)[1]

    def _logpdf_score(self, X, score=True):
        """Log-density and score from one pass over the kernels."""
        if X.shape[0] == 0:
            return np.empty(0), np.empty((0, self._d))
        logw, u = self._moments(X)
        n, d = self._X.shape
        lp = logw - math.log(n) - 0.5 * d * _LOG2PI - self._logdetL
        if not score:
            return lp, None
        # ∇ₓ = L⁻ᵀ ∇_y and ∇_y log f = u (unit kernel)
        return lp, linalg.solve_triangular(self._L, u.T, lower=True, trans="T").T

    def _sample(self, n, rng):
        idx = rng.integers(0, self._X.shape[0], size=n)
        return self._X[idx] + rng.standard_normal((n, self._d)) @ self._L.T

    def _breakpoints(self):
        x = self._X[:, 0]
        s = math.sqrt(self._H[0, 0])
        q = np.quantile(x, np.linspace(0.0, 1.0, 21))
        return np.concatenate([[q[0] - 8 * s, q[0] - 3 * s], q, [q[-1] + 3 * s, q[-1] + 8 * s]])

    def mean(self):
        return self._center.copy()

    def cov(self):
        Xc = self._X - self._center
        return Xc.T @ Xc / self._X.shape[0] + self._H

    def _repr_params(self):
        return f"n={self._X.shape[0]}, dim={self._d}"
