"""Bad and extreme inputs to densities and the scipy adapter (issues #9 and #10).

Table-driven. Each row of ``ERRORS`` asserts the exception type and message fragments
that name the offending argument (and, for values out of range, the bound and the value;
for type errors, the type received). Each row of ``VALUES`` is an input at the edge of
what is valid, with an independent truth (a textbook constant, ``math``, or ``mpmath`` at
60 digits on the textbook formula) and a stated relative tolerance.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Callable

import mpmath as mp
import numpy as np
import pytest
from scipy import special, stats

import infoplane as ip

# ----------------------------------------------------------------------------- errors
ERRORS: list[tuple[str, Callable[[], object], type, tuple[str, ...]]] = [
    # Gaussian: strings, None and booleans are type errors naming the argument
    ("gauss-mean-str", lambda: ip.Gaussian("a", 1), TypeError, ("`mean`", "str")),
    ("gauss-mean-none", lambda: ip.Gaussian(None, 1), TypeError, ("`mean`", "NoneType")),
    ("gauss-cov-numeric-str", lambda: ip.Gaussian(0, "4"), TypeError, ("`cov`", "str")),
    ("gauss-cov-bool", lambda: ip.Gaussian(0, True), TypeError, ("`cov`", "bool")),
    ("gauss-cov-complex", lambda: ip.Gaussian(0, 1 + 0j), TypeError, ("`cov`", "complex")),
    ("gauss-mean-str-array", lambda: ip.Gaussian(np.array(["1", "2"]), 1.0), TypeError,
     ("`mean`", "dtype <U1")),
    ("gauss-cov-str-in-list", lambda: ip.Gaussian([0, 0], [[1, 0], [0, "1"]]), TypeError,
     ("`cov`", "str")),
    ("gauss-mean-bool-in-list", lambda: ip.Gaussian([True, 0.0], 1.0), TypeError,
     ("`mean`", "bool")),
    ("gauss-cov-negative", lambda: ip.Gaussian(0, -1.0), ValueError,
     ("`cov` must be > 0", "-1.0")),
    ("gauss-mean-nan", lambda: ip.Gaussian(np.nan, 1.0), ValueError, ("`mean`", "finite")),
    ("gauss-cov-ragged", lambda: ip.Gaussian([0, 0], [[1, 0], [0]]), ValueError,
     ("`cov`", "ragged")),
    ("gauss-cov-not-pd", lambda: ip.Gaussian([0, 0], [[1, 2], [2, 1]]), ValueError,
     ("`cov`", "positive definite", "-1")),
    # location-scale families share LocationScale's checks
    ("laplace-scale-str", lambda: ip.Laplace(0, "1"), TypeError, ("`scale`", "str")),
    ("laplace-loc-str", lambda: ip.Laplace("0", 1), TypeError, ("`loc`", "str")),
    ("laplace-scale-zero", lambda: ip.Laplace(0, 0), ValueError,
     ("`scale` must be > 0", "0.0")),
    ("laplace-scale-inf", lambda: ip.Laplace(0, np.inf), ValueError, ("`scale`", "finite")),
    ("logistic-loc-none", lambda: ip.Logistic(None), TypeError, ("`loc`", "NoneType")),
    ("logistic-scale-negative", lambda: ip.Logistic(0, -2), ValueError,
     ("`scale` must be > 0", "-2.0")),
    ("cauchy-scale-bool", lambda: ip.Cauchy(0, False), TypeError, ("`scale`", "bool")),
    ("cauchy-scale-list", lambda: ip.Cauchy(0, [1.0]), TypeError, ("`scale`", "list")),
    ("t-df-str", lambda: ip.StudentT("3"), TypeError, ("`df`", "str")),
    ("t-df-bool", lambda: ip.StudentT(True), TypeError, ("`df`", "bool")),
    ("t-df-zero", lambda: ip.StudentT(0), ValueError, ("`df` must be > 0", "0.0")),
    ("mvt-loc-str", lambda: ip.MultivariateStudentT(3, [0, "0"], 1.0), TypeError,
     ("`loc`", "str")),
    ("mvt-shape-not-pd", lambda: ip.MultivariateStudentT(3, 0.0, [[1, 2], [2, 1]]),
     ValueError, ("`shape`", "positive definite")),
    ("mvt-df-negative", lambda: ip.MultivariateStudentT(-1, 0.0, 1.0), ValueError,
     ("`df` must be > 0", "-1.0")),
    ("gennorm-beta-str", lambda: ip.GeneralizedGaussian("2"), TypeError, ("`beta`", "str")),
    ("gennorm-beta-negative", lambda: ip.GeneralizedGaussian(-1), ValueError,
     ("`beta` must be > 0", "-1.0")),
    # bounded families
    ("gamma-shape-none", lambda: ip.Gamma(None), TypeError, ("`shape`", "NoneType")),
    ("gamma-scale-str", lambda: ip.Gamma(2, "1"), TypeError, ("`scale`", "str")),
    ("gamma-shape-negative", lambda: ip.Gamma(-1), ValueError,
     ("`shape` must be > 0", "-1.0")),
    ("beta-a-bool", lambda: ip.Beta(True, 2), TypeError, ("`a`", "bool")),
    ("beta-b-str", lambda: ip.Beta(2, "3"), TypeError, ("`b`", "str")),
    ("beta-b-zero", lambda: ip.Beta(2, 0), ValueError, ("`b` must be > 0", "0.0")),
    ("uniform-low-str", lambda: ip.Uniform("0", 1), TypeError, ("`low`", "str")),
    ("uniform-reversed", lambda: ip.Uniform(1, 0), ValueError,
     ("`high` must be > `low`", "1.0", "0.0")),
    # mixtures
    ("mix-weight-str", lambda: ip.GaussianMixture([0.5, "0.5"], [0, 1], [1, 1]), TypeError,
     ("`weights`", "str")),
    ("mix-weights-sum", lambda: ip.GaussianMixture([0.5, 0.6], [0, 1], [1, 1]), ValueError,
     ("`weights` must sum to 1", "1.1")),
    ("mix-weight-negative", lambda: ip.GaussianMixture([1.5, -0.5], [0, 1], [1, 1]),
     ValueError, ("`weights` must be >= 0", "-0.5")),
    ("mix-means-none", lambda: ip.GaussianMixture([1.0], None, [1.0]), TypeError,
     ("`means`", "NoneType")),
    ("mix-covs-bool", lambda: ip.GaussianMixture([0.5, 0.5], [0, 1], [1.0, True]), TypeError,
     ("`covs`", "bool")),
    ("mix-covs-negative", lambda: ip.GaussianMixture([0.5, 0.5], [0, 1], [1.0, -1.0]),
     ValueError, ("`covs` must be > 0", "-1.0")),
    ("mix-means-inf", lambda: ip.GaussianMixture([0.5, 0.5], [0, np.inf], [1.0, 1.0]),
     ValueError, ("`means`", "finite", "inf")),
    # combinators
    ("product-str", lambda: ip.Product(["a"]), TypeError, ("`components[0]`", "str")),
    ("product-int", lambda: ip.Product(5), TypeError, ("`components`", "int")),
    ("product-empty", lambda: ip.Product([]), ValueError, ("`components`", "none")),
    ("affine-base-int", lambda: ip.Affine(5), TypeError, ("`base`", "int")),
    ("affine-A-str", lambda: ip.Affine(ip.Laplace(), "2"), TypeError, ("`A`", "str")),
    ("affine-A-zero", lambda: ip.Affine(ip.Laplace(), 0), ValueError, ("`A`", "invertible")),
    ("affine-b-none", lambda: ip.Affine(ip.Laplace(), 1.0, None), TypeError,
     ("`b`", "NoneType")),
    ("affine-b-length", lambda: ip.Affine(ip.Gaussian([0, 0], 1.0), 1.0, [1.0, 2.0, 3.0]),
     ValueError, ("`b`", "length 2", "3")),
    # public methods
    ("logpdf-x-str", lambda: ip.Gaussian().logpdf("1.0"), TypeError, ("`x`", "str")),
    ("score-x-none", lambda: ip.Laplace().score(None), TypeError, ("`x`", "NoneType")),
    ("sample-size-bool", lambda: ip.Gaussian().sample(True), TypeError, ("`size`", "bool")),
    ("sample-size-float", lambda: ip.Gaussian().sample(2.0), TypeError, ("`size`", "float")),
    # scipy adapter
    ("scipy-negative-scale", lambda: ip.fisher(stats.norm(0, -1)), ValueError,
     ("`scale` must be > 0", "-1")),
    ("scipy-zero-scale", lambda: ip.entropy(stats.laplace(0, 0)), ValueError,
     ("`scale` must be > 0", "0")),
    ("scipy-str-loc", lambda: ip.entropy(stats.norm("0", 1)), TypeError, ("`loc`", "str")),
    ("scipy-nan-df", lambda: ip.fisher(stats.t(np.nan)), ValueError, ("`df`", "finite")),
    ("scipy-invalid-shape", lambda: ip.entropy(stats.lognorm(-0.5)), ValueError,
     ("lognorm", "s=-0.5", "_argcheck")),
    ("scipy-invalid-shape-generic", lambda: ip.fisher(stats.gumbel_r(0, -2)), ValueError,
     ("`scale` must be > 0", "-2")),
    ("scipy-invalid-beta", lambda: ip.from_scipy(stats.beta(-1, 2)), ValueError,
     ("beta", "a=-1.0", "_argcheck")),
    ("scipy-discrete", lambda: ip.fisher(stats.poisson(3)), TypeError,
     ("discrete", "poisson", "no density")),
    ("scipy-discrete-entropy", lambda: ip.entropy(stats.binom(10, 0.3)), TypeError,
     ("discrete", "binom", "no density")),
    ("scipy-multivariate", lambda: ip.fisher(stats.multivariate_normal([0, 0])), TypeError,
     ("multivariate", "multivariate_normal_frozen")),
    ("scipy-batched-loc", lambda: ip.fisher(stats.norm([0, 1], 1)), TypeError,
     ("array-valued parameter `loc`", "(2,)")),
    ("scipy-batched-shape", lambda: ip.entropy(stats.t(df=[3, 4])), TypeError,
     ("array-valued parameter `df`",)),
]


@pytest.mark.parametrize("make, exc, fragments", [c[1:] for c in ERRORS],
                         ids=[c[0] for c in ERRORS])
def test_bad_input_raises_a_named_error(make, exc, fragments):
    with pytest.raises(exc) as info:
        make()
    msg = str(info.value)
    for frag in fragments:
        assert frag in msg, f"{frag!r} not in {msg!r}"


def test_scipy_nan_logpdf_inside_the_support_raises():
    """A density scipy cannot evaluate (NaN) is never integrated as zero."""

    class HalfBroken(stats.rv_continuous):  # a normal whose pdf is NaN beyond 1.5
        def _pdf(self, x):
            return np.where(x > 1.5, np.nan, np.exp(-0.5 * x * x) / math.sqrt(2 * math.pi))

        def _cdf(self, x):
            return special.ndtr(x)

        def _ppf(self, q):
            return special.ndtri(q)

    frozen = HalfBroken(name="half_broken")()
    with pytest.raises(ValueError, match="NaN logpdf"):
        ip.entropy(frozen)


# ----------------------------------------------------------------------------- values
mp.mp.dps = 60


def _mp_gamma_entropy(k):
    k = mp.mpf(k)
    return float(k + mp.loggamma(k) + (1 - k) * mp.digamma(k))


def _mp_beta_entropy(a, b):
    a, b = mp.mpf(a), mp.mpf(b)
    return float(mp.loggamma(a) + mp.loggamma(b) - mp.loggamma(a + b) - (a - 1) * mp.digamma(a)
                 - (b - 1) * mp.digamma(b) + (a + b - 2) * mp.digamma(a + b))


def _mp_t_stam(nu):
    nu = mp.mpf(nu)
    x, a = nu / 2, (nu + 1) / 2
    h = (mp.loggamma(x) - mp.loggamma(a) + mp.log(nu * mp.pi) / 2
         + a * (mp.digamma(a) - mp.digamma(x)))
    return float(mp.exp(2 * h) / (2 * mp.pi * mp.e) * (nu + 1) / (nu + 3))


LN10 = math.log(10.0)

VALUES: list[tuple[str, Callable[[], float], Callable[[], float], float]] = [
    # accepted numeric types: NumPy scalars, 0-d arrays, fractions
    ("gauss-numpy-scalars", lambda: ip.fisher(ip.Gaussian(np.float32(0.5), np.int64(4))).value,
     lambda: 0.25, 0.0),
    ("gauss-0d-array", lambda: ip.entropy(ip.Gaussian(np.array(0.0), np.array(2.0))).value,
     lambda: 0.5 * math.log(2 * math.pi * math.e * 2.0), 1e-15),
    ("mix-fraction-weights",
     lambda: float(ip.GaussianMixture([Fraction(1, 4), Fraction(3, 4)], [0, 2], [1, 1]).mean()[0]),
     lambda: 1.5, 0.0),
    # widths and scales at the ends of float64
    ("uniform-full-range", lambda: ip.entropy(ip.Uniform(-1e308, 1e308)).value,
     lambda: math.log(2.0) + 308 * LN10, 1e-15),
    ("laplace-tiny-scale-product", lambda: ip.fs_point(ip.Laplace(0, 1e-200)).product.value,
     lambda: 2 * math.e / math.pi, 1e-12),
    ("laplace-tiny-scale-logJ", lambda: ip.fisher(ip.Laplace(0, 1e-200)).log_value,
     lambda: 400 * LN10, 1e-14),
    ("laplace-huge-scale-logN", lambda: ip.entropy_power(ip.Laplace(0, 1e200)).log_value,
     lambda: 2 * (1 + math.log(2.0) + 200 * LN10) - math.log(2 * math.pi * math.e), 1e-14),
    ("scipy-norm-tiny-scale-logJ", lambda: ip.fisher(stats.norm(0, 1e-200)).log_value,
     lambda: 400 * LN10, 1e-14),
    ("scipy-norm-tiny-scale-product", lambda: ip.fs_point(stats.norm(3, 1e-200)).product.value,
     lambda: 1.0, 1e-12),
    # huge shape parameters (issue #10)
    ("gamma-1e15-entropy", lambda: ip.entropy(ip.Gamma(1e15, 1)).value,
     lambda: _mp_gamma_entropy(1e15), 1e-14),
    ("beta-1e15-entropy", lambda: ip.entropy(ip.Beta(1e15, 1e15)).value,
     lambda: _mp_beta_entropy(1e15, 1e15), 1e-14),
    ("t-1e12-product", lambda: ip.fs_point(ip.StudentT(1e12)).product.value,
     lambda: _mp_t_stam(1e12), 1e-13),
]


@pytest.mark.parametrize("compute, truth, rtol", [c[1:] for c in VALUES],
                         ids=[c[0] for c in VALUES])
def test_edge_input_matches_independent_truth(compute, truth, rtol):
    got, want = compute(), truth()
    assert math.isfinite(got)
    assert abs(got - want) <= rtol * abs(want), (got, want)


def test_unrepresentable_values_say_why():
    p = ip.fs_point(ip.Laplace(0, 1e-200))
    assert p.J.value == math.inf and "overflows" in p.J.reason
    assert p.N.value < 1e-300 and "underflows" in p.N.reason
    assert p.product.reason is None  # 2e/π itself is perfectly representable
    q = ip.fs_point(ip.Laplace(0, 1e200))
    assert q.N.value == math.inf and "overflows" in q.N.reason
    assert q.J.value < 1e-300 and "underflows" in q.J.reason
