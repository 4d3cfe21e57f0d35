"""Frozen :mod:`scipy.stats` distributions as infoplane densities."""

from __future__ import annotations

import numpy as np

from ._base import Density

__all__ = ["from_scipy", "ScipyDensity"]

_EXACT = ("norm", "laplace", "logistic", "t", "cauchy", "gennorm", "gamma", "expon", "beta",
          "uniform")


def _parse(frozen):
    """(shape parameters, loc, scale) of a frozen univariate continuous distribution."""
    shapes, loc, scale = frozen.dist._parse_args(*frozen.args, **frozen.kwds)
    return tuple(float(s) for s in shapes), float(loc), float(scale)


def _check_frozen(frozen):
    from scipy import stats

    dist = getattr(frozen, "dist", None)
    if isinstance(dist, stats.rv_discrete):
        raise TypeError(
            f"`frozen` must be a continuous distribution; got the discrete {dist.name!r}. "
            "Entropy power and Fisher information need a density."
        )
    if not isinstance(dist, stats.rv_continuous):
        raise TypeError(
            "`frozen` must be a frozen univariate continuous scipy.stats distribution "
            f"(e.g. scipy.stats.norm(0, 1)); got {type(frozen).__name__}. Multivariate "
            "scipy distributions are not converted: build an infoplane density instead "
            "(e.g. infoplane.Gaussian(mean, cov) or infoplane.MultivariateStudentT)."
        )


def from_scipy(frozen) -> Density:
    """Convert a frozen univariate continuous :mod:`scipy.stats` distribution.

    Known families (``norm``, ``laplace``, ``logistic``, ``t``, ``cauchy``, ``gennorm``,
    ``gamma``, ``expon``, ``beta``, ``uniform``, with any ``loc``/``scale``, positional or
    keyword)
    become the exact infoplane density, so closed forms apply. Any other continuous
    distribution becomes a :class:`~infoplane.densities.ScipyDensity`: scipy's ``logpdf``, a
    numerical score, and quadrature for H and J.

    Parameters
    ----------
    frozen : scipy.stats frozen distribution
        E.g. ``scipy.stats.gamma(3.0, loc=1.0, scale=2.0)``.

    Returns
    -------
    Density

    Raises
    ------
    TypeError
        For discrete, multivariate or non-scipy objects.

    Examples
    --------
    >>> from scipy import stats
    >>> import infoplane as ip
    >>> ip.from_scipy(stats.t(5, loc=1.0, scale=2.0))
    StudentT(df=5, loc=1, scale=2)
    >>> ip.fisher(stats.logistic(scale=2.0)).value     # 1 / (3 * 4)
    0.08333...
    >>> j = ip.fisher(stats.lognorm(0.5))          # no infoplane family: quadrature
    >>> j.method
    'quadrature'
    """
    from . import affine, beta, cauchy, gamma, gaussian, gennorm, laplace, logistic, student_t
    from . import uniform

    _check_frozen(frozen)
    name = frozen.dist.name
    if name not in _EXACT:
        return ScipyDensity(frozen)
    shapes, loc, scale = _parse(frozen)
    if name == "norm":
        return gaussian.Gaussian(loc, scale**2)
    if name == "laplace":
        return laplace.Laplace(loc, scale)
    if name == "logistic":
        return logistic.Logistic(loc, scale)
    if name == "t":
        return student_t.StudentT(shapes[0], loc, scale)
    if name == "cauchy":
        return cauchy.Cauchy(loc, scale)
    if name == "gennorm":
        return gennorm.GeneralizedGaussian(shapes[0], loc, scale)
    if name == "uniform":
        return uniform.Uniform(loc, loc + scale)
    if name in ("gamma", "expon"):
        base = gamma.Gamma(shapes[0] if shapes else 1.0, scale)
        return base if loc == 0.0 else affine.Affine(base, 1.0, loc)
    # beta
    base = beta.Beta(*shapes)
    return base if (loc, scale) == (0.0, 1.0) else affine.Affine(base, scale, loc)


class ScipyDensity(Density):
    r"""Any frozen univariate continuous scipy distribution, handled numerically.

    Parameters
    ----------
    frozen : scipy.stats frozen distribution

    Notes
    -----
    The log-density comes from scipy. The score is a fourth-order central difference of
    ``logpdf``, :math:`(-\ell(x+2h) + 8\ell(x+h) - 8\ell(x-h) + \ell(x-2h))/(12h)`, with
    :math:`h = \epsilon^{1/5}\min(|x| + s, r)` where s is the interquartile range and r the
    distance to the nearest finite end of the support (truncation and rounding errors
    balance at relative accuracy ~ε^{4/5} ≈ 1e-13 for smooth densities, and the stencil
    stays inside the support). Where it still meets a non-finite value the difference is
    one-sided (second order). No closed forms:
    H and J go through quadrature, split at quantiles from ``ppf``.

    A density that does not vanish at a finite end of its support (a jump, or a pole)
    has infinite location Fisher information; this is detected from ``pdf`` next to the
    end and reported as ``J = inf`` with a reason. Subtler non-smoothness (a density that
    vanishes at an end but too slowly, e.g. ``weibull_min(1.5)``) is not detected: the
    quadrature then warns (``AccuracyWarning``) that the integral seems divergent.

    Examples
    --------
    >>> from scipy import stats
    >>> import numpy as np
    >>> from infoplane.densities import ScipyDensity
    >>> d = ScipyDensity(stats.norm(0, 2))
    >>> bool(np.allclose(d.score([1.0, -3.0]), [-0.25, 0.75], rtol=1e-8))
    True
    """

    def __init__(self, frozen):
        _check_frozen(frozen)
        self.frozen = frozen
        lo, hi = frozen.support()
        self.support = (float(lo), float(hi))
        q1, q3 = frozen.ppf([0.25, 0.75])
        self._s = float(q3 - q1) if np.isfinite(q3 - q1) and q3 > q1 else 1.0

    @property
    def dim(self):
        return 1

    def _lp(self, x):
        with np.errstate(all="ignore"):
            return np.asarray(self.frozen.logpdf(x), dtype=float)

    def _logpdf(self, X):
        lp = self._lp(X[:, 0])
        return np.where(np.isnan(lp), -np.inf, lp)

    def _score(self, X):
        x = X[:, 0]
        lo, hi = self.support
        with np.errstate(invalid="ignore"):
            room = np.minimum(np.abs(x - lo), np.abs(hi - x))  # inf for an unbounded side
        h = np.finfo(float).eps ** 0.2 * np.minimum(np.abs(x) + self._s, room)
        h = np.where(h > 0, h, np.finfo(float).eps ** 0.2 * self._s)
        lm2, lm1, lp1, lp2 = (self._lp(x + k * h) for k in (-2.0, -1.0, 1.0, 2.0))
        l0 = self._lp(x)
        with np.errstate(all="ignore"):
            central = (-lp2 + 8.0 * lp1 - 8.0 * lm1 + lm2) / (12.0 * h)
            forward = (-3.0 * l0 + 4.0 * lp1 - lp2) / (2.0 * h)
            backward = (3.0 * l0 - 4.0 * lm1 + lm2) / (2.0 * h)
        s = np.where(np.isfinite(central), central,
                     np.where(np.isfinite(forward), forward, backward))
        s = np.where(np.isfinite(l0) & np.isfinite(s), s, 0.0)
        return s[:, None]

    def _fisher_infinite(self):
        lo, hi = self.support
        for end, inward in ((lo, 1.0), (hi, -1.0)):
            if not np.isfinite(end):
                continue
            x = end + inward * 1e-9 * max(self._s, abs(end))
            with np.errstate(all="ignore"):
                p = float(self.frozen.pdf(x))
            if not p < 1e-6 / self._s:
                return (
                    f"the density does not vanish at the support end {end:g} "
                    f"(pdf ≈ {p:.3g} next to it): a jump there makes the location Fisher "
                    "information infinite"
                )
        return None

    def _sample(self, n, rng):
        return np.asarray(self.frozen.rvs(size=n, random_state=rng), dtype=float).reshape(n, 1)

    def _breakpoints(self):
        q = np.array([1e-9, 1e-6, 1e-3, 0.05, 0.25, 0.5, 0.75, 0.95, 0.999, 1 - 1e-6, 1 - 1e-9])
        with np.errstate(all="ignore"):
            pts = np.asarray(self.frozen.ppf(q), dtype=float)
        return pts[np.isfinite(pts)]

    def mean(self):
        m = float(self.frozen.mean())
        return np.array([m]) if np.isfinite(m) else None

    def cov(self):
        v = float(self.frozen.var())
        return np.array([[v]]) if np.isfinite(v) else None

    def _repr_params(self):
        return f"{self.frozen.dist.name}, args={self.frozen.args}, kwds={self.frozen.kwds}"
