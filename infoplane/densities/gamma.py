"""Gamma density on (0, ∞)."""

from __future__ import annotations

import math

import numpy as np
from scipy import special

from .._validation import check_scalar
from ._base import BREAKPOINT_QUANTILES, Density
from ._special import exp_or_inf, gamma_entropy, log1pmx, stirling_remainder

__all__ = ["Gamma"]

_HALF_LOG_2PI = 0.5 * math.log(2.0 * math.pi)


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

    The entropy is evaluated as :math:`\tfrac12\ln(2\pi e k) + \ln\theta - \tfrac1{2k}
    + \mu(k) + (1-k)\nu(k)` with the Stirling remainders μ, ν of
    :mod:`infoplane.densities._special` (the x ln x terms cancel analytically), and the
    log-density as :math:`k\,\mathrm{log1pmx}(r) - \mathrm{log1p}(r) - \tfrac12\ln(2\pi k)
    - \mu(k) - \ln\theta` with :math:`r = x/(k\theta) - 1`; both stay accurate for
    k up to 1e15 and beyond.

    Examples
    --------
    >>> import infoplane as ip
    >>> ip.fisher(ip.Gamma(4.0, 0.5)).value    # 1 / (0.25 * 2)
    2.0
    >>> ip.fisher(ip.Gamma(2.0)).value
    inf
    """

    def __init__(self, shape: float, scale: float = 1.0) -> None:
        self.shape = check_scalar("shape", shape, positive=True)
        self.scale = check_scalar("scale", scale, positive=True)
        self.support = (0.0, np.inf)

    @property
    def dim(self) -> int:
        return 1

    def _logpdf(self, X: np.ndarray) -> np.ndarray:
        x = X[:, 0]
        k, t = self.shape, self.scale
        inside = x > 0
        xs = np.where(inside, x, 1.0)
        if k < 10.0:
            lp = (k - 1.0) * np.log(xs / t) - xs / t - special.gammaln(k) - math.log(t)
        else:
            # (k-1) ln y - y - ln Γ(k), y = x/θ = k(1 + r), without the k ln k cancellation
            r = (xs / t - k) / k
            lp = (k * log1pmx(r) - np.log1p(r)
                  - (_HALF_LOG_2PI + 0.5 * math.log(k) + stirling_remainder(k)) - math.log(t))
        return np.where(inside, lp, -np.inf)

    def _score(self, X: np.ndarray) -> np.ndarray:
        x = X[:, 0]
        inside = x > 0
        xs = np.where(inside, x, 1.0)
        return np.where(inside, (self.shape - 1.0) / xs - 1.0 / self.scale, 0.0)[:, None]

    def _sample(self, n: int, rng: np.random.Generator) -> np.ndarray:
        return rng.gamma(self.shape, self.scale, size=(n, 1))

    def _entropy(self) -> float:
        return gamma_entropy(self.shape) + math.log(self.scale)

    def _log_fisher(self) -> float | None:
        if self.shape <= 2:
            return None
        return -2.0 * math.log(self.scale) - math.log(self.shape - 2.0)

    def _fisher(self) -> float | None:
        if self.shape <= 2:
            return None
        s2 = self.scale * self.scale
        if 1e-290 < s2 < 1e290:
            with np.errstate(over="ignore"):
                return float(1.0 / (np.float64(s2) * (self.shape - 2.0)))
        lj = self._log_fisher()
        return None if lj is None else exp_or_inf(lj)

    def _fisher_matrix(self) -> np.ndarray | None:
        j = self._fisher()
        return None if j is None else np.array([[j]])

    def _fisher_infinite(self) -> str | None:
        if self.shape <= 2:
            return (
                "the Gamma density is not smooth enough at 0 for shape <= 2 "
                f"(shape={self.shape:g}): its location Fisher information is infinite"
            )
        return None

    def _breakpoints(self) -> np.ndarray:
        return self.scale * special.gammaincinv(self.shape, BREAKPOINT_QUANTILES)

    def mean(self) -> np.ndarray:
        return np.array([self.shape * self.scale])

    def cov(self) -> np.ndarray:
        return np.array([[self.shape * self.scale * self.scale]])

    def _repr_params(self) -> str:
        return f"shape={self.shape:g}, scale={self.scale:g}"
