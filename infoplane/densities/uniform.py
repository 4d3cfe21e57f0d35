"""Uniform density on an interval."""

from __future__ import annotations

import math

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

    def __init__(self, low: float = 0.0, high: float = 1.0) -> None:
        self.low = check_scalar("low", low)
        self.high = check_scalar("high", high)
        if not self.high > self.low:
            raise ValueError(f"`high` must be > `low` ({self.low!r}); got {self.high!r}.")
        self.support = (self.low, self.high)
        width = self.high - self.low
        # ln(high - low) even where the width overflows float64 (e.g. -1e308 .. 1e308)
        self._log_width = (
            math.log(width) if math.isfinite(width)
            else math.log(0.5 * self.high - 0.5 * self.low) + math.log(2.0)
        )

    @property
    def dim(self) -> int:
        return 1

    def _logpdf(self, X: np.ndarray) -> np.ndarray:
        x = X[:, 0]
        inside = (x > self.low) & (x < self.high)
        return np.where(inside, -self._log_width, -np.inf)

    def _score(self, X: np.ndarray) -> np.ndarray:
        return np.zeros_like(X)

    def _sample(self, n: int, rng: np.random.Generator) -> np.ndarray:
        return rng.uniform(self.low, self.high, size=(n, 1))

    def _entropy(self) -> float:
        return self._log_width

    def _fisher_infinite(self) -> str:
        return (
            f"the uniform density jumps at low={self.low:g} and high={self.high:g}: "
            "its location Fisher information is infinite"
        )

    def _breakpoints(self) -> np.ndarray:
        return self.low + (0.5 * self.high - 0.5 * self.low) * np.linspace(0.0, 2.0, 5)

    def mean(self) -> np.ndarray:
        return np.array([0.5 * self.low + 0.5 * self.high])

    def cov(self) -> np.ndarray:
        half = 0.5 * self.high - 0.5 * self.low
        return np.array([[half * half / 3.0]])

    def _repr_params(self) -> str:
        return f"low={self.low:g}, high={self.high:g}"
