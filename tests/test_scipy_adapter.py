"""Frozen scipy distributions: exact conversion of known families, numerical fallback."""

import math

import numpy as np
import pytest
from scipy import stats

import infoplane as ip
from infoplane.densities import ScipyDensity

EXACT = [
    (stats.norm(1.0, 2.0), ip.Gaussian, 0.25),
    (stats.norm(loc=1.0, scale=2.0), ip.Gaussian, 0.25),
    (stats.laplace(0.0, 0.5), ip.Laplace, 4.0),
    (stats.logistic(scale=2.0), ip.Logistic, 1 / 12),
    (stats.t(5, 1.0, 2.0), ip.StudentT, 6 / 32),
    (stats.t(df=5, scale=2.0), ip.StudentT, 6 / 32),
    (stats.cauchy(0.0, 3.0), ip.Cauchy, 1 / 18),
    (stats.gennorm(1.5, scale=2.0), ip.GeneralizedGaussian, None),
    (stats.gamma(3.5, scale=2.0), ip.Gamma, 1 / 6),
    (stats.gamma(a=3.5, loc=-1.0, scale=2.0), ip.Affine, 1 / 6),
    (stats.beta(3, 4), ip.Beta, 45.0),
    (stats.beta(3, 4, loc=1.0, scale=2.0), ip.Affine, 45.0 / 4),
    (stats.uniform(-1.0, 3.0), ip.Uniform, math.inf),
    (stats.expon(scale=2.0), ip.Gamma, math.inf),
    (stats.expon(1.0, 2.0), ip.Affine, math.inf),
]


@pytest.mark.parametrize("frozen, cls, J", EXACT, ids=lambda v: getattr(v, "__name__", None))
def test_known_families_convert_exactly(frozen, cls, J):
    d = ip.from_scipy(frozen)
    assert isinstance(d, cls)
    assert ip.entropy(frozen).value == pytest.approx(float(frozen.entropy()), rel=1e-10)
    assert ip.entropy(frozen).method == "closed-form"
    if J is not None:
        assert ip.fisher(frozen).value == pytest.approx(J, rel=1e-12)
    lo, hi = frozen.support()
    x = frozen.ppf(np.linspace(0.01, 0.99, 25))
    np.testing.assert_allclose(d.logpdf(x), frozen.logpdf(x), rtol=1e-11, atol=1e-12)
    assert d.support == (lo, hi) or d.dim == 1 and np.allclose(d.support, (lo, hi))


def test_generic_density_gumbel_against_closed_form():
    """Gumbel has no infoplane family: H = ln β + γ + 1 and J = 1/β² (location information)."""
    beta = 1.7
    frozen = stats.gumbel_r(0.5, beta)
    d = ip.as_density(frozen)
    assert isinstance(d, ScipyDensity)
    h, j = ip.entropy(frozen), ip.fisher(frozen)
    assert h.method == j.method == "quadrature"
    assert h.value == pytest.approx(math.log(beta) + np.euler_gamma + 1, rel=1e-9)
    assert j.value == pytest.approx(1 / beta**2, rel=1e-8)
    x = d.sample(3000, rng=np.random.default_rng(1))
    assert stats.kstest(x, frozen.cdf).pvalue > 1e-4
    assert d.mean()[0] == pytest.approx(frozen.mean())


def test_generic_score_is_accurate_and_one_sided_at_support_ends():
    frozen = stats.lognorm(0.6, scale=2.0)
    d = ScipyDensity(frozen)
    x = np.array([1e-3, 0.5, 2.0, 10.0])
    s = 0.6
    exact = -(1 + np.log(x / 2.0) / s**2) / x  # d/dx log f for the lognormal
    np.testing.assert_allclose(d.score(x), exact, rtol=1e-7)
    assert d.score(np.array([-1.0]))[0] == 0.0  # outside the support
    assert ip.entropy(frozen).value == pytest.approx(float(frozen.entropy()), rel=1e-9)
    w = ScipyDensity(stats.weibull_min(3.0))  # support (0, inf), stencil crosses 0 near 0
    assert np.isfinite(w.score(np.array([1e-9, 1e-4]))).all()


def test_generic_density_without_moments():
    d = ScipyDensity(stats.cauchy())
    assert d.mean() is None and d.cov() is None


def test_generic_density_with_a_jump_has_infinite_fisher():
    for frozen in (stats.truncnorm(-1.0, 2.0), stats.pareto(3.0), stats.powerlaw(0.5)):
        j = ip.fisher(frozen)
        assert math.isinf(j.value) and "does not vanish" in j.reason
    # a density vanishing smoothly at its end keeps a finite J (here Weibull c = 3)
    w = ip.fisher(stats.weibull_min(3.0))
    assert math.isfinite(w.value) and w.method == "quadrature"
