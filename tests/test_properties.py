"""Property-based tests: information inequalities and invariances on random densities.

Each inequality is checked "within error bars": exact for closed forms (rtol 1e-10),
``4·stderr`` (plus a 1e-9 relative floor) for quadrature and Monte Carlo values.
``hypothesis.target`` steers the search toward the equality cases.
"""

import math
import warnings

import numpy as np
import pytest
from hypothesis import assume, given, settings, target
from hypothesis import strategies as st

import infoplane as ip
from infoplane.testing import (
    affine_maps,
    densities,
    gaussian_mixtures,
    gaussians,
    univariate_densities,
)

MC = dict(n_samples=20_000)


def _light_score(d) -> bool:
    """True when E‖s‖⁴ < ∞, so that the Monte Carlo standard error of J is trustworthy.

    (Gamma and beta scores need shapes > 4 for a finite fourth moment, the generalized
    Gaussian needs β > 3/4; below that the sample variance of ‖s‖² is meaningless.)
    """
    if isinstance(d, ip.Product):
        return all(_light_score(c) for c in d.components)
    if isinstance(d, ip.Affine):
        return _light_score(d.base)
    if isinstance(d, ip.Gamma):
        return d.shape > 4.5
    if isinstance(d, ip.Beta):
        return min(d.a, d.b) > 4.5
    if isinstance(d, ip.GeneralizedGaussian):
        return d.beta > 0.8
    return True


def _tol(*ests, rel=1e-10):
    """Allowed slack from estimation errors: 4 standard errors, or a rounding floor."""
    return 4.0 * math.sqrt(sum(e.stderr**2 for e in ests)) + rel


def _needs_mc(d) -> bool:
    """Whether ``method="auto"`` ends in Monte Carlo somewhere (d-D mixtures)."""
    if isinstance(d, ip.Product):
        return any(_needs_mc(c) for c in d.components)
    if isinstance(d, ip.Affine):
        return _needs_mc(d.base) or (d.dim > 1 and d._fisher() is None)
    return d.dim > 1 and d._fisher() is None


def _point(d, rng=0):
    return ip.fs_point(d, rng=rng, **(MC if _needs_mc(d) else {}))


@settings(max_examples=60)
@given(densities(max_dim=3, finite_fisher=True))
def test_stam_inequality(d):
    p = _point(d)
    assume(math.isfinite(p.fisher.value))
    r = p.product.value
    target(1.0 - r, label="1 - NJ/d")
    assert r >= 1.0 - _tol(p.product) * max(1.0, r)


@given(gaussians(kind="isotropic"))
def test_stam_equality_for_isotropic_gaussians(g):
    assert ip.fs_point(g).product.value == pytest.approx(1.0, rel=1e-10)


@given(gaussians(kind="full", max_dim=5))
def test_am_gm_for_anisotropic_gaussians(g):
    ev = np.linalg.eigvalsh(g.cov())
    amgm = math.exp(np.mean(np.log(ev))) * np.mean(1.0 / ev)
    p = ip.fs_point(g)
    target(1.0 - p.product.value, label="1 - NJ/d")
    assert p.product.value == pytest.approx(amgm, rel=1e-9)
    assert amgm >= 1.0 - 1e-12


@settings(max_examples=40)
@given(univariate_densities(finite_fisher=True), affine_maps(1))
def test_scaling_and_translation_1d(d, ab):
    """J(aX+b) = J/a², N(aX+b) = a²N: Affine integrated by quadrature vs the base's values."""
    a, b = ab
    y = ip.Affine(d, a, b)
    j0, h0 = ip.fisher(d), ip.entropy(d)
    jy = ip.fisher(y, method="quadrature")
    hy = ip.entropy(y, method="quadrature")
    assert abs(jy.value - j0.value / a**2) <= _tol(jy, j0) * max(1.0, jy.value) + 1e-8 * jy.value
    assert abs(hy.value - (h0.value + math.log(abs(a)))) <= _tol(hy, h0) + 1e-8
    ny = ip.entropy_power(y, method="quadrature").value
    n0 = ip.entropy_power(d).value
    assert ny == pytest.approx(a * a * n0, rel=1e-6)
    # translation alone changes nothing
    t = ip.Affine(d, 1.0, b)
    assert ip.fisher(t, method="quadrature").value == pytest.approx(j0.value, rel=1e-6)


LIGHT = ["gaussian", "laplace", "logistic", "student_t", "cauchy"]
DD_CLOSED = st.one_of(
    st.integers(2, 3).flatmap(lambda k: gaussians(dim=k)),
    st.builds(lambda df, g: ip.MultivariateStudentT(df, g.mean(), g.cov()),
              st.floats(0.5, 30.0), st.integers(2, 3).flatmap(lambda k: gaussians(dim=k))),
    st.lists(univariate_densities(LIGHT), min_size=2, max_size=3).map(ip.Product),
)


@settings(max_examples=25)
@given(DD_CLOSED, st.data())
def test_affine_images_dd_monte_carlo(d, data):
    """H(AX+b) = H + ln|det A| and J = tr(A⁻ᵀ J_X A⁻¹): MC with the transformed score."""
    A, b = data.draw(affine_maps(d.dim))
    y = ip.Affine(d, A, b)
    hx, fx = ip.entropy(d), ip.fisher_matrix(d)
    Ai = np.linalg.inv(A)
    j_true = float(np.trace(Ai.T @ fx.value @ Ai))
    h_true = hx.value + math.log(abs(np.linalg.det(A)))
    jm = ip.fisher(y, method="monte-carlo", rng=1, **MC)
    hm = ip.entropy(y, method="monte-carlo", rng=2, **MC)
    assert abs(jm.value - j_true) <= 4.5 * jm.stderr + 1e-10 * j_true
    assert abs(hm.value - h_true) <= 4.5 * hm.stderr + 1e-10 * abs(h_true)


@settings(max_examples=30)
@given(st.lists(univariate_densities(finite_fisher=True, closed_form=True), min_size=2, max_size=3))
def test_additivity_for_products(comps):
    """Monte Carlo over the product density vs the sum of the components' closed forms."""
    p = ip.Product(comps)
    h_sum = sum(ip.entropy(c).value for c in comps)
    j_sum = sum(ip.fisher(c).value for c in comps)
    hm = ip.entropy(p, method="monte-carlo", rng=3, **MC)
    jm = ip.fisher(p, method="monte-carlo", rng=4, **MC)
    assert abs(hm.value - h_sum) <= 4.5 * hm.stderr + 1e-10 * abs(h_sum)
    if _light_score(p):
        assert abs(jm.value - j_sum) <= 4.5 * jm.stderr + 1e-10 * j_sum
    fm = ip.fisher_matrix(p).value
    assert np.count_nonzero(fm - np.diag(np.diag(fm))) == 0


@settings(max_examples=50)
@given(univariate_densities(finite_fisher=True))
def test_cramer_rao_1d_and_max_entropy(d):
    """Var·J ≥ 1 (Cramér-Rao) and 1/J ≤ N ≤ Var (Stam; Gaussian maximises entropy)."""
    c = d.cov()
    assume(c is not None)
    var = float(c[0, 0])
    j, n = ip.fisher(d), ip.entropy_power(d)
    target(1.0 - var * j.value, label="1 - Var J")
    assert var * j.value >= 1.0 - _tol(j) * var - 1e-10
    assert n.value <= var * (1 + 1e-10) + 4 * n.stderr


@settings(max_examples=30)
@given(densities(max_dim=3, finite_fisher=True, closed_form=True))
def test_cramer_rao_matrix(d):
    c = d.cov()
    assume(c is not None)
    fm = ip.fisher_matrix(d).value
    assume(np.all(np.isfinite(fm)))
    gap = c - np.linalg.inv(fm)
    ev = np.linalg.eigvalsh(0.5 * (gap + gap.T))
    target(-float(ev.min()) / float(np.abs(c).max()), label="-min eig(Cov - J^-1)")
    assert ev.min() >= -1e-8 * np.abs(c).max()


@settings(max_examples=30)
@given(gaussian_mixtures(dim=1), gaussian_mixtures(dim=1))
def test_entropy_power_and_stam_inequalities_for_sums(x, y):
    """EPI N(X+Y) ≥ N(X)+N(Y) and Stam 1/J(X+Y) ≥ 1/J(X)+1/J(Y), all by quadrature."""
    s = x.convolve(y)
    nx, ny, ns = (ip.entropy_power(m) for m in (x, y, s))
    jx, jy, js = (ip.fisher(m) for m in (x, y, s))
    assert nx.method == jx.method == "quadrature"
    epi = ns.value - (nx.value + ny.value)
    target(-epi / ns.value, label="EPI gap")
    assert epi >= -_tol(nx, ny, ns, rel=1e-9 * ns.value)
    inv = 1 / js.value - (1 / jx.value + 1 / jy.value)
    se_inv = math.sqrt(sum((e.stderr / e.value**2) ** 2 for e in (jx, jy, js)))
    target(-inv * js.value, label="Stam gap")
    assert inv >= -4 * se_inv - 1e-9 / js.value


@settings(max_examples=8, deadline=None)
@given(st.floats(1e-3, 1e3), st.floats(-1e3, 1e3), st.integers(0, 2**16))
def test_dd_fisher_of_skewed_samples_is_scale_and_shift_equivariant(c, b, seed):
    """J(cX + b) = J(X)/c² for the sample estimator on skewed data, where the skew map
    (rotation + sinh-arcsinh) runs: the whitened data, hence the map, are the same."""
    A = np.array([[1.0, 0.5], [-0.4, 0.9]])
    X = np.random.default_rng(seed).gumbel(size=(3000, 2)) @ A.T
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ip.AccuracyWarning)   # the skewness warning
        e0 = ip.fisher(X, rng=0)
        e1 = ip.fisher(c * X + b, rng=0)
    assert e0.options["skew_map"] and e1.options["skew_map"]
    assert e1.value * c**2 == pytest.approx(e0.value, rel=1e-6)
    assert e1.stderr * c**2 == pytest.approx(e0.stderr, rel=1e-6)
