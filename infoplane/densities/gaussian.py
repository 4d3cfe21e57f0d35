"""Gaussian density: scalar, isotropic, diagonal or full covariance, any dimension."""

from __future__ import annotations

import numpy as np
from scipy import linalg

from .._validation import check_cov, check_scalar, check_vector
from ._base import Density

__all__ = ["Gaussian"]

_LOG2PI = np.log(2.0 * np.pi)


def parse_mean_cov(mean, cov, mean_name: str, cov_name: str):
    """Validate a location vector and a scalar / diagonal / full covariance-like matrix.

    The dimension comes from `cov` when it is a vector or matrix, else from `mean`.
    Returns ``(mean (d,), matrix (d, d), d)``.
    """
    c = np.asarray(cov, dtype=float)
    m = np.asarray(mean, dtype=float)
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
    loc = check_vector(mean_name, np.broadcast_to(m, (d,)) if m.ndim == 0 else m, dim=d)
    if c.ndim == 0:
        v = check_scalar(cov_name, float(c), positive=True)
        mat = np.eye(d) * v
    elif c.ndim == 1:
        mat = np.diag(check_vector(cov_name, c, dim=d, positive=True))
    else:
        mat = check_cov(cov_name, c, d)
    return loc, mat, d


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

    def __init__(self, mean=0.0, cov=1.0):
        self._mean, cov_m, d = parse_mean_cov(mean, cov, "mean", "cov")
        self._d = d
        self._cov = cov_m
        self._chol = linalg.cholesky(cov_m, lower=True)
        self._logdet = 2.0 * np.sum(np.log(np.diag(self._chol)))
        self._prec = linalg.cho_solve((self._chol, True), np.eye(d))
        self._prec = 0.5 * (self._prec + self._prec.T)

    @property
    def dim(self) -> int:
        return self._d

    def _whiten(self, X):
        return linalg.solve_triangular(self._chol, (X - self._mean).T, lower=True).T

    def _logpdf(self, X):
        W = self._whiten(X)
        return -0.5 * (np.sum(W * W, axis=1) + self._d * _LOG2PI + self._logdet)

    def _score(self, X):
        return -(X - self._mean) @ self._prec

    def _sample(self, n, rng):
        return self._mean + rng.standard_normal((n, self._d)) @ self._chol.T

    def _entropy(self):
        return 0.5 * (self._d * (1.0 + _LOG2PI) + self._logdet)

    def _fisher_matrix(self):
        return self._prec.copy()

    def _breakpoints(self):
        s = np.sqrt(self._cov[0, 0])
        return self._mean[0] + s * np.array([-8.0, -3.0, -1.0, 0.0, 1.0, 3.0, 8.0])

    def mean(self):
        return self._mean.copy()

    def cov(self):
        return self._cov.copy()

    def _repr_params(self):
        if self._d == 1:
            return f"mean={self._mean[0]:g}, cov={self._cov[0, 0]:g}"
        return f"dim={self._d}"
