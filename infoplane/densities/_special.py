r"""Special-function forms that stay accurate for huge shape parameters (private).

Closed-form entropies of the gamma, beta and Student t families combine
:math:`\ln\Gamma` and :math:`\psi` terms that grow like :math:`x\ln x` and cancel to O(1)
(or to O(1/x)); evaluated naively they lose everything at :math:`x \sim 10^{15}`. Here
every such combination is rewritten with the remainders of Stirling's series,

.. math:: \mu(x) = \ln\Gamma(x) - \left[(x-\tfrac12)\ln x - x + \tfrac12\ln 2\pi\right],
          \qquad
          \nu(x) = \psi(x) - \ln x + \frac{1}{2x},

so that the large terms cancel analytically and only small, well-conditioned terms are
added in floating point. For :math:`x \ge 10` both remainders come from their asymptotic
series (Bernoulli numbers :math:`B_{2n}`, n ≤ 8; truncation error below 4e-18),

.. math:: \mu(x) = \sum_n \frac{B_{2n}}{2n(2n-1)x^{2n-1}}, \qquad
          \nu(x) = -\sum_n \frac{B_{2n}}{2n\,x^{2n}},

and for :math:`x < 10` from :func:`scipy.special.gammaln` / ``digamma`` directly (the
subtracted terms are then small, so nothing cancels badly).

References
----------
Abramowitz & Stegun (1964), Handbook of Mathematical Functions, 6.1.40 and 6.3.18.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import special

__all__ = [
    "stirling_remainder",
    "digamma_remainder",
    "lgamma_diff",
    "gamma_entropy",
    "beta_entropy",
    "t_entropy",
    "log1pmx",
    "exp_or_inf",
    "div_by_square",
    "logsumexp",
]

_HALF_LOG_2PI = 0.5 * math.log(2.0 * math.pi)
_ASYMPTOTIC_FROM = 10.0
# B_2, B_4, ..., B_16
_BERNOULLI = (1 / 6, -1 / 30, 1 / 42, -1 / 30, 5 / 66, -691 / 2730, 7 / 6, -3617 / 510)
_MU_COEF = tuple(b / ((2 * n) * (2 * n - 1)) for n, b in enumerate(_BERNOULLI, start=1))
_NU_COEF = tuple(-b / (2 * n) for n, b in enumerate(_BERNOULLI, start=1))
_LOG_MAX = math.log(np.finfo(float).max)


def stirling_remainder(x: float) -> float:
    r"""μ(x) = ln Γ(x) − [(x − ½) ln x − x + ½ ln 2π] for x > 0."""
    if x >= _ASYMPTOTIC_FROM:
        r = 1.0 / x
        r2 = r * r
        acc = 0.0
        for c in reversed(_MU_COEF):
            acc = acc * r2 + c
        return acc * r
    return float(special.gammaln(x)) - ((x - 0.5) * math.log(x) - x + _HALF_LOG_2PI)


def digamma_remainder(x: float) -> float:
    r"""ν(x) = ψ(x) − ln x + 1/(2x) for x > 0."""
    if x >= _ASYMPTOTIC_FROM:
        r2 = 1.0 / (x * x)
        acc = 0.0
        for c in reversed(_NU_COEF):
            acc = acc * r2 + c
        return acc * r2
    return float(special.digamma(x)) - math.log(x) + 0.5 / x


def lgamma_diff(x: float, h: float) -> float:
    r"""ln Γ(x + h) − ln Γ(x) for x > 0, h ≥ 0, without cancellation for huge x.

    :math:`(x-\tfrac12)\,\mathrm{log1p}(h/x) + h\ln(x+h) - h + \mu(x+h) - \mu(x)`.
    """
    return (
        (x - 0.5) * math.log1p(h / x) + h * math.log(x + h) - h
        + stirling_remainder(x + h) - stirling_remainder(x)
    )


def gamma_entropy(k: float) -> float:
    r"""Entropy of Gamma(k, 1): :math:`k + \ln\Gamma(k) + (1-k)\psi(k)`.

    Rewritten as :math:`\tfrac12\ln(2\pi e k) - \tfrac{1}{2k} + \mu(k) + (1-k)\nu(k)`,
    which tends to the Gaussian value ½ ln(2πek) − 1/(3k) + O(k⁻²) without cancellation.
    """
    return (
        0.5 * (math.log(2.0 * math.pi * k) + 1.0) - 0.5 / k
        + stirling_remainder(k) + (1.0 - k) * digamma_remainder(k)
    )


def beta_entropy(a: float, b: float) -> float:
    r"""Entropy of Beta(a, b): ln B(a,b) − (a−1)ψ(a) − (b−1)ψ(b) + (a+b−2)ψ(a+b).

    With c = a + b this equals
    :math:`\tfrac12\ln(2\pi e\,ab/c^3) - \tfrac1{2a} - \tfrac1{2b} + \tfrac1c
    + \mu(a) + \mu(b) - \mu(c) - (a-1)\nu(a) - (b-1)\nu(b) + (c-2)\nu(c)`.
    """
    c = a + b
    log_ratio = math.log(a / c) + math.log(b / c) - math.log(c)
    return (
        0.5 * (math.log(2.0 * math.pi) + 1.0 + log_ratio)
        - 0.5 / a - 0.5 / b + 1.0 / c
        + stirling_remainder(a) + stirling_remainder(b) - stirling_remainder(c)
        - (a - 1.0) * digamma_remainder(a) - (b - 1.0) * digamma_remainder(b)
        + (c - 2.0) * digamma_remainder(c)
    )


def t_entropy(nu: float, d: int) -> float:
    r"""Entropy of the standard d-variate t with ν degrees of freedom and identity shape.

    :math:`\ln\Gamma(x) - \ln\Gamma(a) + h\ln(\nu\pi) + a[\psi(a) - \psi(x)]` with
    x = ν/2, h = d/2, a = x + h, rewritten as
    :math:`h\ln(2\pi e) + \tfrac12\mathrm{log1p}(h/x) + \tfrac{h}{2x} + \mu(x) - \mu(a)
    + a[\nu(a) - \nu(x)]`: the Gaussian value plus O(1/ν) terms.
    """
    x = 0.5 * nu
    h = 0.5 * d
    a = x + h
    return (
        h * (math.log(2.0 * math.pi) + 1.0) + 0.5 * math.log1p(h / x) + 0.5 * h / x
        + stirling_remainder(x) - stirling_remainder(a)
        + a * (digamma_remainder(a) - digamma_remainder(x))
    )


def log1pmx(r: np.ndarray) -> np.ndarray:
    """log(1 + r) − r, accurate also for small |r| (where it is ≈ −r²/2); r > −1."""
    r = np.asarray(r, dtype=float)
    out = np.empty_like(r)
    small = np.abs(r) < 0.25
    with np.errstate(divide="ignore", invalid="ignore"):
        out[~small] = np.log1p(r[~small]) - r[~small]
    # Σ_{n≥2} (−1)^{n+1} rⁿ / n up to n = 28: the first omitted term is < 1e-16 of r²/2
    rs = r[small]
    acc = np.zeros_like(rs)
    for n in range(28, 1, -1):
        acc = acc * rs + (-1.0 if n % 2 == 0 else 1.0) / n
    out[small] = acc * rs * rs
    return out


def exp_or_inf(log_v: float) -> float:
    """``exp(log_v)``, or ``inf`` where that overflows float64 (NaN stays NaN)."""
    if log_v > _LOG_MAX:
        return math.inf
    return math.exp(log_v)


def div_by_square(j: float, s: float) -> float:
    """j / s² for j ≥ 0, s > 0 without spurious under/overflow of s² (inf when J is)."""
    s2 = s * s
    if 1e-290 < s2 < 1e290:
        with np.errstate(over="ignore"):
            return float(np.float64(j) / s2)
    if j == 0.0:
        return 0.0
    return exp_or_inf(math.log(j) - 2.0 * math.log(s))


def logsumexp(v: np.ndarray) -> float:
    """ln Σ exp(vᵢ) of a 1-D array (plain NumPy: no array-API dispatch, no torch probe)."""
    v = np.asarray(v, dtype=float)
    m = float(np.max(v))
    if not math.isfinite(m):
        return m
    return m + math.log(float(np.sum(np.exp(v - m))))
