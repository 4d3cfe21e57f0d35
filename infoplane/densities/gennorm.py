"""Generalized Gaussian (exponential power) density."""

from __future__ import annotations

import math

import numpy as np
from scipy import special

from .._validation import check_scalar
from ._locscale import LocationScale

__all__ = ["GeneralizedGaussian"]


class GeneralizedGaussian(LocationScale):
    r"""Generalized Gaussian (exponential power) density.

    .. math:: f(x) = \frac{\beta}{2\alpha\Gamma(1/\beta)} e^{-|z|^\beta},
              \quad z = (x - \mathrm{loc})/\alpha

    Parameters
    ----------
    beta : float
        Shape β > 0: β = 1 is Laplace, β = 2 is Gaussian (variance α²/2), β → ∞ uniform.
    loc : float
        Location.
    scale : float
        Scale α > 0 (scipy's ``gennorm`` convention).

    Notes
    -----
    Score :math:`-\beta\,\mathrm{sign}(z)|z|^{\beta-1}/\alpha`. Closed forms (from
    :math:`E|Z|^p = \Gamma((p+1)/\beta)/\Gamma(1/\beta)`, Nadarajah 2005):
    :math:`H = 1/\beta - \ln(\beta / (2\alpha\Gamma(1/\beta)))` and
    :math:`J = \beta^2\Gamma(2 - 1/\beta) / (\alpha^2\Gamma(1/\beta))`, finite iff
    β > 1/2; for β ≤ 1/2 the score² is not integrable at the mode and J = ∞.
    At the mode itself the score is set to 0 (a single point, measure zero).
    Both are evaluated through Γ(1/β) = β Γ(1 + 1/β), i.e.
    :math:`H = \ln 2 + 1/\beta + \ln\Gamma(1 + 1/\beta) + \ln\alpha` and
    :math:`\ln J = \ln\beta + \ln\Gamma(2 - 1/\beta) - \ln\Gamma(1 + 1/\beta) - 2\ln\alpha`,
    which stay accurate for β from 1e-3 to 1e15 and beyond.

    Examples
    --------
    >>> import infoplane as ip
    >>> ip.fisher(ip.GeneralizedGaussian(2.0, 0.0, 1.0)).value   # Gaussian, σ² = 1/2
    2.0
    >>> ip.fisher(ip.GeneralizedGaussian(0.5)).reason
    'the score ... is not square integrable at the mode for beta <= 1/2 (beta=0.5)'
    """

    def __init__(self, beta: float, loc: float = 0.0, scale: float = 1.0) -> None:
        self.beta = check_scalar("beta", beta, positive=True)
        super().__init__(loc, scale)

    def _std_logpdf(self, z: np.ndarray) -> np.ndarray:
        # ln(β / (2Γ(1/β))) = -ln 2 - ln Γ(1 + 1/β)
        b = self.beta
        return -math.log(2.0) - float(special.gammaln(1.0 + 1.0 / b)) - np.abs(z) ** b

    def _std_score(self, z: np.ndarray) -> np.ndarray:
        a = np.abs(z)
        with np.errstate(divide="ignore", invalid="ignore"):
            s = -self.beta * np.sign(z) * a ** (self.beta - 1.0)
        return np.where(a == 0.0, 0.0, s)

    def _std_sample(self, n: int, rng: np.random.Generator) -> np.ndarray:
        # |Z|^β ~ Gamma(1/β, 1) with a random sign
        g = rng.gamma(1.0 / self.beta, 1.0, size=n) ** (1.0 / self.beta)
        return np.where(rng.random(n) < 0.5, -g, g)

    def _std_entropy(self) -> float:
        b = self.beta
        return float(math.log(2.0) + 1.0 / b + special.gammaln(1.0 + 1.0 / b))

    def _std_log_fisher(self) -> float | None:
        b = self.beta
        if b <= 0.5:
            return None
        return float(
            math.log(b) + special.gammaln(2.0 - 1.0 / b) - special.gammaln(1.0 + 1.0 / b)
        )

    def _std_fisher(self) -> float | None:
        lj = self._std_log_fisher()
        return None if lj is None else math.exp(lj)

    def _log_fisher(self) -> float | None:
        lj = self._std_log_fisher()
        return None if lj is None else lj - 2.0 * math.log(self.scale)

    def _std_fisher_infinite(self) -> str | None:
        if self.beta <= 0.5:
            return (
                "the score -beta*sign(z)|z|^(beta-1) is not square integrable at the mode "
                f"for beta <= 1/2 (beta={self.beta:g})"
            )
        return None

    def _std_var(self) -> float | None:
        b = self.beta
        return float(np.exp(special.gammaln(3.0 / b) - special.gammaln(1.0 / b)))

    def _std_breakpoints(self) -> np.ndarray:
        # |Z|^β ~ Gamma(1/β): landmarks at gamma quantiles mapped back
        g = special.gammaincinv(1.0 / self.beta, np.array([0.01, 0.3, 0.9, 0.999, 1 - 1e-9]))
        r = g ** (1.0 / self.beta)
        return np.concatenate([-r[::-1], [0.0], r])

    def _shape_repr(self) -> str:
        return f"beta={self.beta:g}, "
