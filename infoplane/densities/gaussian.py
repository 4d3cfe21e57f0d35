"""Gaussian density: scalar, isotropic, diagonal or full covariance, any dimension."""

from __future__ import annotations

import math

import numpy as np
from scipy import linalg

from .._validation import check_cov, check_real_array, check_scalar, check_vector
from ._base import Density
from ._special import logsumexp

__all__ = ["Gaussian"]

_LOG2PI = math.log(2.0 * math.pi)


def parse_mean_cov(
    mean: object, cov: object, mean_name: str, cov_name: str
) -> tuple[np.ndarray, np.ndarray, int]:
    """Validate a location vector and a scalar / diagonal / full covariance-like matrix.

    The dimension comes from `cov` when it is a vector or matrix, else from `mean`.
    Returns ``(mean (d,), matrix (d, d), d)``. Types are checked strictly
    (:func:`~infoplane._validation.check_real_array`): booleans, strings and ``None``
    raise :class:`TypeError` naming the argument.
    """
    c = check_real_array(cov_name, cov, finite=False)
    m = check_real_array(mean_name, mean, finite=False)
    if c.ndim in (1, 2):
        d = c.shape[0]
    elif c.ndim == 0:
        d = m.size if m.ndim == 1 else 1
    else:
        raise ValueError(
            f"`{cov_name}` must be a scalar, a vector or a matrix; got shape {c.shape}."
        )
    if d == 0:
        raise ValueError(f"`{cov_name}` must not be empty; got shape {c.shape}.")
    if m.ndim == 0:
        m = np.full(d, check_scalar(mean_name, m))
    loc = check_vector(mean_name, m, dim=d)
    if c.ndim == 0:
        v = check_scalar(cov_name, c, positive=True)
        mat = np.eye(d) * v
    elif c.ndim == 1:
        mat = np.diag(check_vector(cov_name, c, dim=d, positive=True))
    else:
        mat = check_cov(cov_name, c, d)
    return loc, mat, d


def log_trace_inverse(mat: np.ndarray) -> float:
    """ln tr(M⁻¹) of a symmetric positive-definite matrix without over- or underflow.

    With D = diag(M) and the correlation matrix R = D^{-1/2} M D^{-1/2},
    tr(M⁻¹) = Σᵢ (R⁻¹)ᵢᵢ / Dᵢᵢ, summed as a log-sum-exp.
    """
    dg = np.diag(mat).copy()
    sd = np.sqrt(dg)
    r = mat / sd[:, None] / sd[None, :]
    chol = linalg.cholesky(r, lower=True)
    rinv_diag = np.diag(linalg.cho_solve((chol, True), np.eye(len(dg))))
    return logsumexp(np.log(rinv_diag) - np.log(dg))


class Gaussian(Density):
    r"""Multivariate normal density N(mean, cov).

    Parameters
    ----------
    mean : float or array_like, shape (d,)
        Mean vector; a scalar gives a 1-D density unless `cov` sets the dimension.
    cov : float or array_like, shape (d,) or (d, d)
        Covariance: a scalar is an isotropic variance σ² (times the identity), a vector the
        diagonal variances, a matrix the full symmetric positive-definite covariance.

    Notes
    -----
    Closed forms: :math:`H = \tfrac12 \log\det(2\pi e \Sigma)`, Fisher matrix
    :math:`\Sigma^{-1}`, hence :math:`N\cdot\mathrm{tr}\,J/d = \det(\Sigma)^{1/d}\,
    \mathrm{tr}(\Sigma^{-1})/d \ge 1`, with equality iff Σ is isotropic (AM-GM).

    Examples
    --------
    >>> import infoplane as ip
    >>> g = ip.Gaussian(0.0, 4.0)
    >>> ip.fisher(g).value
    0.25
    >>> ip.fs_point(ip.Gaussian([0, 0], [[2.0, 0.0], [0.0, 2.0]])).product.value
    1.0...
    """

    def __init__(self, mean: object = 0.0, cov: object = 1.0) -> None:
        self._mean, cov_m, d = parse_mean_cov(mean, cov, "mean", "cov")
        self._d = d
        self._cov = cov_m
        self._chol = linalg.cholesky(cov_m, lower=True)
        self._logdet = 2.0 * np.sum(np.log(np.diag(self._chol)))
        with np.errstate(over="ignore"):
            prec = linalg.cho_solve((self._chol, True), np.eye(d))
        self._prec = 0.5 * (prec + prec.T)

    @property
    def dim(self) -> int:
        return self._d

    def _whiten(self, X: np.ndarray) -> np.ndarray:
        return linalg.solve_triangular(self._chol, (X - self._mean).T, lower=True).T

    def _logpdf(self, X: np.ndarray) -> np.ndarray:
        W = self._whiten(X)
        return -0.5 * (np.sum(W * W, axis=1) + self._d * _LOG2PI + self._logdet)

    def _score(self, X: np.ndarray) -> np.ndarray:
        return -(X - self._mean) @ self._prec

    def _sample(self, n: int, rng: np.random.Generator) -> np.ndarray:
        return self._mean + rng.standard_normal((n, self._d)) @ self._chol.T

    def _entropy(self) -> float:
        return float(0.5 * (self._d * (1.0 + _LOG2PI) + self._logdet))

    def _fisher_matrix(self) -> np.ndarray:
        return self._prec.copy()

    def _log_fisher(self) -> float:
        return log_trace_inverse(self._cov)

    def _breakpoints(self) -> np.ndarray:
        s = np.sqrt(self._cov[0, 0])
        return self._mean[0] + s * np.array([-8.0, -3.0, -1.0, 0.0, 1.0, 3.0, 8.0])

    def mean(self) -> np.ndarray:
        return self._mean.copy()

    def cov(self) -> np.ndarray:
        return self._cov.copy()

    def _repr_params(self) -> str:
        if self._d == 1:
            return f"mean={self._mean[0]:g}, cov={self._cov[0, 0]:g}"
        return f"dim={self._d}"
