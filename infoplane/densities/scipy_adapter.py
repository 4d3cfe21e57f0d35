"""Frozen :mod:`scipy.stats` distributions as infoplane densities."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .._validation import check_scalar
from ._base import Density
from .affine import Affine
from .beta import Beta
from .cauchy import Cauchy
from .gamma import Gamma
from .gaussian import Gaussian
from .gennorm import GeneralizedGaussian
from .laplace import Laplace
from .logistic import Logistic
from .student_t import StudentT
from .uniform import Uniform

__all__ = ["from_scipy", "ScipyDensity"]

_EXACT = ("norm", "laplace", "logistic", "t", "cauchy", "gennorm", "gamma", "expon", "beta",
          "uniform")


def _shape_names(dist: Any, n: int) -> list[str]:
    names = getattr(dist, "shapes", None)
    if names:
        out = [p.strip() for p in str(names).split(",")]
        if len(out) == n:
            return out
    return [f"shape{i}" for i in range(n)]


def _parse(frozen: Any) -> tuple[tuple[float, ...], float, float]:
    """Validated (shape parameters, loc, scale) of a frozen univariate continuous distribution.

    Raises
    ------
    TypeError
        A parameter is array-valued (a batch of distributions) or not a real number.
    ValueError
        ``scale <= 0``, a non-finite parameter, or shape parameters that scipy's own
        ``_argcheck`` rejects (scipy would answer NaN for them).
    """
    dist = frozen.dist
    shapes, loc, scale = dist._parse_args(*frozen.args, **frozen.kwds)
    names = _shape_names(dist, len(shapes))
    label = f"scipy.stats.{dist.name}"
    for name, value in (*zip(names, shapes), ("loc", loc), ("scale", scale)):
        if np.ndim(value) > 0:
            raise TypeError(
                f"`frozen` ({label}) has the array-valued parameter `{name}` of shape "
                f"{np.shape(value)}: it is a batch of distributions (vector-valued), and "
                "infoplane needs one scalar distribution. Freeze one distribution per "
                "parameter set."
            )
    shape_vals = tuple(check_scalar(n, v) for n, v in zip(names, shapes))
    loc_v = check_scalar("loc", loc)
    scale_v = check_scalar("scale", scale, positive=True)
    with np.errstate(all="ignore"):
        ok = bool(np.all(dist._argcheck(*shape_vals))) if shape_vals else True
    if not ok:
        given = ", ".join(f"{n}={v!r}" for n, v in zip(names, shape_vals))
        raise ValueError(
            f"invalid shape parameter(s) for {label}: {given} (scipy's "
            f"{dist.name}._argcheck rejects them; its logpdf would be NaN)."
        )
    return shape_vals, loc_v, scale_v


def _check_frozen(frozen: Any) -> None:
    from scipy import stats

    dist = getattr(frozen, "dist", None)
    if isinstance(dist, stats.rv_discrete):
        raise TypeError(
            f"`frozen` is the discrete {dist.name!r} distribution (scipy.stats.{dist.name}), "
            "which has no density (only a probability mass function): differential entropy, "
            "entropy power and Fisher information are defined for continuous distributions "
            "only."
        )
    if not isinstance(dist, stats.rv_continuous):
        kind = type(frozen).__name__
        module = type(frozen).__module__ or ""
        multi = "_multivariate" in module or hasattr(frozen, "_dist")
        what = (f"the multivariate (vector-valued) scipy object {kind}" if multi
                else f"a {kind}")
        raise TypeError(
            "`frozen` must be a frozen univariate continuous scipy.stats distribution "
            f"(e.g. scipy.stats.norm(0, 1)); got {what}. Multivariate "
            "scipy distributions are not converted: build an infoplane density instead "
            "(e.g. infoplane.Gaussian(mean, cov) or infoplane.MultivariateStudentT)."
        )


def from_scipy(frozen: Any) -> Density:
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
        For discrete, multivariate or non-scipy objects, array-valued (batched)
        parameters, or parameters that are not real numbers.
    ValueError
        For ``scale <= 0``, non-finite parameters, or shape parameters that scipy's own
        ``_argcheck`` rejects (e.g. ``lognorm(-0.5)``); the message names the parameter.

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
    _check_frozen(frozen)
    name = frozen.dist.name
    if name not in _EXACT:
        return ScipyDensity(frozen)
    shapes, loc, scale = _parse(frozen)
    if name == "norm":
        if not 1e-154 < scale < 1e154:
            # the variance scale² would leave float64: keep the scale in the affine map
            return Affine(Gaussian(0.0, 1.0), scale, loc)
        return Gaussian(loc, scale * scale)
    if name == "laplace":
        return Laplace(loc, scale)
    if name == "logistic":
        return Logistic(loc, scale)
    if name == "t":
        return StudentT(shapes[0], loc, scale)
    if name == "cauchy":
        return Cauchy(loc, scale)
    if name == "gennorm":
        return GeneralizedGaussian(shapes[0], loc, scale)
    if name == "uniform":
        high = loc + scale
        if not math.isfinite(high) or not high > loc:
            raise ValueError(f"`loc + scale` must be finite and > `loc`; got {loc!r} + {scale!r}.")
        return Uniform(loc, high)
    if name in ("gamma", "expon"):
        gbase = Gamma(shapes[0] if shapes else 1.0, scale)
        return gbase if loc == 0.0 else Affine(gbase, 1.0, loc)
    # beta
    base = Beta(*shapes)
    return base if (loc, scale) == (0.0, 1.0) else Affine(base, scale, loc)


class ScipyDensity(Density):
    r"""Any frozen univariate continuous scipy distribution, handled numerically.

    Parameters
    ----------
    frozen : scipy.stats frozen distribution

    Notes
    -----
    The log-density comes from scipy (a NaN from scipy inside the support is an error,
    never integrated as 0; invalid parameters are rejected up front). The score is a
    fourth-order central difference of ``logpdf``,
    :math:`(-\ell(x+2h) + 8\ell(x+h) - 8\ell(x-h) + \ell(x-2h))/(12h)`, with
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

    def __init__(self, frozen: Any) -> None:
        _check_frozen(frozen)
        _parse(frozen)
        self.frozen: Any = frozen
        lo, hi = frozen.support()
        self.support = (float(lo), float(hi))
        with np.errstate(all="ignore"):
            q1, med, q3 = frozen.ppf([0.25, 0.5, 0.75])
        self._s = float(q3 - q1) if np.isfinite(q3 - q1) and q3 > q1 else 1.0
        probe = self._lp(np.array([q1, med, q3], dtype=float))
        if not np.isfinite(probe).any():
            raise ValueError(
                f"scipy.stats.{frozen.dist.name} with args={frozen.args}, "
                f"kwds={frozen.kwds} has logpdf {probe.tolist()} at its quartiles "
                f"{[float(q1), float(med), float(q3)]}: its parameters are invalid or scipy "
                "cannot evaluate this density, so H and J cannot be computed."
            )

    @property
    def dim(self) -> int:
        return 1

    def _lp(self, x: np.ndarray) -> np.ndarray:
        with np.errstate(all="ignore"):
            return np.asarray(self.frozen.logpdf(x), dtype=float)

    def _logpdf(self, X: np.ndarray) -> np.ndarray:
        x = X[:, 0]
        lp = self._lp(x)
        nan = np.isnan(lp)
        if nan.any():
            lo, hi = self.support
            inside = nan & (x > lo) & (x < hi)
            if inside.any():
                raise ValueError(
                    f"scipy.stats.{self.frozen.dist.name} (args={self.frozen.args}, "
                    f"kwds={self.frozen.kwds}) returned a NaN logpdf at "
                    f"x={float(x[inside][0])!r}, inside its support {self.support}: scipy "
                    "cannot evaluate this density there, so H and J would be wrong."
                )
            lp = np.where(nan, -np.inf, lp)  # outside the support: density 0
        return lp

    def _score(self, X: np.ndarray) -> np.ndarray:
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

    def _fisher_infinite(self) -> str | None:
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

    def _sample(self, n: int, rng: np.random.Generator) -> np.ndarray:
        return np.asarray(self.frozen.rvs(size=n, random_state=rng), dtype=float).reshape(n, 1)

    def _breakpoints(self) -> np.ndarray:
        q = np.array([1e-9, 1e-6, 1e-3, 0.05, 0.25, 0.5, 0.75, 0.95, 0.999, 1 - 1e-6, 1 - 1e-9])
        with np.errstate(all="ignore"):
            pts = np.asarray(self.frozen.ppf(q), dtype=float)
        return pts[np.isfinite(pts)]

    def mean(self) -> np.ndarray | None:
        m = float(self.frozen.mean())
        return np.array([m]) if np.isfinite(m) else None

    def cov(self) -> np.ndarray | None:
        v = float(self.frozen.var())
        return np.array([[v]]) if np.isfinite(v) else None

    def _repr_params(self) -> str:
        return f"{self.frozen.dist.name}, args={self.frozen.args}, kwds={self.frozen.kwds}"
