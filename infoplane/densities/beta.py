"""Beta density on (0, 1)."""

from __future__ import annotations

import numpy as np
from scipy import special

from .._validation import check_scalar
from ._base import BREAKPOINT_QUANTILES, Density

__all__ = ["Beta"]


class Beta(Density):
    r"""Beta density f(x) = x^{a-1} (1-x)^{b-1} / B(a, b) on (0, 1).

    Parameters
    ----------
    a, b : float
        Shapes a > 0 and b > 0. (Rescale with :class:`Affine` or use a frozen
        ``scipy.stats.beta`` with ``loc``/``scale``.)

    Notes
    -----
    Score :math:`(a-1)/x - (b-1)/(1-x)`. Entropy
    :math:`H = \ln B(a,b) - (a-1)\psi(a) - (b-1)\psi(b) + (a+b-2)\psi(a+b)`.
    With :math:`E[X^{-2}] = \frac{(a+b-1)(a+b-2)}{(a-1)(a-2)}`,
    :math:`E[(1-X)^{-2}]` likewise and :math:`E[1/(X(1-X))] = \frac{(a+b-1)(a+b-2)}{(a-1)(b-1)}`,
    :math:`J = (a+b-1)(a+b-2)\left(\frac{1}{a-2} + \frac{1}{b-2}\right)` for a, b > 2,
    and J = ∞ otherwise (the density is not smooth enough at an end point).

    Examples
    --------
    >>> import infoplane as ip
    >>> ip.fisher(ip.Beta(3.0, 3.0)).value     # 5 * 4 * (1 + 1)
    40.0
    """

    def __init__(self, a, b):
        self.a = check_scalar("a", a, positive=True)
        self.b = check_scalar("b", b, positive=True)
        self.support = (0.0, 1.0)

    @property
    def dim(self):
        return 1

    def _logpdf(self, X):
        x = X[:, 0]
        inside = (x > 0) & (x < 1)
        xs = np.where(inside, x, 0.5)
        lp = (self.a - 1.0) * np.log(xs) + (self.b - 1.0) * np.log1p(-xs) - special.betaln(
            self.a, self.b
        )
        return np.where(inside, lp, -np.inf)

    def _score(self, X):
        x = X[:, 0]
        inside = (x > 0) & (x < 1)
        xs = np.where(inside, x, 0.5)
        return np.where(inside, (self.a - 1.0) / xs - (self.b - 1.0) / (1.0 - xs), 0.0)[:, None]

    def _sample(self, n, rng):
        return rng.beta(self.a, self.b, size=(n, 1))

    def _entropy(self):
        a, b = self.a, self.b
        dg = special.digamma
        return float(
            special.betaln(a, b) - (a - 1) * dg(a) - (b - 1) * dg(b) + (a + b - 2) * dg(a + b)
        )

    def _fisher_matrix(self):
        a, b = self.a, self.b
        if a <= 2 or b <= 2:
            return None
        return np.array([[(a + b - 1) * (a + b - 2) * (1 / (a - 2) + 1 / (b - 2))]])

    def _fisher_infinite(self):
        if self.a <= 2 or self.b <= 2:
            return (
                "the Beta density is not smooth enough at an end point for a <= 2 or b <= 2 "
                f"(a={self.a:g}, b={self.b:g}): its location Fisher information is infinite"
            )
        return None

    def _breakpoints(self):
        return special.betaincinv(self.a, self.b, BREAKPOINT_QUANTILES)

    def mean(self):
        return np.array([self.a / (self.a + self.b)])

    def cov(self):
        a, b = self.a, self.b
        return np.array([[a * b / ((a + b) ** 2 * (a + b + 1))]])

    def _repr_params(self):
        return f"a={self.a:g}, b={self.b:g}"
