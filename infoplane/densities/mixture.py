"""Gaussian mixture density in any dimension (no closed-form H or J)."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._threads import parallel_allowed
from .._validation import check_cov, check_real_array, check_vector, check_weights
from ._base import Density

__all__ = ["GaussianMixture"]

_LOG2PI = np.log(2.0 * np.pi)
_PARALLEL_MIN = 512  # below this many points the serial kernels are faster


def _parse_components(
    weights: object, means: object, covs: object
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    m = check_real_array("means", means, finite=False)
    if m.ndim == 1:
        m = m[:, None]
    elif m.ndim != 2:
        raise ValueError(f"`means` must have shape (K,) or (K, d); got shape {m.shape}.")
    k, d = m.shape
    if k == 0 or d == 0:
        raise ValueError(f"`means` must not be empty; got shape {m.shape}.")
    if not np.isfinite(m).all():
        i = int(np.argmin(np.isfinite(m).all(axis=1)))
        raise ValueError(f"`means` must be finite; got {m[i]!r} in row {i}.")
    w = check_weights("weights", weights, k)
    c = check_real_array("covs", covs, finite=False)
    if c.shape == (k,):
        c = check_vector("covs", c, positive=True)[:, None, None] * np.eye(d)
    elif c.shape == (k, d) and d > 1:
        for i in range(k):
            check_vector(f"covs[{i}]", c[i], positive=True)
        c = np.einsum("ki,ij->kij", c, np.eye(d))
    elif c.shape == (k, d, d):
        c = np.stack([check_cov(f"covs[{i}]", c[i], d) for i in range(k)])
    else:
        raise ValueError(
            f"`covs` must have shape ({k},), ({k}, {d}) or ({k}, {d}, {d}) for {k} components "
            f"in {d} dimensions; got {c.shape}."
        )
    return w, m, c


class GaussianMixture(Density):
    r"""Mixture of Gaussians :math:`f(x) = \sum_k w_k\, \mathcal N(x; \mu_k, \Sigma_k)`.

    Parameters
    ----------
    weights : array_like, shape (K,)
        Mixture weights, ≥ 0, summing to 1.
    means : array_like, shape (K,) or (K, d)
        Component means; shape (K,) means d = 1.
    covs : array_like, shape (K,), (K, d) or (K, d, d)
        Component covariances: one variance per component (isotropic), diagonal variances,
        or full symmetric positive-definite matrices.

    Notes
    -----
    The log-density and score are evaluated by Numba kernels
    (:mod:`infoplane._kernels.mixture`) with a stable log-sum-exp over components and
    per-component Cholesky factors; the score is
    :math:`\sum_k r_k(x)\,(-\Sigma_k^{-1}(x-\mu_k))` with responsibilities :math:`r_k`.
    H and J have no closed form: :func:`infoplane.entropy` and :func:`infoplane.fisher`
    use quadrature in 1-D and Monte Carlo with the exact score in d-D.
    The sum of independent mixtures is again a mixture (:meth:`convolve`).

    Examples
    --------
    >>> import infoplane as ip
    >>> mix = ip.GaussianMixture([0.5, 0.5], [-2.0, 2.0], [1.0, 1.0])
    >>> j = ip.fisher(mix)
    >>> j.method, round(j.value, 4)
    ('quadrature', 0.7256)
    >>> bool(j.value >= 1 / mix.cov()[0, 0])    # Cramér-Rao: J >= 1/Var
    True
    >>> mix.mean(), mix.cov()
    (array([0.]), array([[5.]]))
    """

    def __init__(self, weights: object, means: object, covs: object) -> None:
        self.weights, self.means, self.covs = _parse_components(weights, means, covs)
        self._d = self.means.shape[1]
        self._chols = np.ascontiguousarray(np.linalg.cholesky(self.covs))
        with np.errstate(divide="ignore"):
            log_w = np.log(self.weights)
        self._log_norm = (
            log_w - 0.5 * self._d * _LOG2PI
            - np.sum(np.log(np.diagonal(self._chols, axis1=1, axis2=2)), axis=1)
        )

    @property
    def dim(self) -> int:
        return self._d

    @property
    def n_components(self) -> int:
        return self.weights.shape[0]

    def _logpdf(self, X: np.ndarray) -> np.ndarray:
        from .._kernels import mixture as _k  # numba loads on first use, not on import

        fn: Any = (_k._mixture_logpdf if len(X) >= _PARALLEL_MIN and parallel_allowed()
                   else _k._mixture_logpdf_serial)
        out: np.ndarray = fn(np.ascontiguousarray(X), self.means, self._chols, self._log_norm)
        return out

    def _score(self, X: np.ndarray) -> np.ndarray:
        return self._logpdf_score(X)[1]

    def _logpdf_score(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        from .._kernels import mixture as _k

        fn: Any = (_k._mixture_logpdf_score if len(X) >= _PARALLEL_MIN and parallel_allowed()
                   else _k._mixture_logpdf_score_serial)
        lp, s = fn(np.ascontiguousarray(X), self.means, self._chols, self._log_norm)
        return lp, s

    def _sample(self, n: int, rng: np.random.Generator) -> np.ndarray:
        comp = rng.choice(self.n_components, size=n, p=self.weights)
        z = rng.standard_normal((n, self._d))
        return self.means[comp] + np.einsum("nij,nj->ni", self._chols[comp], z)

    def _breakpoints(self) -> np.ndarray:
        s = np.sqrt(self.covs[:, 0, 0])
        pts = self.means[:, 0, None] + s[:, None] * np.array([-8.0, -3.0, -1.0, 0.0, 1.0, 3.0, 8.0])
        return np.unique(pts.ravel())

    def mean(self) -> np.ndarray:
        return self.weights @ self.means

    def cov(self) -> np.ndarray:
        mu = self.mean()
        second = np.einsum("k,kij->ij", self.weights, self.covs) + np.einsum(
            "k,ki,kj->ij", self.weights, self.means, self.means
        )
        c = second - np.outer(mu, mu)
        return 0.5 * (c + c.T)

    def convolve(self, other: "GaussianMixture") -> "GaussianMixture":
        """The density of X + Y for independent X ~ self and Y ~ other (a mixture again).

        Examples
        --------
        >>> import infoplane as ip
        >>> s = ip.GaussianMixture([1.0], [1.0], [2.0]).convolve(
        ...     ip.GaussianMixture([0.5, 0.5], [0.0, 4.0], [1.0, 1.0]))
        >>> s.means.ravel(), s.covs.ravel()
        (array([1., 5.]), array([3., 3.]))
        """
        if not isinstance(other, GaussianMixture):
            raise TypeError(f"`other` must be a GaussianMixture; got {type(other).__name__}.")
        if other.dim != self.dim:
            raise ValueError(f"`other` must have dim {self.dim}; got {other.dim}.")
        w = np.outer(self.weights, other.weights).ravel()
        mu = (self.means[:, None, :] + other.means[None, :, :]).reshape(-1, self._d)
        cov = (self.covs[:, None] + other.covs[None, :]).reshape(-1, self._d, self._d)
        return GaussianMixture(w / w.sum(), mu, cov)

    def _repr_params(self) -> str:
        return f"n_components={self.n_components}, dim={self._d}"
