"""Cauchy density."""

from __future__ import annotations

import numpy as np

from ._locscale import LocationScale

__all__ = ["Cauchy"]


class Cauchy(LocationScale):
    r"""Cauchy density f(x) = 1 / (π γ (1 + z²)), z = (x - loc)/γ.

    Parameters
    ----------
    loc : float
        Location (median and mode; the mean does not exist).
    scale : float
        Half width at half maximum γ > 0.

    Notes
    -----
    Score :math:`-2z/(\gamma(1+z^2))`; :math:`H = \ln(4\pi\gamma)` and
    :math:`J = 1/(2\gamma^2)`. Mean and covariance do not exist (:meth:`mean` and
    :meth:`cov` return ``None``), yet N = 8πγ²/e and N·J = 4π/e ≈ 4.62 are finite.

    Examples
    --------
    >>> import infoplane as ip
    >>> ip.fisher(ip.Cauchy(0.0, 1.0)).value
    0.5
    >>> print(ip.Cauchy().cov())
    None
    """

    def _std_logpdf(self, z: np.ndarray) -> np.ndarray:
        return -np.log(np.pi) - np.log1p(z * z)

    def _std_score(self, z: np.ndarray) -> np.ndarray:
        return -2.0 * z / (1.0 + z * z)

    def _std_sample(self, n: int, rng: np.random.Generator) -> np.ndarray:
        return rng.standard_cauchy(size=n)

    def _std_entropy(self) -> float:
        return float(np.log(4.0 * np.pi))

    def _std_fisher(self) -> float:
        return 0.5

    def _std_mean(self) -> float | None:
        return None

    def _std_var(self) -> float | None:
        return None

    def _std_breakpoints(self) -> np.ndarray:
        return np.array([-1e4, -300.0, -30.0, -5.0, -1.0, 0.0, 1.0, 5.0, 30.0, 300.0, 1e4])
