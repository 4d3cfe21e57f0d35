"""Scale equivariance of closed forms and of the FS point, scales 1e-300 to 1e300 (issue #10).

For a scale family, H(s) = H(1) + ln s, ln J(s) = ln J(1) - 2 ln s and N·J/d does not
depend on s. N and J alone leave float64 near the ends of that range (J = 1e400 at
s = 1e-200); the product never does. Truths: the scale-1 values from textbook constants
or ``mpmath`` (60 digits), shifted by ``ln s`` in ``mpmath``.

Tolerances: H within ``1e-14 * max(1, |H*|)`` (one rounding of H(1) + ln s); ln J and
ln N within ``1e-14 * max(1, |ln J*|)``; N·J/d within a relative
``1e-14 * (1 + |2H*/d| + |ln J*|)`` (the exponent of ``exp(2H/d - ln 2πe + ln J - ln d)``
carries a few ulp of its largest term; at s = 1e±300 that is about 1e-11).
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

LOG10_SCALES = st.floats(-300.0, 300.0)
FMAX = mp.mpf(np.finfo(float).max)
FMIN = mp.mpf(np.finfo(float).tiny)
LN2PIE = mp.log(2 * mp.pi * mp.e)


def _t_h(nu):
    nu = mp.mpf(nu)
    x, a = nu / 2, (nu + 1) / 2
    return (mp.loggamma(x) - mp.loggamma(a) + mp.log(nu * mp.pi) / 2
            + a * (mp.digamma(a) - mp.digamma(x)))


def _gg(beta):
    b = mp.mpf(beta)
    return 1 / b - mp.log(b / (2 * mp.gamma(1 / b))), b**2 * mp.gamma(2 - 1 / b) / mp.gamma(1 / b)


def _gamma(k):
    k = mp.mpf(k)
    return k + mp.loggamma(k) + (1 - k) * mp.digamma(k), 1 / (k - 2)


# name -> (factory(scale), H(1), J(1)) in 1-D; H and J at scale 1 from textbook formulas
FAMILIES = {
    "laplace": (lambda s: ip.Laplace(1.0, s), 1 + mp.log(2), mp.mpf(1)),
    "logistic": (lambda s: ip.Logistic(-2.0, s), mp.mpf(2), mp.mpf(1) / 3),
    "cauchy": (lambda s: ip.Cauchy(0.0, s), mp.log(4 * mp.pi), mp.mpf(1) / 2),
    "student_t3": (lambda s: ip.StudentT(3.0, 0.0, s), _t_h(3), mp.mpf(4) / 6),
    "gennorm1.5": (lambda s: ip.GeneralizedGaussian(1.5, 0.0, s), *_gg(1.5)),
    "gamma5": (lambda s: ip.Gamma(5.0, s), *_gamma(5)),
    "affine_gauss": (lambda s: ip.Affine(ip.Gaussian(0.0, 1.0), -s, 3.0),
                     mp.log(2 * mp.pi * mp.e) / 2, mp.mpf(1)),
    "affine_laplace": (lambda s: ip.Affine(ip.Laplace(), s, 0.0), 1 + mp.log(2), mp.mpf(1)),
}


def _check_point(p, h_true, lj_true, d):
    """Compare an FSPoint with mpmath truths for H, ln J (traces) in dimension d."""
    assert abs(p.entropy.value - float(h_true)) <= 1e-14 * max(1.0, abs(float(h_true)))
    # J: exact in log space; value exp(ln J) where float64 holds it, else inf/0 + reason
    lj_tol = 1e-14 * max(1.0, abs(float(lj_true)))
    assert abs(p.J.log_value - float(lj_true)) <= lj_tol
    j_true = mp.exp(lj_true)
    if FMIN <= j_true <= FMAX:
        assert p.J.value == pytest.approx(float(j_true), rel=4 * lj_tol + 1e-15)
        assert p.J.reason is None
    elif j_true > FMAX:
        assert p.J.value == math.inf and "overflows" in p.J.reason
    else:
        assert p.J.value < 2.3e-308 and "underflows" in p.J.reason
    # N likewise
    ln_n = 2 * h_true / d - LN2PIE
    assert abs(p.N.log_value - float(ln_n)) <= 1e-14 * max(1.0, abs(float(ln_n)))
    n_true = mp.exp(ln_n)
    if n_true > FMAX:
        assert p.N.value == math.inf and "overflows" in p.N.reason
    elif n_true < FMIN:
        assert p.N.value < 2.3e-308 and "underflows" in p.N.reason
    # N·J/d: scale-free and always representable here
    prod_true = mp.exp(ln_n + lj_true) / d
    tol = 1e-14 * (1 + abs(float(2 * h_true / d)) + abs(float(lj_true)))
    assert abs(p.product.value - float(prod_true)) <= tol * float(prod_true)
    assert p.product.reason is None and p.product.stderr == 0.0


@pytest.mark.parametrize("name", list(FAMILIES))
@settings(max_examples=40)
@given(LOG10_SCALES)
def test_scale_family_fs_point_any_scale(name, log10_s):
    make, h1, j1 = FAMILIES[name]
    s = 10.0**log10_s
    ln_s = mp.log(mp.mpf(s))
    _check_point(ip.fs_point(make(s)), h1 + ln_s, mp.log(j1) - 2 * ln_s, 1)


@settings(max_examples=40)
@given(LOG10_SCALES, st.integers(1, 4))
def test_isotropic_gaussian_any_variance(log10_v, d):
    """cov = v·I with v from 1e-300 to 1e300: N = v, J = d/v and N·J/d = 1."""
    v = 10.0**log10_v
    ln_v = mp.log(mp.mpf(v))
    h = d * (LN2PIE + ln_v) / 2
    _check_point(ip.fs_point(ip.Gaussian(np.zeros(d), v)), h, mp.log(d) - ln_v, d)


@settings(max_examples=40)
@given(LOG10_SCALES, LOG10_SCALES)
def test_diagonal_gaussian_spanning_the_range(log10_a, log10_b):
    """Variances a and b far apart: tr(Σ⁻¹) = 1/a + 1/b must not overflow or cancel."""
    a, b = 10.0**log10_a, 10.0**log10_b
    la, lb = mp.log(mp.mpf(a)), mp.log(mp.mpf(b))
    h = LN2PIE + (la + lb) / 2
    lj = mp.log(mp.exp(-la) + mp.exp(-lb))
    p = ip.fs_point(ip.Gaussian([0.0, 0.0], [a, b]))
    assert abs(p.J.log_value - float(lj)) <= 1e-14 * max(1.0, abs(float(lj)))
    prod_true = mp.exp(h - LN2PIE + lj) / 2  # AM-GM: >= 1
    lp = float(mp.log(prod_true))
    assert abs(p.product.log_value - lp) <= 1e-14 * (1 + abs(float(h)) + abs(float(lj)))
    assert p.product.value >= 1.0 - 1e-12


@settings(max_examples=40)
@given(LOG10_SCALES)
def test_product_of_equal_scale_components(log10_s):
    s = 10.0**log10_s
    ln_s = mp.log(mp.mpf(s))
    p = ip.fs_point(ip.Laplace(0.0, s) * ip.Logistic(0.0, s))
    h = 1 + mp.log(2) + 2 + 2 * ln_s
    lj = mp.log(1 + mp.mpf(1) / 3) - 2 * ln_s
    _check_point(p, h, lj, 2)


@settings(max_examples=40)
@given(LOG10_SCALES)
def test_uniform_entropy_any_width(log10_w):
    w = 10.0**log10_w
    e = ip.entropy(ip.Uniform(-0.5 * w, 0.5 * w))
    assert abs(e.value - float(mp.log(mp.mpf(w)))) <= 1e-14 * max(1.0, abs(math.log(w)))
    assert math.isinf(ip.fisher(ip.Uniform(0.0, w)).value)
