"""Shared machinery of univariate location-scale families (private)."""

from __future__ import annotations

import abc

import numpy as np

from .._validation import check_scalar
from ._base import Density

__all__ = ["LocationScale"]


class LocationScale(Density):
    """A 1-D density f(x) = f₀((x - loc)/scale) / scale built from a standard density f₀.

    Subclasses implement the standard-density hooks ``_std_logpdf(z)``, ``_std_score(z)``,
    ``_std_sample(n, rng)``, and the closed forms ``_std_entropy()``, ``_std_fisher()``
    (``None`` when infinite, with ``_std_fisher_infinite()`` giving the reason),
    ``_std_mean()`` / ``_std_var()`` (``None`` when infinite or undefined) and
    ``_std_breakpoints()``. Then H = H₀ + ln scale and J = J₀ / scale².
    """

    def __init__(self, loc=0.0, scale=1.0):
        self.loc = check_scalar("loc", loc)
        self.scale = check_scalar("scale", scale, positive=True)

    @property
    def dim(self) -> int:
        return 1

    # standard-density hooks ---------------------------------------------------
    @abc.abstractmethod
    def _std_logpdf(self, z): ...

    @abc.abstractmethod
    def _std_score(self, z): ...

    @abc.abstractmethod
    def _std_sample(self, n, rng): ...

    @abc.abstractmethod
    def _std_entropy(self): ...

    @abc.abstractmethod
    def _std_fisher(self): ...

    def _std_fisher_infinite(self):
        return None

    def _std_mean(self):
        return 0.0

    @abc.abstractmethod
    def _std_var(self): ...

    def _std_breakpoints(self):
        return np.array([-30.0, -10.0, -3.0, -1.0, 0.0, 1.0, 3.0, 10.0, 30.0])

    # Density hooks --------------------------------------------------------------
    def _z(self, X):
        return (X[:, 0] - self.loc) / self.scale

    def _logpdf(self, X):
        return self._std_logpdf(self._z(X)) - np.log(self.scale)

    def _score(self, X):
        return (self._std_score(self._z(X)) / self.scale)[:, None]

    def _sample(self, n, rng):
        return (self.loc + self.scale * self._std_sample(n, rng)).reshape(n, 1)

    def _entropy(self):
        return float(self._std_entropy() + np.log(self.scale))

    def _fisher_matrix(self):
        j = self._std_fisher()
        return None if j is None else np.array([[j / self.scale**2]])

    def _fisher_infinite(self):
        return self._std_fisher_infinite()

    def _breakpoints(self):
        return self.loc + self.scale * np.asarray(self._std_breakpoints(), dtype=float)

    def mean(self):
        m = self._std_mean()
        return None if m is None else np.array([self.loc + self.scale * m])

    def cov(self):
        v = self._std_var()
        return None if v is None else np.array([[v * self.scale**2]])

    def _shape_repr(self) -> str:
        return ""

    def _repr_params(self):
        return f"{self._shape_repr()}loc={self.loc:g}, scale={self.scale:g}"
