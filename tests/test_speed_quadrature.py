"""Vectorised quadrature of densities (issue #12): accuracy against independent truths and
the structure that makes it fast (few vectorised evaluations, one BLAS guard per call).

No timings: the suite must not fail on a busy machine (``benchmarks/speed.py`` times it).
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from scipy import integrate, special, stats

import infoplane as ip
from infoplane import _numerics
from infoplane.estimators import analytic

from tests.cases import _beta_h, _gg_j


# ----------------------------------------------------------------- endpoint singularities
def test_singular_integrands_reach_the_closed_forms():
    """Bisection alone stalls next to an integrable singularity (it gains a constant factor
    per round and stops at the float64 resolution); the QAGS fallback must still reach the
    literature values, with an error estimate that covers the error."""
    cases = [
        # f s² ~ x^-0.95 at the support end 0; J = 1/(k - 2) (Johnson-Kotz-Balakrishnan)
        (ip.fisher, ip.Gamma(2.05), 1.0 / 0.05),
        # s² ~ |x - 1|^-0.6 at the mode, an interior landmark; J from absolute moments
        (ip.fisher, ip.GeneralizedGaussian(0.7, 1.0, 1.0), _gg_j(0.7, 1.0)),
        # f ~ x^-0.5 at 0 and (1 - x)^-0.3 at 1 (Lazo-Rathie)
        (ip.entropy, ip.Beta(0.5, 0.7), _beta_h(0.5, 0.7)),
    ]
    for fn, dens, truth in cases:
        with warnings.catch_warnings():
            warnings.simplefilter("error", ip.AccuracyWarning)
            e = fn(dens, method="quadrature")
        assert e.method == "quadrature"
        assert abs(e.value - truth) <= 1e-9 * abs(truth), (dens, e, truth)
        assert abs(e.value - truth) <= max(10 * e.stderr, 1e-12 * abs(truth)), (dens, e)


def test_unreachable_tolerance_warns_once_and_keeps_an_honest_error():
    g = ip.Gaussian(0.0, 1.0)
    truth = 0.5 * math.log(2 * math.pi * math.e)
    with pytest.warns(ip.AccuracyWarning, match=r"rtol=1e-16") as rec:
        e = ip.entropy(g, method="quadrature", rtol=1e-16)
    assert len([w for w in rec if issubclass(w.category, ip.AccuracyWarning)]) == 1
    assert abs(e.value - truth) <= max(10 * e.stderr, 1e-15)


# --------------------------------------------------------------------------- the KDE
def _kde_reference(x: np.ndarray, h: float) -> tuple[float, float]:
    """H and J of the Gaussian KDE by scipy's QUADPACK on an independent implementation
    (scipy.stats.norm, derivative written out), split at every kernel centre."""
    def f(t):
        return float(np.mean(stats.norm.pdf(t, x, h)))

    def f1(t):
        return float(np.mean(-(t - x) / h**2 * stats.norm.pdf(t, x, h)))

    def h_int(t):
        v = f(t)
        return -v * math.log(v) if v > 0 else 0.0

    def j_int(t):
        v = f(t)
        return f1(t) ** 2 / v if v > 0 else 0.0

    xs = np.sort(x)
    edges = np.concatenate([[xs[0] - 40 * h], xs, [xs[-1] + 40 * h]])
    H = J = 0.0
    for lo, hi in zip(edges[:-1], edges[1:]):
        if hi > lo:
            H += integrate.quad(h_int, lo, hi, epsabs=0, epsrel=1e-12, limit=200)[0]
            J += integrate.quad(j_int, lo, hi, epsabs=0, epsrel=1e-12, limit=200)[0]
    return H, J


@pytest.mark.parametrize("law", ["cauchy", "normal"])
def test_kde_quadrature_matches_an_independent_reference(law):
    rng = np.random.default_rng(7)
    x = rng.standard_cauchy(60) if law == "cauchy" else rng.standard_normal(60)
    h = 0.4
    kde = ip.KDE(x, bandwidth=h)
    H, J = _kde_reference(x, h)
    eh, ej = ip.entropy(kde), ip.fisher(kde)
    assert eh.method == ej.method == "quadrature"
    assert abs(eh.value - H) <= 1e-9 * abs(H)
    assert abs(ej.value - J) <= 1e-9 * J


def test_kde_1d_evaluation_matches_all_kernels_far_and_near():
    """The 1-D KDE reads only the kernels within reach of each query; far queries, queries
    between isolated kernels and exact centres must agree with the sum over all."""
    rng = np.random.default_rng(3)
    x = np.concatenate([rng.standard_cauchy(300), [1e6, -3e5]])
    kde = ip.KDE(x, bandwidth=0.3)
    q = np.concatenate([np.linspace(-50, 50, 501), x[:20], [1e6 + 1.0, 5e5, -1e9, 1e12]])
    # the window drops only kernels weighing < e^-60 of the nearest: same numbers as a
    # log-sum-exp over every kernel in the KDE's own (kernel) coordinates
    yq = kde._to_kernel_coords(q[:, None])[:, 0]
    D = kde._Y[None, :, 0] - yq[:, None]
    ref_logw = special.logsumexp(-0.5 * D * D, axis=1)
    wts = np.exp(-0.5 * D * D - ref_logw[:, None])
    logw, u = kde._moments_1d(yq)
    np.testing.assert_allclose(logw, ref_logw, rtol=1e-14, atol=1e-14)
    np.testing.assert_allclose(u[:, 0], (wts * D).sum(axis=1), rtol=1e-12, atol=1e-12)
    # and the public log-density and score against an independent formula in x units
    # (the KDE's centring costs ~1e-16 |centre| / h absolutely: rtol 1e-9 here)
    z = (q[:, None] - x[None, :]) / 0.3
    ref_lp = special.logsumexp(-0.5 * z * z, axis=1) - math.log(x.size) \
        - 0.5 * math.log(2 * math.pi * 0.09)
    w = np.exp(-0.5 * z * z - special.logsumexp(-0.5 * z * z, axis=1)[:, None])
    np.testing.assert_allclose(kde.logpdf(q), ref_lp, rtol=1e-9)
    np.testing.assert_allclose(kde.score(q), -(w * z).sum(axis=1) / 0.3, rtol=1e-9, atol=1e-9)
    lp2, s2 = kde._logpdf_score(q[:, None])
    np.testing.assert_array_equal(lp2, kde._logpdf(q[:, None]))
    np.testing.assert_array_equal(s2, kde._score(q[:, None]))


def test_quadrature_evaluates_the_density_in_few_vectorised_calls(monkeypatch):
    x = np.random.default_rng(0).standard_cauchy(2000)
    kde = ip.KDE(x)
    sizes: list[int] = []
    orig = type(kde)._moments

    def counting(self, X):
        sizes.append(len(X))
        return orig(self, X)

    monkeypatch.setattr(type(kde), "_moments", counting)
    ip.fisher(kde)
    # one call per round of bisection (point-by-point quadrature made thousands)
    assert 1 <= len(sizes) <= analytic._MAX_ROUNDS + 1
    assert min(sizes) >= 21


class _CountingController:
    """Stands in for threadpoolctl's controller: counts the BLAS limits set."""

    def __init__(self):
        self.entries = 0

    def limit(self, **kwargs):
        self.entries += 1
        return self

    def restore_original_limits(self):
        pass


def test_kde_estimates_set_the_blas_limit_once_per_call(monkeypatch):
    fake = _CountingController()
    monkeypatch.setattr(_numerics, "_controller", fake)
    kde = ip.KDE(np.random.default_rng(1).standard_normal(300), bandwidth=0.3)
    ip.fisher(kde)
    assert fake.entries == 1
    ip.fs_point(kde)
    assert fake.entries == 3          # one per half
    kde.logpdf(np.linspace(-1, 1, 5))
    assert fake.entries == 4          # a public evaluation is one call too
    assert _numerics._blas_depth == 0


# ------------------------------------------------------------------------- mixtures
def test_mixture_logpdf_score_hook_equals_the_separate_hooks():
    mix = ip.GaussianMixture([0.2, 0.8], [-1.0, 3.0], [0.5, 2.0])
    X = np.linspace(-10, 10, 1001)[:, None]
    for pts in (X[:7], X):   # serial and parallel kernels
        lp, s = mix._logpdf_score(pts)
        np.testing.assert_array_equal(lp, mix._logpdf(pts))
        np.testing.assert_array_equal(s, mix._score(pts))


def test_mixture_quadrature_against_scipy_quad_of_scipy_pdfs():
    """1-D mixture H and J by QUADPACK on scipy.stats.norm pdfs (independent code)."""
    w, m, v = np.array([0.3, 0.5, 0.2]), np.array([-3.0, 0.0, 4.0]), np.array([0.09, 1.0, 0.25])
    sd = np.sqrt(v)

    def f(t):
        return float(np.sum(w * stats.norm.pdf(t, m, sd)))

    def f1(t):
        return float(np.sum(-w * (t - m) / v * stats.norm.pdf(t, m, sd)))

    pts = [-8.0, -3.0, -1.0, 0.0, 2.0, 4.0, 8.0]
    edges = [-np.inf, *pts, np.inf]
    H = sum(integrate.quad(lambda t: -f(t) * math.log(f(t)) if f(t) > 0 else 0.0, a, b,
                           epsabs=0, epsrel=1e-12, limit=200)[0]
            for a, b in zip(edges[:-1], edges[1:]))
    J = sum(integrate.quad(lambda t: f1(t) ** 2 / f(t) if f(t) > 0 else 0.0, a, b,
                           epsabs=0, epsrel=1e-12, limit=200)[0]
            for a, b in zip(edges[:-1], edges[1:]))
    mix = ip.GaussianMixture(w, m, v)
    assert ip.entropy(mix).value == pytest.approx(H, rel=1e-10)
    assert ip.fisher(mix).value == pytest.approx(J, rel=1e-10)
