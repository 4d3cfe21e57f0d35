"""Gamma density on (0, ∞)."""

from __future__ import annotations

import numpy as np
from scipy import special

from .._validation import check_scalar
from ._base import BREAKPOINT_QUANTILES, Density

__all__ = ["Gamma"]


class Gamma(Density):
    r"""Gamma density f(x) = x^{k-1} e^{-x/θ} / (Γ(k) θ^k) on (0, ∞).

    Parameters
    ----------
    shape : float
        Shape k > 0.
    scale : float
        Scale θ > 0. (Shift it with :class:`Affine` or use a frozen ``scipy.stats.gamma``
        with ``loc``.)

    Notes
    -----
    Score :math:`(k-1)/x - 1/\theta`. Entropy
    :math:`H = k + \ln\theta + \ln\Gamma(k) + (1-k)\psi(k)`. From
    :math:`E[X^{-1}] = 1/(\theta(k-1))` and :math:`E[X^{-2}] = 1/(\theta^2(k-1)(k-2))`,
    the location Fisher information is :math:`J = 1/(\theta^2 (k-2))` for k > 2.
    For k ≤ 2 it is infinite: the density jumps at 0 (k = 1), blows up (k < 1), or its
    score² is not integrable there (1 < k ≤ 2).

    Examples
    --------
    >>> import infoplane as ip
    >>> ip.fisher(ip.Gamma(4.0, 0.5)).value    # 1 / (0.25 * 2)
    2.0
    >>> ip.fisher(ip.Gamma(2.0)).value
    inf
    """

    def __init__(self, shape, scale=1.0):
        self.shape = check_scalar("shape", shape, positive=True)
        self.scale = check_scalar("scale", scale, positive=True)
        self.support = (0.0, np.inf)

    @property
    def dim(self):
        return 1

    def _logpdf(self, X):
        x = X[:, 0]
        k, t = self.shape, self.scale
        inside = x > 0
        xs = np.where(inside, x, 1.0)
        lp = (k - 1.0) * np.log(xs) - xs / t - special.gammaln(k) - k * np.log(t)
        return np.where(inside, lp, -np.inf)

    def _score(self, X):
        x = X[:, 0]
        inside = x > 0
        xs = np.where(inside, x, 1.0)
        return np.where(inside, (self.shape - 1.0) / xs - 1.0 / self.scale, 0.0)[:, None]

    def _sample(self, n, rng):
        return rng.gamma(self.shape, self.scale, size=(n, 1))

    def _entropy(self):
        k = self.shape
        return float(k + np.log(self.scale) + special.gammaln(k) + (1.0 - k) * special.digamma(k))

    def _fisher_matrix(self):
        if self.shape <= 2:
            return None
        return np.array([[1.0 / (self.scale**2 * (self.shape - 2.0))]])

    def _fisher_infinite(self):
        if self.shape <= 2:
            return (
                "the Gamma density is not smooth enough at 0 for shape <= 2 "
                f"(shape={self.shape:g}): its location Fisher information is infinite"
            )
        return None

    def _breakpoints(self):
        return self.scale * special.gammaincinv(self.shape, BREAKPOINT_QUANTILES)

    def mean(self):
        return np.array([self.shape * self.scale])

    def cov(self):
        return np.array([[self.shape * self.scale**2]])

    def _repr_params(self):
        return f"shape={self.shape:g}, scale={self.scale:g}"
