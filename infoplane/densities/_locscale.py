"""Shared machinery of univariate location-scale families (private)."""

from __future__ import annotations

import abc
import math

import numpy as np

from .._validation import check_scalar
from ._base import Density
from ._special import div_by_square

__all__ = ["LocationScale"]


class LocationScale(Density):
    """A 1-D density f(x) = f₀((x - loc)/scale) / scale built from a standard density f₀.

    Subclasses implement the standard-density hooks ``_std_logpdf(z)``, ``_std_score(z)``,
    ``_std_sample(n, rng)``, and the closed forms ``_std_entropy()``, ``_std_fisher()``
    (``None`` when infinite, with ``_std_fisher_infinite()`` giving the reason),
    ``_std_mean()`` / ``_std_var()`` (``None`` when infinite or undefined) and
    ``_std_breakpoints()``. Then H = H₀ + ln scale and J = J₀ / scale²; ln J = ln J₀ −
    2 ln scale is what the Stam product uses, so any finite scale gives the right N·J.
    """

    def __init__(self, loc: float = 0.0, scale: float = 1.0) -> None:
        self.loc = check_scalar("loc", loc)
        self.scale = check_scalar("scale", scale, positive=True)

    @property
    def dim(self) -> int:
        return 1

    # standard-density hooks ---------------------------------------------------
    @abc.abstractmethod
    def _std_logpdf(self, z: np.ndarray) -> np.ndarray: ...

    @abc.abstractmethod
    def _std_score(self, z: np.ndarray) -> np.ndarray: ...

    @abc.abstractmethod
    def _std_sample(self, n: int, rng: np.random.Generator) -> np.ndarray: ...

    @abc.abstractmethod
    def _std_entropy(self) -> float: ...

    @abc.abstractmethod
    def _std_fisher(self) -> float | None: ...

    def _std_fisher_infinite(self) -> str | None:
        return None

    def _std_mean(self) -> float | None:
        return 0.0

    @abc.abstractmethod
    def _std_var(self) -> float | None: ...

    def _std_breakpoints(self) -> np.ndarray:
        return np.array([-30.0, -10.0, -3.0, -1.0, 0.0, 1.0, 3.0, 10.0, 30.0])

    # Density hooks --------------------------------------------------------------
    def _z(self, X: np.ndarray) -> np.ndarray:
        return (X[:, 0] - self.loc) / self.scale

    def _logpdf(self, X: np.ndarray) -> np.ndarray:
        return self._std_logpdf(self._z(X)) - math.log(self.scale)

    def _score(self, X: np.ndarray) -> np.ndarray:
        return (self._std_score(self._z(X)) / self.scale)[:, None]

    def _sample(self, n: int, rng: np.random.Generator) -> np.ndarray:
        return (self.loc + self.scale * self._std_sample(n, rng)).reshape(n, 1)

    def _entropy(self) -> float:
        return float(self._std_entropy() + math.log(self.scale))

    def _fisher(self) -> float | None:
        j = self._std_fisher()
        return None if j is None else div_by_square(j, self.scale)

    def _fisher_matrix(self) -> np.ndarray | None:
        j = self._fisher()
        return None if j is None else np.array([[j]])

    def _log_fisher(self) -> float | None:
        j = self._std_fisher()
        return None if j is None else math.log(j) - 2.0 * math.log(self.scale)

    def _fisher_infinite(self) -> str | None:
        return self._std_fisher_infinite()

    def _breakpoints(self) -> np.ndarray:
        return self.loc + self.scale * np.asarray(self._std_breakpoints(), dtype=float)

    def mean(self) -> np.ndarray | None:
        m = self._std_mean()
        return None if m is None else np.array([self.loc + self.scale * m])

    def cov(self) -> np.ndarray | None:
        v = self._std_var()
        return None if v is None else np.array([[v * self.scale * self.scale]])

    def _shape_repr(self) -> str:
        return ""

    def _repr_params(self) -> str:
        return f"{self._shape_repr()}loc={self.loc:g}, scale={self.scale:g}"
