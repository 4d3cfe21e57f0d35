"""Laplace (double-exponential) density."""

from __future__ import annotations

import math

import numpy as np

from ._locscale import LocationScale

__all__ = ["Laplace"]

_LN2 = math.log(2.0)


class Laplace(LocationScale):
    r"""Laplace density ``f(x) = exp(-|x - loc| / scale) / (2 scale)``.

    Parameters
    ----------
    loc : float
        Location (mean, median and mode).
    scale : float
        Scale b > 0; the variance is 2 b².

    Notes
    -----
    H = 1 + ln(2b) and J = 1/b² (the score ±1/b jumps at the mode, but f is absolutely
    continuous, so J is finite); N·J = 2e/π ≈ 1.7305 for every b.

    Examples
    --------
    >>> import infoplane as ip
    >>> ip.fisher(ip.Laplace(0.0, 2.0)).value
    0.25
    """

    def _std_logpdf(self, z: np.ndarray) -> np.ndarray:
        return -np.abs(z) - _LN2

    def _std_score(self, z: np.ndarray) -> np.ndarray:
        return -np.sign(z)

    def _std_sample(self, n: int, rng: np.random.Generator) -> np.ndarray:
        return rng.laplace(0.0, 1.0, size=n)

    def _std_entropy(self) -> float:
        return 1.0 + _LN2

    def _std_fisher(self) -> float:
        return 1.0

    def _std_var(self) -> float:
        return 2.0
