"""Laplace (double-exponential) density."""

from __future__ import annotations

import numpy as np

from .._validation import check_scalar
from ._base import Density

__all__ = ["Laplace"]


class Laplace(Density):
    r"""Laplace density ``f(x) = exp(-|x - loc| / scale) / (2 scale)``.

    Notes
    -----
    H = 1 + ln(2b) and J = 1/b² (the score ±1/b jumps at the mode, but f is absolutely
    continuous, so J is finite).

    Examples
    --------
    >>> import infoplane as ip
    >>> ip.fisher(ip.Laplace(0.0, 2.0)).value
    0.25
    """

    def __init__(self, loc=0.0, scale=1.0):
        self.loc = check_scalar("loc", loc)
        self.scale = check_scalar("scale", scale, positive=True)

    @property
    def dim(self):
        return 1

    def _logpdf(self, X):
        return -np.abs(X[:, 0] - self.loc) / self.scale - np.log(2.0 * self.scale)

    def _score(self, X):
        return (-np.sign(X - self.loc) / self.scale)

    def _sample(self, n, rng):
        return rng.laplace(self.loc, self.scale, size=(n, 1))

    def _entropy(self):
        return 1.0 + np.log(2.0 * self.scale)

    def _fisher_matrix(self):
        return np.array([[1.0 / self.scale**2]])

    def _breakpoints(self):
        return self.loc + self.scale * np.array(
            [-30.0, -10.0, -3.0, -1.0, 0.0, 1.0, 3.0, 10.0, 30.0]
        )

    def mean(self):
        return np.array([self.loc])

    def cov(self):
        return np.array([[2.0 * self.scale**2]])

    def _repr_params(self):
        return f"loc={self.loc:g}, scale={self.scale:g}"
