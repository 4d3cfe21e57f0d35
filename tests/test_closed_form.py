"""Closed forms against the literature table, quadrature, scipy and Monte Carlo."""

import math

import numpy as np
import pytest
from scipy import stats

import infoplane as ip
from tests.cases import MULTIVARIATE, UNIVARIATE

U = {c.id: c for c in UNIVARIATE}
M = {c.id: c for c in MULTIVARIATE}


@pytest.mark.parametrize("cid", U)
def test_univariate_closed_form_matches_table(cid):
    c = U[cid]
    d = c.make()
    h = ip.entropy(d)
    assert h.method == "closed-form" and h.stderr == 0.0
    assert h.value == pytest.approx(c.H, rel=1e-12, abs=1e-13)
    j = ip.fisher(d)
    if math.isinf(c.J):
        assert math.isinf(j.value) and j.reason
        assert math.isinf(ip.fisher_matrix(d).value[0, 0])
    else:
        assert j.method == "closed-form"
        assert j.value == pytest.approx(c.J, rel=1e-12)
        assert ip.fisher_matrix(d).value[0, 0] == pytest.approx(c.J, rel=1e-12)


@pytest.mark.parametrize("cid", U)
def test_quadrature_of_own_logpdf_and_score_agrees(cid):
    """Integrate -f log f and f s² with the density's own logpdf/score (no closed form)."""
    c = U[cid]
    d = c.make()
    h = ip.entropy(d, method="quadrature")
    assert abs(h.value - c.H) <= 10 * h.stderr + 1e-9 * max(1.0, abs(c.H))
    if math.isfinite(c.J):
        j = ip.fisher(d, method="quadrature")
        assert abs(j.value - c.J) <= 10 * j.stderr + 1e-9 * c.J


@pytest.mark.parametrize("cid", U)
def test_logpdf_and_score_match_scipy(cid):
    c = U[cid]
    d, ref = c.make(), c.scipy
    lo, hi = ref.support()
    q = np.linspace(0.001, 0.999, 41)
    x = ref.ppf(q)
    x = x[(x > lo) & (x < hi)]
    np.testing.assert_allclose(d.logpdf(x), ref.logpdf(x), rtol=1e-11, atol=1e-12)
    # score against a central difference of scipy's logpdf
    h = 1e-5 * (np.abs(x) + 1.0)
    fd = (ref.logpdf(x + h) - ref.logpdf(x - h)) / (2 * h)
    s = d.score(x)
    ok = np.abs(x - np.median(x)) > 1e-3  # skip the kink of Laplace / gennorm(β<1) at the mode
    np.testing.assert_allclose(s[ok], fd[ok], rtol=1e-5, atol=1e-6)
    assert d.logpdf(np.array([lo - 1.0]))[0] == -np.inf if np.isfinite(lo) else True


@pytest.mark.parametrize("cid", U)
def test_entropy_matches_scipy(cid):
    c = U[cid]
    assert ip.entropy(c.make()).value == pytest.approx(float(c.scipy.entropy()), rel=1e-8, abs=1e-9)


@pytest.mark.parametrize("cid", U)
def test_samples_follow_the_density(cid):
    c = U[cid]
    x = c.make().sample(4000, rng=np.random.default_rng(7))
    assert x.shape == (4000,)
    assert stats.kstest(x, c.scipy.cdf).pvalue > 1e-4


@pytest.mark.parametrize("cid", U)
def test_mean_and_variance_match_scipy(cid):
    c = U[cid]
    d = c.make()
    m, v = c.scipy.mean(), c.scipy.var()
    if np.isfinite(m):
        assert d.mean()[0] == pytest.approx(m, rel=1e-12, abs=1e-12)
    else:
        assert d.mean() is None
    if np.isfinite(v):
        assert d.cov()[0, 0] == pytest.approx(v, rel=1e-12)
    else:
        assert d.cov() is None


@pytest.mark.parametrize("cid", M)
def test_multivariate_closed_form_and_monte_carlo(cid):
    c = M[cid]
    d = c.make()
    assert ip.entropy(d).value == pytest.approx(c.H, rel=1e-12)
    assert ip.fisher(d).value == pytest.approx(c.J, rel=1e-12)
    h = ip.entropy(d, method="monte-carlo", rng=11, n_samples=100_000)
    j = ip.fisher(d, method="monte-carlo", rng=12, n_samples=100_000)
    assert abs(h.value - c.H) < 4 * h.stderr
    assert abs(j.value - c.J) < 4 * j.stderr
    fm = ip.fisher_matrix(d, method="monte-carlo", rng=13, n_samples=100_000)
    z = (fm.value - ip.fisher_matrix(d).value) / fm.stderr
    assert np.all(np.abs(z) < 4.5)


def test_multivariate_t_against_scipy():
    c = M["mvt3"]
    d, ref = c.make(), c.scipy
    x = ref.rvs(size=50, random_state=np.random.default_rng(3))
    np.testing.assert_allclose(d.logpdf(x), ref.logpdf(x), rtol=1e-12)
    assert ip.entropy(d).value == pytest.approx(ref.entropy(), rel=1e-10)
    # score against central differences of scipy's logpdf
    eps = 1e-5
    fd = np.stack([(ref.logpdf(x + eps * e) - ref.logpdf(x - eps * e)) / (2 * eps)
                   for e in np.eye(3)], axis=1)
    np.testing.assert_allclose(d.score(x), fd, rtol=1e-6, atol=1e-8)
    s = d.sample(100_000, rng=np.random.default_rng(4))
    np.testing.assert_allclose(np.cov(s.T), d.cov(), atol=0.15)


def test_mixture_1d_quadrature_vs_monte_carlo():
    mix = ip.GaussianMixture([0.2, 0.5, 0.3], [-3.0, 0.0, 2.5], [0.5, 1.0, 0.25])
    h, j = ip.entropy(mix), ip.fisher(mix)
    assert h.method == j.method == "quadrature"
    hm = ip.entropy(mix, method="monte-carlo", rng=1, n_samples=200_000)
    jm = ip.fisher(mix, method="monte-carlo", rng=2, n_samples=200_000)
    assert abs(h.value - hm.value) < 4 * hm.stderr
    assert abs(j.value - jm.value) < 4 * jm.stderr
    # moments against the samples
    x = mix.sample(200_000, rng=np.random.default_rng(3))
    assert abs(x.mean() - mix.mean()[0]) < 4 * x.std() / math.sqrt(x.size)
    assert np.var(x) == pytest.approx(mix.cov()[0, 0], rel=0.02)


def test_one_component_mixture_is_the_gaussian():
    cov = np.array([[1.0, 0.3], [0.3, 2.0]])
    mix = ip.GaussianMixture([1.0], [[0.5, -1.0]], [cov])
    g = ip.Gaussian([0.5, -1.0], cov)
    x = g.sample(100, rng=0)
    np.testing.assert_allclose(mix.logpdf(x), g.logpdf(x), rtol=1e-12)
    np.testing.assert_allclose(mix.score(x), g.score(x), rtol=1e-10, atol=1e-12)
    j = ip.fisher(mix, rng=1, n_samples=100_000)
    assert j.method == "monte-carlo"
    assert abs(j.value - np.trace(np.linalg.inv(cov))) < 4 * j.stderr


def test_product_with_numerical_parts_is_estimated_part_by_part():
    mix = ip.GaussianMixture([0.5, 0.5], [-1.0, 1.5], [0.5, 1.0])
    p = ip.Gaussian(0.0, 2.0) * mix
    h, j = ip.entropy(p), ip.fisher(p)
    assert h.method == "closed-form+quadrature"
    assert h.value == pytest.approx(
        0.5 * math.log(2 * math.pi * math.e * 2.0) + ip.entropy(mix).value, rel=1e-12
    )
    jm = ip.fisher(p, method="monte-carlo", rng=3, n_samples=100_000)
    assert abs(j.value - jm.value) < 4 * jm.stderr
    fm = ip.fisher_matrix(p)
    assert fm.value[0, 1] == 0.0 and fm.value[0, 0] == pytest.approx(0.5, rel=1e-14)
    assert fm.trace.value == pytest.approx(j.value, rel=1e-12)


def test_affine_1d_of_a_mixture_scales_exactly():
    mix = ip.GaussianMixture([0.3, 0.7], [0.0, 2.0], [1.0, 0.3])
    y = ip.Affine(mix, -2.5, 4.0)
    assert y.support == (-np.inf, np.inf)
    jy = ip.fisher(y, method="quadrature")  # integrates the transformed score itself
    assert jy.value == pytest.approx(ip.fisher(mix).value / 6.25, rel=1e-9)
    hy = ip.entropy(y, method="quadrature")
    assert hy.value == pytest.approx(ip.entropy(mix).value + math.log(2.5), rel=1e-9)


def test_affine_maps_support_of_bounded_densities():
    y = ip.Affine(ip.Beta(3.0, 4.0), -2.0, 1.0)
    assert y.support == (-1.0, 1.0)
    j = ip.fisher(y, method="quadrature")
    assert j.value == pytest.approx(ip.fisher(ip.Beta(3.0, 4.0)).value / 4.0, rel=1e-9)


def test_infinite_fisher_reasons_name_the_cause():
    assert "jumps" in ip.fisher(ip.Uniform()).reason
    assert "shape" in ip.fisher(ip.Gamma(2.0)).reason
    assert "beta <= 1/2" in ip.fisher(ip.GeneralizedGaussian(0.5)).reason
    p = ip.fs_point(ip.Uniform(0, 1) * ip.Gaussian())
    assert math.isinf(p.fisher.value) and "component 0" in p.fisher.reason


def test_gamma_fisher_diverges_as_shape_approaches_two():
    """J(k) = 1/(θ²(k-2)) blows up at k = 2: quadrature of the truncated integral grows."""
    vals = [ip.fisher(ip.Gamma(k), method="quadrature").value for k in (2.5, 2.2, 2.05)]
    np.testing.assert_allclose(vals, [2.0, 5.0, 20.0], rtol=1e-6)


def _consistency_cases():
    S = np.array([[1.0, 0.4], [0.4, 0.5]])
    return {
        "mvt": ip.MultivariateStudentT(3.0, [1.0, -1.0], S),
        "mixture2d": ip.GaussianMixture([0.3, 0.7], [[0, 0], [2, 1]], [S, np.diag([0.3, 2.0])]),
        "product": ip.Logistic(1.0, 0.5) * ip.Gamma(3.0, 2.0) * ip.StudentT(4.0),
        "affine2d": ip.Affine(ip.Logistic() * ip.GeneralizedGaussian(3.0),
                              [[1.0, 2.0], [-0.5, 1.5]], [3.0, 1.0]),
        "affine_of_mixture": ip.Affine(ip.GaussianMixture([0.5, 0.5], [[0, 0], [3, 0]], [1.0, 0.5]),
                                       [[0.0, 2.0], [1.0, 0.0]], 0.0),
        "affine1d_negative": ip.Affine(ip.Gamma(4.0), -3.0, 2.0),
    }


@pytest.mark.parametrize("name", list(_consistency_cases()))
def test_score_is_the_gradient_of_logpdf_and_moments_match_samples(name):
    d = _consistency_cases()[name]
    rng = np.random.default_rng(5)
    x = d.sample(200, rng=rng)
    X = x.reshape(len(x), -1)
    fd = np.empty_like(X)
    for i in range(d.dim):
        h = np.zeros_like(X)
        h[:, i] = 1e-6 * (1 + np.abs(X[:, i]))
        up, down = (X + h), (X - h)
        if d.dim == 1:
            up, down = up[:, 0], down[:, 0]
        fd[:, i] = (d.logpdf(up) - d.logpdf(down)) / (2 * h[:, i])
    np.testing.assert_allclose(d.score(x).reshape(len(x), -1), fd, rtol=1e-5, atol=1e-6)
    # mean and covariance against 200k samples (z < 4 for the mean)
    s = d.sample(200_000, rng=rng).reshape(200_000, -1)
    m, c = d.mean(), d.cov()
    se = s.std(axis=0) / math.sqrt(len(s))
    assert np.all(np.abs(s.mean(axis=0) - m) < 4 * se)
    if name != "mvt":  # ν = 3: the sample covariance converges too slowly (infinite 4th moment)
        np.testing.assert_allclose(np.cov(s.T).reshape(c.shape), c, rtol=0.03,
                                   atol=0.03 * np.abs(c).max())
