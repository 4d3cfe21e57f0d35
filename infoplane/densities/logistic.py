"""Logistic density."""

from __future__ import annotations

import numpy as np

from ._locscale import LocationScale

__all__ = ["Logistic"]


class Logistic(LocationScale):
    r"""Logistic density f(x) = e^{-z} / (s (1 + e^{-z})²), z = (x - loc)/s.

    Parameters
    ----------
    loc : float
        Location (mean, median and mode).
    scale : float
        Scale s > 0; the variance is π² s² / 3.

    Notes
    -----
    Score :math:`-\tanh(z/2)/s`; :math:`H = \ln s + 2` and :math:`J = 1/(3 s^2)`, so
    :math:`N J = e^{3}/(6\pi) \approx 1.0657` for every s.

    Examples
    --------
    >>> import infoplane as ip
    >>> d = ip.Logistic(0.0, 2.0)
    >>> ip.fisher(d).value      # 1 / (3 * 2**2)
    0.08333...
    >>> ip.entropy(d).value     # ln 2 + 2
    2.6931...
    """

    def _std_logpdf(self, z: np.ndarray) -> np.ndarray:
        a = np.abs(z)
        return -a - 2.0 * np.log1p(np.exp(-a))

    def _std_score(self, z: np.ndarray) -> np.ndarray:
        return -np.tanh(0.5 * z)

    def _std_sample(self, n: int, rng: np.random.Generator) -> np.ndarray:
        return rng.logistic(0.0, 1.0, size=n)

    def _std_entropy(self) -> float:
        return 2.0

    def _std_fisher(self) -> float:
        return 1.0 / 3.0

    def _std_var(self) -> float | None:
        return np.pi**2 / 3.0

    def _std_breakpoints(self) -> np.ndarray:
        return np.array([-40.0, -10.0, -3.0, -1.0, 0.0, 1.0, 3.0, 10.0, 40.0])
