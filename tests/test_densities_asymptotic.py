"""Closed forms over shape parameters from 1e-3 to 1e15 against mpmath (issue #10).

Truths are the textbook formulas (Lazo & Rathie 1978 for H; Lange, Little & Taylor 1989
and Nadarajah 2005 for J) evaluated by ``mpmath`` with 60 significant digits, so the
cancellation that ruins them in float64 (ln Γ(k) + (1-k)ψ(k) at k = 1e15) does not touch
the reference. The library instead uses Stirling-remainder forms; nothing here calls them.

Tolerances (stated, with margin over what was measured):

* entropy: ``|H - H*| <= 2e-14 * max(1, |H*|)`` (worst measured 2.4e-15);
* Stam product: relative error ``<= 1e-14 * (1 + |2H*/d| + |ln J*|)``: the product is
  ``exp(2H/d - ln 2πe + ln J - ln d)``, so an absolute rounding of its exponent (a few ulp
  of the largest term) becomes its relative error (worst measured 1.2e-13 at H ≈ 240);
* Stam's inequality: ``N·J/d >= 1 - 1e-12`` for every closed form.
"""

from __future__ import annotations

import math

import mpmath as mp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import infoplane as ip

mp.mp.dps = 60

SHAPES = st.floats(-3.0, 15.0).map(lambda e: 10.0**e)
H_RTOL = 2e-14


def _mp_gamma(k):
    k = mp.mpf(k)
    h = k + mp.loggamma(k) + (1 - k) * mp.digamma(k)
    j = 1 / (k - 2) if k > 2 else None
    return h, j


def _mp_beta(a, b):
    a, b = mp.mpf(a), mp.mpf(b)
    h = (mp.loggamma(a) + mp.loggamma(b) - mp.loggamma(a + b) - (a - 1) * mp.digamma(a)
         - (b - 1) * mp.digamma(b) + (a + b - 2) * mp.digamma(a + b))
    j = (a + b - 1) * (a + b - 2) * (1 / (a - 2) + 1 / (b - 2)) if min(a, b) > 2 else None
    return h, j


def _mp_t(nu, d):
    nu = mp.mpf(nu)
    x, a = nu / 2, (nu + d) / 2
    h = (mp.loggamma(x) - mp.loggamma(a) + mp.mpf(d) / 2 * mp.log(nu * mp.pi)
         + a * (mp.digamma(a) - mp.digamma(x)))
    return h, d * (nu + d) / (nu + d + 2)


def _mp_gennorm(beta):
    b = mp.mpf(beta)
    h = 1 / b - mp.log(b / (2 * mp.gamma(1 / b)))
    j = b**2 * mp.gamma(2 - 1 / b) / mp.gamma(1 / b) if b > mp.mpf(1) / 2 else None
    return h, j


def _check(density, truth, d=1):
    h_true, j_true = truth
    p = ip.fs_point(density)
    h = p.entropy.value
    assert abs(h - float(h_true)) <= H_RTOL * max(1.0, abs(float(h_true))), (h, h_true)
    if j_true is None:
        assert math.isinf(p.fisher.value) and p.fisher.reason
        assert p.product.value == math.inf
        return
    prod_true = mp.exp(2 * h_true / d) / (2 * mp.pi * mp.e) * j_true / d
    tol = 1e-14 * (1 + abs(float(2 * h_true / d)) + abs(float(mp.log(j_true))))
    r = p.product.value
    # ln(N·J/d) is kept exactly even where the product itself overflows float64
    assert abs(p.product.log_value - float(mp.log(prod_true))) <= tol
    if prod_true < mp.mpf(np.finfo(float).max):
        assert abs(r - float(prod_true)) <= tol * float(prod_true), (r, prod_true)
    else:
        assert r == math.inf and "overflows" in p.product.reason
    assert r >= 1.0 - 1e-12  # Stam
    assert p.product.stderr == 0.0 and p.product.method == "closed-form"


@settings(max_examples=60)
@given(SHAPES)
def test_gamma_entropy_and_stam(k):
    _check(ip.Gamma(k), _mp_gamma(k))


@settings(max_examples=60)
@given(SHAPES, SHAPES)
def test_beta_entropy_and_stam(a, b):
    _check(ip.Beta(a, b), _mp_beta(a, b))


@settings(max_examples=60)
@given(SHAPES)
def test_student_t_entropy_and_stam(nu):
    _check(ip.StudentT(nu), _mp_t(nu, 1))


@settings(max_examples=40)
@given(SHAPES, st.integers(2, 4))
def test_multivariate_t_entropy_and_stam(nu, d):
    _check(ip.MultivariateStudentT(nu, np.zeros(d), 1.0), _mp_t(nu, d), d)


@settings(max_examples=60)
@given(SHAPES)
def test_generalized_gaussian_entropy_and_stam(beta):
    _check(ip.GeneralizedGaussian(beta), _mp_gennorm(beta))


@pytest.mark.parametrize(
    "density, truth",
    [
        (ip.Gaussian(0.0, 1.0), mp.mpf(1)),
        (ip.Laplace(), 2 * mp.e / mp.pi),
        (ip.Logistic(), mp.e**3 / (6 * mp.pi)),
        (ip.Cauchy(), 4 * mp.pi / mp.e),
    ],
    ids=["gaussian", "laplace", "logistic", "cauchy"],
)
def test_shape_free_families_stam_constant(density, truth):
    r = ip.fs_point(density).product.value
    assert r == pytest.approx(float(truth), rel=1e-14)
    assert r >= 1.0 - 1e-12


def test_issue_10_examples():
    """The three numbers quoted in issue #10, against their mpmath truths."""
    assert ip.entropy(ip.Gamma(1e15, 1)).value == pytest.approx(
        float(_mp_gamma(1e15)[0]), rel=H_RTOL)
    assert ip.entropy(ip.Beta(1e15, 1e15)).value == pytest.approx(
        float(_mp_beta(1e15, 1e15)[0]), rel=H_RTOL)
    h, j = _mp_t(1e12, 1)
    r = ip.fs_point(ip.StudentT(1e12)).product.value
    assert r >= 1.0 and r == pytest.approx(float(mp.exp(2 * h) / (2 * mp.pi * mp.e) * j),
                                           rel=1e-13)


@settings(max_examples=30)
@given(st.floats(1.0, 15.0).map(lambda e: 10.0**e), st.floats(-3.0, 3.0))
def test_large_shape_log_densities_match_mpmath(shape, z):
    """Gamma, Beta and Student t log-densities near the bulk (z standard deviations out)."""
    k = shape
    x = k + z * math.sqrt(k)
    if x > 0:
        ref = float((k - 1) * mp.log(mp.mpf(x)) - x - mp.loggamma(k))
        assert ip.Gamma(k).logpdf(x) == pytest.approx(ref, abs=1e-12 * max(1, abs(ref)))
    a = b = k
    xb = 0.5 + z * 0.5 / math.sqrt(2 * k + 1)
    if 0 < xb < 1:
        ref = float((a - 1) * mp.log(mp.mpf(xb)) + (b - 1) * mp.log(1 - mp.mpf(xb))
                    - (mp.loggamma(a) + mp.loggamma(b) - mp.loggamma(mp.mpf(a) + b)))
        assert ip.Beta(a, b).logpdf(xb) == pytest.approx(ref, abs=1e-12 * max(1, abs(ref)))
    nu = mp.mpf(k)
    ref = float(mp.loggamma((nu + 1) / 2) - mp.loggamma(nu / 2) - mp.log(nu * mp.pi) / 2
                - (nu + 1) / 2 * mp.log1p(mp.mpf(z) ** 2 / nu))
    assert ip.StudentT(k).logpdf(z) == pytest.approx(ref, abs=1e-13)
