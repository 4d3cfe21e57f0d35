"""Uniform density on an interval."""

from __future__ import annotations

import numpy as np

from .._validation import check_scalar
from ._base import Density

__all__ = ["Uniform"]


class Uniform(Density):
    r"""Uniform density on (low, high).

    Parameters
    ----------
    low, high : float
        End points, low < high.

    Notes
    -----
    H = ln(high - low). The density jumps at both ends, so the location Fisher
    information is infinite (the score is 0 inside, but translation changes the support);
    :func:`infoplane.fisher` returns ``inf`` with a reason.

    Examples
    --------
    >>> import infoplane as ip
    >>> ip.entropy(ip.Uniform(0.0, 2.0)).value
    0.6931...
    >>> ip.fisher(ip.Uniform(0.0, 2.0)).value
    inf
    """

    def __init__(self, low=0.0, high=1.0):
        self.low = check_scalar("low", low)
        self.high = check_scalar("high", high)
        if not self.high > self.low:
            raise ValueError(f"`high` must be > `low` ({self.low!r}); got {self.high!r}.")
        self.support = (self.low, self.high)

    @property
    def dim(self):
        return 1

    def _logpdf(self, X):
        x = X[:, 0]
        inside = (x > self.low) & (x < self.high)
        return np.where(inside, -np.log(self.high - self.low), -np.inf)

    def _score(self, X):
        return np.zeros_like(X)

    def _sample(self, n, rng):
        return rng.uniform(self.low, self.high, size=(n, 1))

    def _entropy(self):
        return float(np.log(self.high - self.low))

    def _fisher_infinite(self):
        return (
            f"the uniform density jumps at low={self.low:g} and high={self.high:g}: "
            "its location Fisher information is infinite"
        )

    def _breakpoints(self):
        return np.linspace(self.low, self.high, 5)

    def mean(self):
        return np.array([0.5 * (self.low + self.high)])

    def cov(self):
        return np.array([[(self.high - self.low) ** 2 / 12.0]])

    def _repr_params(self):
        return f"low={self.low:g}, high={self.high:g}"
